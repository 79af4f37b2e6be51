// Fetch wrapper for the fazhi JSON API.
//
// - JSON in and out, cookies sent only to the same origin.
// - Non-2xx answers are turned into an ApiError that carries the server's
//   error shape {"error":{"code","message","fields"}}; by default the Chinese
//   message is shown with ElMessage.
// - A later issue adds the CSRF header in `buildHeaders` below.
import { ElMessage } from 'element-plus'

export class ApiError extends Error {
  constructor(message, { status = 0, code = '', fields = null, body = null } = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status // HTTP status, 0 for a network failure
    this.code = code // error.code from the server, e.g. "not_found"
    this.fields = fields // per-field validation messages, if any
    this.body = body // the parsed response body, if it was JSON
  }
}

function buildHeaders(method, hasBody, extra) {
  const h = { Accept: 'application/json' }
  if (hasBody) h['Content-Type'] = 'application/json'
  // CSRF header goes here for unsafe methods (later issue).
  void method
  return { ...h, ...(extra || {}) }
}

async function parseBody(res) {
  const text = await res.text()
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return undefined // not JSON
  }
}

/**
 * request(path, { method, body, headers, silent, signal })
 * Resolves to the parsed JSON body (or null for an empty one).
 * Rejects with ApiError; unless `silent`, its message is shown to the user.
 */
export async function request(path, opts = {}) {
  const method = (opts.method || 'GET').toUpperCase()
  const hasBody = opts.body !== undefined
  let res
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: buildHeaders(method, hasBody, opts.headers),
      body: hasBody ? JSON.stringify(opts.body) : undefined,
      signal: opts.signal,
    })
  } catch (e) {
    if (e && e.name === 'AbortError') throw e
    const err = new ApiError('网络错误，无法连接服务器', { code: 'network' })
    if (!opts.silent) ElMessage.error(err.message)
    throw err
  }

  const body = await parseBody(res)
  if (res.ok) {
    if (body === undefined) {
      const err = new ApiError('服务器返回的数据格式不正确', { status: res.status, code: 'bad_response' })
      if (!opts.silent) ElMessage.error(err.message)
      throw err
    }
    return body
  }

  const e = body && body.error
  const err = new ApiError(
    (e && e.message) || `请求失败（HTTP ${res.status}）`,
    { status: res.status, code: (e && e.code) || '', fields: (e && e.fields) || null, body: body ?? null },
  )
  if (!opts.silent) ElMessage.error(err.message)
  throw err
}

export const get = (path, opts) => request(path, { ...opts, method: 'GET' })
export const post = (path, body, opts) => request(path, { ...opts, method: 'POST', body })
export const put = (path, body, opts) => request(path, { ...opts, method: 'PUT', body })
export const del = (path, opts) => request(path, { ...opts, method: 'DELETE' })

export default { request, get, post, put, del }
