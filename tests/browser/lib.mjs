// Shared harness of the browser suites (smoke, identity, cases): loading
// playwright-core from ui/node_modules, launching Debian's headless Chromium
// (/usr/bin/chromium, override with FAZHI_CHROMIUM), counting checks, watching
// pages for console errors, failed requests and CSP violations, a watchdog for
// the whole run, and the "N passed, M failed" summary with the exit code.
//
// A suite reads:
//   startWatchdog(130000)
//   try { const browser = await launch(); …; checkClean() }
//   catch (e) { caught(e) } finally { await finish() }

import { createRequire } from 'node:module'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const WAIT_MS = 15000
export const baseUrl = (process.env.FAZHI_URL || '').replace(/\/+$/, '')

export class Abort extends Error {}
export const T = (id) => `[data-test="${id}"]`

const counts = { passed: 0, failed: 0 }
export const failures = () => counts.failed

// Stops before any check when the environment is not ready.
export function requireEnv(ok, message) {
  if (ok) return
  console.error(message)
  console.log('0 passed, 1 failed')
  process.exit(2)
}

export function check(name, ok, detail = '') {
  if (ok) {
    counts.passed++
    console.log(`ok   - ${name}${detail ? ` (${detail})` : ''}`)
  } else {
    counts.failed++
    console.log(`FAIL - ${name}${detail ? `: ${detail}` : ''}`)
  }
}

// Runs an async check; an exception (e.g. a timeout) counts as a failure.
// fn may return true/undefined, false/a string (failure) or {ok, detail}.
// Returns whether the check passed.
export async function step(name, fn) {
  const before = counts.failed
  try {
    const r = await fn()
    if (r === true || r === undefined) check(name, true)
    else if (r && typeof r === 'object') check(name, !!r.ok, r.detail || '')
    else check(name, false, String(r))
  } catch (e) {
    check(name, false, (e && e.message ? e.message : String(e)).split('\n')[0])
  }
  return counts.failed === before
}

// A step the rest of the run depends on.
export async function must(name, fn) {
  if (!(await step(name, fn))) throw new Abort(`“${name}”失败，其余检查未执行`)
}

// Steps that provoke an error on purpose declare it with expectError() and
// clear it with expectNone(); every other 4xx/5xx and console error fails
// checkClean(). alwaysExpected holds the suite's standing exceptions.
const alwaysExpected = []
let expectedNow = []
export function expectAlways(status, pathRe) {
  alwaysExpected.push({ status, path: pathRe })
}
export function expectError(status, pathRe) {
  expectedNow.push({ status, path: pathRe })
}
export function expectNone() {
  expectedNow = []
}
function isExpected(status, url) {
  let p
  try {
    p = new URL(url).pathname
  } catch {
    return false
  }
  return [...alwaysExpected, ...expectedNow].some((e) => e.status === status && e.path.test(p))
}
const statusOf = (text) => Number((/status of (\d{3})/.exec(text) || [])[1] || 0)
const consoleErrors = []
const cspViolations = []
const httpErrors = []

export async function watch(page) {
  page.setDefaultTimeout(WAIT_MS)
  page.setDefaultNavigationTimeout(WAIT_MS)
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return
    const text = msg.text()
    const loc = msg.location() || {}
    if (/Content Security Policy/i.test(text)) cspViolations.push(text)
    else if (loc.url && isExpected(statusOf(text), loc.url)) return
    else consoleErrors.push(`${text}${loc.url ? ` @ ${loc.url}` : ''}`)
  })
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`))
  page.on('response', (res) => {
    const st = res.status()
    if (st < 400 || !res.url().startsWith(baseUrl) || isExpected(st, res.url())) return
    httpErrors.push(`${st} ${res.request().method()} ${res.url()}`)
  })
  page.on('requestfailed', (req) => {
    const f = req.failure()
    // A GET still in flight when the page navigates away is cancelled by the
    // browser (net::ERR_ABORTED): a cancellation, not a failure.
    if (f && f.errorText === 'net::ERR_ABORTED' && req.method() === 'GET') return
    consoleErrors.push(`request failed: ${req.url()} ${f ? f.errorText : ''} @${page.url()}`)
  })
  // Reported through a CDP binding, which the page's CSP does not block.
  await page.exposeFunction('__fazhiCspViolation', (v) => cspViolations.push(v))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__fazhiCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || ''}:${e.lineNumber || ''}`)
    })
  })
}

