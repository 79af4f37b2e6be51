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

import {
  Abort, WAIT_MS, baseUrl, caught, checkClean, finish, launch, requireEnv, screenshot, signedInContext,
  startWatchdog, step, watch,
} from './lib.mjs'

requireEnv(baseUrl, 'FAZHI_URL is not set (e.g. FAZHI_URL=http://127.0.0.1:8080)')
startWatchdog(100000)

try {
  await launch()
  // Signs in through the API (the login page has its own suite, identity.mjs).
  let context
  await step('以系统管理员身份登录（API）', async () => {
    const who = { user: process.env.FAZHI_ADMIN_USER || 'admin', password: process.env.FAZHI_ADMIN_PASSWORD || '' }
    context = await signedInContext(who, { width: 1440, height: 900 })
  })
  if (!context) throw new Abort('无法登录')
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
  await screenshot(page, 'system-status.png')

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

  checkClean()
} catch (e) {
  caught(e)
} finally {
  await finish()
}
