#!/usr/bin/env node
// Browser test of sign-in, forced password change, menus by permission (三权分立)
// and user administration in the fazhi web UI.
//
//   FAZHI_URL=http://127.0.0.1:8080 FAZHI_ADMIN_USER=admin \
//   FAZHI_ADMIN_PASSWORD=初始密码 FAZHI_ADMIN_NEW_PASSWORD=新密码 \
//   node tests/browser/identity.mjs
//
// The admin account must hold the built-in role sys_admin and still carry its
// initial password (first sign-in forces a change to FAZHI_ADMIN_NEW_PASSWORD).
// Drives Debian's headless Chromium (/usr/bin/chromium, override with
// FAZHI_CHROMIUM) through playwright-core installed in ui/node_modules.
// Prints one line per check and ends with "N passed, M failed"; exits non-zero
// when any check fails. Saves docs/screenshots/login.png and users.png.

import { createRequire } from 'node:module'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const WAIT_MS = 15000
const WATCHDOG_MS = 180000

const baseUrl = (process.env.FAZHI_URL || '').replace(/\/+$/, '')
const adminUser = process.env.FAZHI_ADMIN_USER || 'admin'
const adminPassword = process.env.FAZHI_ADMIN_PASSWORD || ''
const adminNewPassword = process.env.FAZHI_ADMIN_NEW_PASSWORD || 'Fz#Gov-2026-Xq9'
const officerNewPassword = process.env.FAZHI_OFFICER_PASSWORD || 'Fz#Case-2026-Zp7'
if (!baseUrl || !adminPassword) {
  console.error('FAZHI_URL and FAZHI_ADMIN_PASSWORD must be set (see the header of this file)')
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
// Returns whether the check passed.
async function step(name, fn) {
  const before = failed
  try {
    const r = await fn()
    if (r === true || r === undefined) check(name, true)
    else if (r && typeof r === 'object') check(name, !!r.ok, r.detail || '')
    else check(name, false, String(r))
  } catch (e) {
    check(name, false, (e && e.message ? e.message : String(e)).split('\n')[0])
  }
  return failed === before
}

class Abort extends Error {}
async function must(name, fn) {
  if (!(await step(name, fn))) throw new Abort(`“${name}”失败，其余检查未执行`)
}

// 401 is the expected answer of GET /api/auth/me before sign-in and of a
// failed POST /api/auth/login. Steps that provoke an error on purpose (a weak
// password) declare it with expectError(); every other 4xx/5xx is an error.
const alwaysExpected = [{ status: 401, path: /^\/api\/auth\/(me|login)$/ }]
let expectedNow = []
function expectError(status, pathRe) {
  expectedNow.push({ status, path: pathRe })
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

async function watch(page) {
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
    const s = res.status()
    if (s < 400 || !res.url().startsWith(baseUrl)) return
    if (isExpected(s, res.url())) return
    httpErrors.push(`${s} ${res.request().method()} ${res.url()}`)
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

const T = (id) => `[data-test="${id}"]`
const pathIs = (p) => (u) => u.pathname === p

async function screenshot(page, file) {
  if (failed > 0) {
    console.log(`skip - 截图 ${file} 未保存（前面的检查失败）`)
    return
  }
  await step(`保存截图 docs/screenshots/${file}`, async () => {
    const dir = path.join(repoRoot, 'docs', 'screenshots')
    mkdirSync(dir, { recursive: true })
    await page.screenshot({ path: path.join(dir, file), fullPage: true, timeout: WAIT_MS })
  })
}

async function login(page, username, password) {
  await page.locator(T('login-username')).fill(username)
  await page.locator(T('login-password')).fill(password)
  await page.locator(T('login-submit')).click()
}

async function changePassword(page, oldPw, newPw) {
  await page.locator(T('password-old')).fill(oldPw)
  await page.locator(T('password-new')).fill(newPw)
  await page.locator(T('password-confirm')).fill(newPw)
  await page.locator(T('password-submit')).click()
}

async function logout(page) {
  await page.locator(T('user-menu')).click()
  await page.locator(T('logout')).click()
  await page.waitForURL(pathIs('/login'))
  await page.locator(T('login-username')).waitFor({ state: 'visible' })
}

// Picks an option in the open Element Plus popper (select / tree-select).
async function pickOption(page, text) {
  const popper = page.locator('.el-popper:visible')
  await popper.getByText(text, { exact: true }).first().click()
}

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

const stamp = Date.now().toString(36).slice(-6)
const unitName = `浏览器测试单位${stamp}`
const officerUser = `officer_${stamp}`
const officerName = `测试执法员${stamp}`
let initialPassword = ''

try {
  browser = await chromium.launch({
    executablePath: process.env.FAZHI_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 30000,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu', '--no-first-run', '--disable-sync'],
  })
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  const page = await context.newPage()
  await watch(page)

  // 1. Not signed in: any page leads to the login page.
  await must('未登录访问 /system/users 跳转到登录页（带 redirect）', async () => {
    const res = await page.goto(`${baseUrl}/system/users`, { waitUntil: 'load' })
    if (!res || !res.ok()) return { ok: false, detail: res ? `HTTP ${res.status()}` : 'no response' }
    await page.waitForURL(pathIs('/login'))
    await page.locator(T('login-username')).waitFor({ state: 'visible' })
    const u = new URL(page.url())
    return { ok: u.searchParams.get('redirect') === '/system/users', detail: u.search }
  })
  await step('登录页不显示动态口令输入框（服务器未要求时）', async () => {
    return { ok: (await page.locator(T('login-totp')).count()) === 0 }
  })
  await screenshot(page, 'login.png')

  // 2. Admin: first sign-in forces the password change.
  await must('管理员首次登录被要求修改密码', async () => {
    await login(page, adminUser, adminPassword)
    await page.waitForURL(pathIs('/password'))
    await page.locator(T('password-old')).waitFor({ state: 'visible' })
  })
  await step('弱密码被服务器拒绝并在新密码下显示原因', async () => {
    expectError(400, /^\/api\/auth\/password$/)
    await changePassword(page, adminPassword, 'abcdefgh')
    const err = page.locator('.el-form-item.is-error .el-form-item__error').first()
    await err.waitFor({ state: 'visible' })
    const text = (await err.textContent()).trim()
    return { ok: text.length > 0 && new URL(page.url()).pathname === '/password', detail: text }
  })
  await must('管理员修改密码后进入系统', async () => {
    expectedNow = []
    await changePassword(page, adminPassword, adminNewPassword)
    await page.waitForURL((u) => u.pathname !== '/password' && u.pathname !== '/login')
    await page.locator(T('side-menu')).waitFor({ state: 'visible' })
  })
  await step('页头显示当前用户', async () => {
    const t = (await page.locator(T('user-menu')).textContent()).trim()
    return { ok: t.length > 0 && !t.includes('未登录'), detail: t }
  })

  // 3. Menu of sys_admin: user management yes, security policy / audit no.
  await step('系统管理员菜单含“用户管理”', async () => {
    await page.locator(T('menu-system-users')).waitFor({ state: 'visible' })
    const t = await page.locator(T('menu-system-users')).textContent()
    return { ok: t.includes('用户管理'), detail: t.trim() }
  })
  await step('系统管理员菜单不含“安全策略”与“审计日志”（三权分立）', async () => {
    const side = page.locator(T('side-menu'))
    const n = (await page.locator(T('menu-security-policy')).count()) + (await page.locator(T('menu-audit-events')).count())
    const text = await side.textContent()
    return { ok: n === 0 && !text.includes('安全策略') && !text.includes('审计日志'), detail: n ? `${n} 个菜单项` : '' }
  })
  await step('直接打开 /audit/events 显示 403 页面', async () => {
    await page.goto(`${baseUrl}/audit/events`, { waitUntil: 'load' })
    await page.locator(T('forbidden')).waitFor({ state: 'visible' })
  })

  // 4. Create a unit.
  await must('新增单位', async () => {
    await page.locator(T('menu-system-units')).click()
    await page.waitForURL(pathIs('/system/units'))
    await page.locator(T('units-create')).click()
    await page.locator(T('unit-form-name')).fill(unitName)
    await page.locator(T('unit-form-type')).click()
    await pickOption(page, '综合执法队')
    await page.locator(T('unit-form-legal')).click()
    await pickOption(page, '行政机关')
    await page.locator(T('unit-form-region')).click()
    const first = page.locator('.el-popper:visible .el-tree-node__content').first()
    await first.waitFor({ state: 'visible' })
    await first.click()
    await page.locator(T('unit-form-submit')).click()
    await page.locator(T('units-table')).getByText(unitName, { exact: true }).waitFor({ state: 'visible' })
  })

  // 5. Create a user with role officer and read the initial password.
  await must('新增用户（角色：执法人员）并显示初始密码', async () => {
    await page.locator(T('menu-system-users')).click()
    await page.waitForURL(pathIs('/system/users'))
    await page.locator(T('users-table')).waitFor({ state: 'visible' })
    await page.locator(T('users-create')).click()
    await page.locator(T('user-form-username')).fill(officerUser)
    await page.locator(T('user-form-name')).fill(officerName)
    await page.locator(T('user-form-unit')).click()
    await pickOption(page, unitName)
    await page.locator(T('user-form-roles')).click()
    await pickOption(page, '执法人员')
    await page.keyboard.press('Escape')
    await page.locator(T('user-form-submit')).click()
    const pw = page.locator(T('initial-password'))
    await pw.waitFor({ state: 'visible' })
    initialPassword = (await pw.textContent()).trim()
    return { ok: initialPassword.length >= 8, detail: `${initialPassword.length} 个字符` }
  })
  await step('用户列表显示新用户及其角色与单位', async () => {
    await page.locator(T('initial-password-close')).click()
    await page.locator(T('initial-password')).waitFor({ state: 'hidden' })
    const row = page.locator(`${T('users-table')} .el-table__row`, { hasText: officerUser })
    await row.first().waitFor({ state: 'visible' })
    const t = await row.first().textContent()
    return { ok: t.includes('执法人员') && t.includes(unitName) && t.includes('正常'), detail: t.replace(/\s+/g, ' ').slice(0, 120) }
  })
  // Let the “用户已创建” toast fade before the picture.
  await page.locator('.el-message').first().waitFor({ state: 'detached', timeout: WAIT_MS }).catch(() => {})
  await screenshot(page, 'users.png')

  await must('退出登录', () => logout(page))

  // 6. The new user: forced change, then a menu without user management.
  await must('新用户用初始密码登录后被要求修改密码', async () => {
    await login(page, officerUser, initialPassword)
    await page.waitForURL(pathIs('/password'))
    await page.locator(T('password-new')).waitFor({ state: 'visible' })
  })
  await must('新用户修改密码后进入系统', async () => {
    await changePassword(page, initialPassword, officerNewPassword)
    await page.waitForURL((u) => u.pathname !== '/password' && u.pathname !== '/login')
    await page.locator(T('side-menu')).waitFor({ state: 'visible' })
  })
  await step('执法人员菜单不含“用户管理”', async () => {
    await page.locator(T('menu-index')).waitFor({ state: 'visible' })
    const n = await page.locator(T('menu-system-users')).count()
    const text = await page.locator(T('side-menu')).textContent()
    return { ok: n === 0 && !text.includes('用户管理'), detail: text.replace(/\s+/g, ' ').trim().slice(0, 80) }
  })
  await must('执法人员退出登录', () => logout(page))

  // 7. Wrong password.
  await step('错误密码显示“用户名或密码错误”', async () => {
    await login(page, officerUser, `${officerNewPassword}-wrong`)
    const err = page.locator(T('login-error'))
    await err.waitFor({ state: 'visible' })
    const t = (await err.textContent()).trim()
    return { ok: t.includes('用户名或密码错误') && new URL(page.url()).pathname === '/login', detail: t }
  })
  await step('未知用户与错误密码提示相同', async () => {
    await login(page, `nobody_${stamp}`, 'Whatever#2026')
    await page.waitForFunction(
      (sel) => {
        const el = document.querySelector(sel)
        return el && el.textContent.includes('用户名或密码错误')
      },
      T('login-error'),
      { timeout: WAIT_MS },
    )
  })

  // Give late errors (pending fetches) a moment to surface.
  await page.waitForTimeout(500)
  check(
    '无控制台错误、页面异常或意外的失败请求',
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