// The closing checks of a suite: nothing unexpected went wrong on any page.
export function checkClean() {
  check(
    '无控制台错误、页面异常或意外的失败请求',
    consoleErrors.length === 0 && httpErrors.length === 0,
    [...consoleErrors, ...httpErrors].slice(0, 5).join(' | '),
  )
  check('无 CSP 违规', cspViolations.length === 0, cspViolations.slice(0, 5).join(' | '))
}

let browser = null
let watchdog = null
export function startWatchdog(ms) {
  watchdog = setTimeout(async () => {
    console.log(`FAIL - whole run exceeded ${ms / 1000} s`)
    console.log(`${counts.passed} passed, ${counts.failed + 1} failed`)
    try {
      if (browser) await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 5000))])
    } finally {
      process.exit(1)
    }
  }, ms)
}

export async function launch() {
  let chromium
  try {
    const require = createRequire(path.join(repoRoot, 'ui', 'package.json'))
    ;({ chromium } = require('playwright-core'))
  } catch (e) {
    throw new Error(`cannot load playwright-core from ui/node_modules (run: cd ui && npm ci): ${e.message}`)
  }
  browser = await chromium.launch({
    executablePath: process.env.FAZHI_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 30000,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu', '--no-first-run', '--disable-sync'],
  })
  return browser
}

// Signs in through the API and hands the session cookie to a new context.
export async function signedInContext(who, viewport = { width: 1440, height: 1000 }) {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: who.user, password: who.password }),
  })
  const m = /fz_session=([0-9a-f]+)/.exec(res.headers.get('set-cookie') || '')
  if (!m) throw new Error(`login ${who.user}: HTTP ${res.status}`)
  const context = await browser.newContext({ viewport, locale: 'zh-CN' })
  await context.addCookies([{ name: 'fz_session', value: m[1], url: baseUrl, httpOnly: true, sameSite: 'Strict' }])
  return context
}

// Waits until no finite animation (a table's, a chart's) is still running,
// before a screenshot.
export async function settled(page) {
  await page.waitForFunction(
    () => document.getAnimations().every((a) => a.playState !== 'running' || (a.effect && a.effect.getComputedTiming().iterations === Infinity)),
    null,
    { timeout: WAIT_MS },
  )
}

// Saves docs/screenshots/<file> when FAZHI_SCREENSHOTS=1 and every check so
// far passed (a plain `make test` leaves the committed pictures alone);
// prepare runs first (e.g. to drop toasts or resize the page).
export async function screenshot(page, file, prepare = null) {
  if (process.env.FAZHI_SCREENSHOTS !== '1') return
  if (counts.failed > 0) {
    console.log(`skip - 截图 ${file} 未保存（前面的检查失败）`)
    return
  }
  await step(`保存截图 docs/screenshots/${file}`, async () => {
    const dir = path.join(repoRoot, 'docs', 'screenshots')
    mkdirSync(dir, { recursive: true })
    if (prepare) await prepare()
    await page.screenshot({ path: path.join(dir, file), fullPage: true, timeout: WAIT_MS })
  })
}

export function caught(e) {
  if (e instanceof Abort) check('其余检查', false, e.message)
  else check('浏览器运行', false, (e && e.message ? e.message : String(e)).split('\n')[0])
}

// Closes the browser, prints the summary and exits (0 when nothing failed).
export async function finish() {
  if (browser) await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 10000))])
  clearTimeout(watchdog)
  console.log(`${counts.passed} passed, ${counts.failed} failed`)
  process.exit(counts.failed === 0 ? 0 : 1)
}
