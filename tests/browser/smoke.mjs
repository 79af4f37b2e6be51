#!/usr/bin/env node
// Browser smoke test of the fazhi web UI.
//
//   FAZHI_URL=http://127.0.0.1:8080 node tests/browser/smoke.mjs
//
// Drives Debian's headless Chromium (/usr/bin/chromium, override with
// FAZHI_CHROMIUM) through playwright-core installed in ui/node_modules
// (`cd ui && npm ci`). Prints one line per check and ends with
// "N passed, M failed"; exits non-zero when any check fails.
// Saves a screenshot to docs/screenshots/system-status.png.

import { createRequire } from 'node:module'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const WAIT_MS = 15000
const WATCHDOG_MS = 100000

const baseUrl = (process.env.FAZHI_URL || '').replace(/\/+$/, '')
if (!baseUrl) {
  console.error('FAZHI_URL is not set (e.g. FAZHI_URL=http://127.0.0.1:8080)')
  console.log('0 passed, 1 failed')
  process.exit(2)
}

let chromium
try {
  const require = createRequire(path.join(repoRoot, 'ui', 'package.json'))
  ;({ chromium } = require('playwright-core'))
} catch (e) {
  console.error(`cannot load playwright-core from ui/node_modules (run: cd ui && npm ci): ${e.message}`)
  console.log('0 passed, 1 failed')
  process.exit(2)
}

let passed = 0
let failed = 0
function check(name, ok, detail = '') {
  if (ok) {
    passed++
    console.log(`ok   - ${name}${detail ? ` (${detail})` : ''}`)
  } else {
    failed++
    console.log(`FAIL - ${name}${detail ? `: ${detail}` : ''}`)
  }
}
// Runs an async check; an exception (e.g. a timeout) counts as a failure.
async function step(name, fn) {
  try {
    const r = await fn()
    if (r === true || r === undefined) check(name, true)
    else if (r && typeof r === 'object') check(name, !!r.ok, r.detail || '')
    else check(name, false, String(r))
  } catch (e) {
    check(name, false, (e && e.message ? e.message : String(e)).split('\n')[0])
  }
}

const consoleErrors = []
const cspViolations = []
const httpErrors = []

async function watch(page) {
  page.setDefaultTimeout(WAIT_MS)
  page.setDefaultNavigationTimeout(WAIT_MS)
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return
    const text = msg.text()
    if (/Content Security Policy/i.test(text)) cspViolations.push(text)
    else consoleErrors.push(text)
  })
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`))
  page.on('response', (res) => {
    if (res.status() >= 400 && res.url().startsWith(baseUrl)) httpErrors.push(`${res.status()} ${res.url()}`)
  })
  page.on('requestfailed', (req) => {
    const f = req.failure()
    consoleErrors.push(`request failed: ${req.url()} ${f ? f.errorText : ''}`)
  })
  // Reported through a CDP binding, which the page's CSP does not block.
  await page.exposeFunction('__fazhiCspViolation', (v) => cspViolations.push(v))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__fazhiCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || ''}:${e.lineNumber || ''}`)
    })
  })
}

class Abort extends Error {}

let browser
const watchdog = setTimeout(async () => {
  console.log(`FAIL - whole run exceeded ${WATCHDOG_MS / 1000} s`)
  console.log(`${passed} passed, ${failed + 1} failed`)
  try {
    if (browser) await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 5000))])
  } finally {
    process.exit(1)
  }
}, WATCHDOG_MS)

