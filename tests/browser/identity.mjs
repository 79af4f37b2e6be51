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

import {
  T, WAIT_MS, baseUrl, caught, checkClean, expectAlways, expectError, expectNone, finish, launch, must,
  requireEnv, screenshot, startWatchdog, step, watch,
} from './lib.mjs'

const adminUser = process.env.FAZHI_ADMIN_USER || 'admin'
const adminPassword = process.env.FAZHI_ADMIN_PASSWORD || ''
const adminNewPassword = process.env.FAZHI_ADMIN_NEW_PASSWORD || 'Fz#Gov-2026-Xq9'
const officerNewPassword = process.env.FAZHI_OFFICER_PASSWORD || 'Fz#Case-2026-Zp7'
requireEnv(baseUrl && adminPassword, 'FAZHI_URL and FAZHI_ADMIN_PASSWORD must be set (see the header of this file)')

// 401 is the expected answer of GET /api/auth/me before sign-in and of a
// failed POST /api/auth/login. Steps that provoke an error on purpose (a weak
// password) declare it with expectError(); every other 4xx/5xx is an error.
expectAlways(401, /^\/api\/auth\/(me|login)$/)

const pathIs = (p) => (u) => u.pathname === p

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

startWatchdog(180000)

const stamp = Date.now().toString(36).slice(-6)
const unitName = `浏览器测试单位${stamp}`
const officerUser = `officer_${stamp}`
const officerName = `测试执法员${stamp}`
let initialPassword = ''

try {
  const browser = await launch()
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
    expectNone()
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
  checkClean()
} catch (e) {
  caught(e)
} finally {
  await finish()
}
