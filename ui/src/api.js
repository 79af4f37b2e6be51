// Fetch wrapper for the fazhi JSON API.
//
// - JSON in and out, cookies sent only to the same origin.
// - Non-2xx answers are turned into an ApiError that carries the server's
//   error shape {"error":{"code","message","fields"}}; by default the Chinese
//   message is shown with ElMessage.
// - Unsafe methods (POST/PUT/PATCH/DELETE) carry `X-CSRF-Token` with the
//   token kept in memory by auth.js (never in localStorage).
// - 401 unauthenticated / session_expired and 403 password_change_required are
//   handed to the handlers router.js installs (redirect to /login or
//   /password); so is 403 totp_setup_required (→ /profile/totp).
import { ElMessage } from 'element-plus'

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
let csrfToken = ''
let handlers = { unauthenticated: null, passwordChangeRequired: null, totpSetupRequired: null }

export function setCsrfToken(t) {
  csrfToken = t || ''
}

// handlers: { unauthenticated(code), passwordChangeRequired(), totpSetupRequired() }
export function setAuthHandlers(h) {
  handlers = { ...handlers, ...h }
}

export class ApiError extends Error {
  constructor(message, { status = 0, code = '', fields = null, body = null } = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status // HTTP status, 0 for a network failure
    this.code = code // error.code from the server, e.g. "not_found"
    this.fields = fields // per-field validation messages, if any
    this.body = body // the parsed response body, if it was JSON
    this.handled = false // true once api.js sent the user to /login or /password
  }
}

function buildHeaders(method, hasBody, extra) {
  const h = { Accept: 'application/json' }
  if (hasBody) h['Content-Type'] = 'application/json'
  if (UNSAFE.has(method) && csrfToken) h['X-CSRF-Token'] = csrfToken
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
 * request(path, { method, body, headers, silent, signal, noAuthRedirect })
 * Resolves to the parsed JSON body (or null for an empty one).
 * Rejects with ApiError; unless `silent`, its message is shown to the user.
 * Unless `noAuthRedirect`, a 401 unauthenticated/session_expired sends the
 * user to the login page and a 403 password_change_required to /password.
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
  if (!opts.noAuthRedirect) {
    if (res.status === 401 && (err.code === 'unauthenticated' || err.code === 'session_expired') && handlers.unauthenticated) {
      handlers.unauthenticated(err.code, err.message)
      err.handled = true // the handler told the user; pages show nothing more
      throw err
    }
    if (res.status === 403 && err.code === 'password_change_required' && handlers.passwordChangeRequired) {
      handlers.passwordChangeRequired()
      err.handled = true
      throw err
    }
    if (res.status === 403 && err.code === 'totp_setup_required' && handlers.totpSetupRequired) {
      handlers.totpSetupRequired()
      err.handled = true
      throw err
    }
  }
  if (!opts.silent) ElMessage.error(err.message)
  throw err
}

export const get = (path, opts) => request(path, { ...opts, method: 'GET' })
export const post = (path, body, opts) => request(path, { ...opts, method: 'POST', body })
export const put = (path, body, opts) => request(path, { ...opts, method: 'PUT', body })
export const del = (path, opts) => request(path, { ...opts, method: 'DELETE' })

// Builds "?a=1&b=2" from an object, skipping empty values.
export function query(params) {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue
    q.append(k, String(v))
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}

// Rows of a list answer: {"total","rows"} per the API, or a bare array.
export function rowsOf(body) {
  if (Array.isArray(body)) return body
  return (body && Array.isArray(body.rows) && body.rows) || []
}

// Fetches every row of a list endpoint (trees need the whole list), 500 at a
// time, stopping at `total` or at a short page; at most 40 pages.
export async function getAll(path, params = {}, opts = {}) {
  const size = 500
  const out = []
  for (let page = 1; page <= 40; page++) {
    const body = await get(path + query({ ...params, page, size }), opts)
    const rows = rowsOf(body)
    out.push(...rows)
    const total = body && typeof body.total === 'number' ? body.total : null
    if (Array.isArray(body) || rows.length < size || (total !== null && out.length >= total)) break
  }
  return out
}

export default { request, get, post, put, del, query, rowsOf, getAll }