try {
  browser = await chromium.launch({
    executablePath: process.env.FAZHI_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 30000,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu', '--no-first-run', '--disable-sync'],
  })
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  // Sign in through the API (the login page has its own suite, identity.mjs)
  // and hand the session cookie to the browser.
  await step('以系统管理员身份登录（API）', async () => {
    const res = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: process.env.FAZHI_ADMIN_USER || 'admin', password: process.env.FAZHI_ADMIN_PASSWORD || '' }),
    })
    const m = /fz_session=([0-9a-f]+)/.exec(res.headers.get('set-cookie') || '')
    if (!m) return { ok: false, detail: `HTTP ${res.status}` }
    await context.addCookies([{ name: 'fz_session', value: m[1], url: baseUrl, httpOnly: true, sameSite: 'Strict' }])
    return true
  })
  const page = await context.newPage()
  await watch(page)

  // 1. The root URL loads the app, which redirects to the status page.
  let rootResponse = null
  await step('根路径 / 可以打开', async () => {
    rootResponse = await page.goto(`${baseUrl}/`, { waitUntil: 'load' })
    return { ok: rootResponse && rootResponse.ok(), detail: rootResponse ? `HTTP ${rootResponse.status()}` : 'no response' }
  })
  if (!rootResponse || !rootResponse.ok()) throw new Abort('首页无法打开，其余检查未执行')
  await step('响应带有内容安全策略 (CSP) 头', async () => {
    const csp = rootResponse ? (await rootResponse.allHeaders())['content-security-policy'] || '' : ''
    return { ok: /script-src 'self'/.test(csp) && !/unsafe-eval/.test(csp), detail: csp ? '' : 'missing header' }
  })
  await step('页头渲染', async () => {
    await page.locator('[data-test=app-header]').waitFor({ state: 'visible' })
  })
  await step('侧边菜单渲染（含“系统状态”）', async () => {
    const menu = page.locator('[data-test=side-menu]')
    await menu.waitFor({ state: 'visible' })
    await menu.getByText('系统状态').first().waitFor({ state: 'visible' })
  })
  await step('根路径跳转到 /system/status', async () => {
    await page.waitForURL((u) => u.pathname === '/system/status', { timeout: WAIT_MS })
  })
  await step('版本号显示为 x.y.z', async () => {
    const el = page.locator('[data-test=status-version]')
    await el.waitFor({ state: 'visible' })
    const text = (await el.textContent()).trim()
    return { ok: /^\d+\.\d+\.\d+/.test(text), detail: text }
  })
  await step('事件总数 ≥ 1', async () => {
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-test=status-events]')
      return el && /^\d+$/.test(el.textContent.trim())
    }, null, { timeout: WAIT_MS })
    const text = (await page.locator('[data-test=status-events]').textContent()).trim()
    return { ok: Number(text) >= 1, detail: text }
  })
  await step('事件类型分布图表已绘制 (canvas)', async () => {
    await page.locator('[data-test=status-chart] canvas').first().waitFor({ state: 'attached' })
  })

  // Let the pie animation finish, then keep a picture for the docs; a broken
  // page does not overwrite the committed screenshot.
  await page.waitForTimeout(1200)
  if (failed > 0) console.log('skip - 截图未保存（前面的检查失败）')
  else await step('保存截图 docs/screenshots/system-status.png', async () => {
    const dir = path.join(repoRoot, 'docs', 'screenshots')
    mkdirSync(dir, { recursive: true })
    await page.screenshot({ path: path.join(dir, 'system-status.png'), fullPage: true, timeout: WAIT_MS })
  })

  // 2. A deep link loaded directly (server-side SPA fallback).
  const deep = await context.newPage()
  await watch(deep)
  await step('深链接 /system/status 直接打开', async () => {
    const res = await deep.goto(`${baseUrl}/system/status`, { waitUntil: 'load' })
    if (!res || !res.ok()) return { ok: false, detail: res ? `HTTP ${res.status()}` : 'no response' }
    await deep.locator('[data-test=app-header]').waitFor({ state: 'visible' })
    const el = deep.locator('[data-test=status-version]')
    await el.waitFor({ state: 'visible' })
    const text = (await el.textContent()).trim()
    return { ok: /^\d+\.\d+\.\d+/.test(text) && new URL(deep.url()).pathname === '/system/status', detail: text }
  })
  // Give late errors (e.g. chart resize, pending fetches) a moment to surface.
  await deep.waitForTimeout(500)

  check(
    '无控制台错误、页面异常或失败的请求',
    consoleErrors.length === 0 && httpErrors.length === 0,
    [...consoleErrors, ...httpErrors].slice(0, 5).join(' | '),
  )
  check('无 CSP 违规', cspViolations.length === 0, cspViolations.slice(0, 5).join(' | '))
} catch (e) {
  if (e instanceof Abort) check('其余检查', false, e.message)
  else check('浏览器运行', false, (e && e.message ? e.message : String(e)).split('\n')[0])
} finally {
  if (browser) {
    await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 10000))])
  }
  clearTimeout(watchdog)
}

console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
