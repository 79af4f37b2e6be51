#!/usr/bin/env node
// The README's ten-minute tour (十分钟导览) on the demonstration county
// (`fazhi demo`, docs/demo.md; run.mjs generates it in a temp dir, as for
// dashboard.mjs, and starts the server):
//
//   FAZHI_URL=http://127.0.0.1:8080 FAZHI_DEMO_PASSWORD=Demo-Fazhi-2023 node tests/browser/tour.mjs
//
// 1. 执法人员办案 (scdd_zf1): every demo case is closed, so the officer
//    registers one (登记) in 案件办理 → 行政处罚, opens it, moves it one step
//    (立案), and its 办案期限 shows on the case page, running.
// 3. 领导看指标 (xzf_ld): 法治指标 → 指标看板 for 2023, an UNMET indicator's
//    value opens the cases behind it, one case opens with its timeline.
// 6. 年度报告 (xzf_ld): 法治指标 → 年度报告 for 2023: the title, the figures
//    against GET /api/reports/annual, the 数据未接入 marks, the indicators
//    table, 六 and the separate 外部评价; the three download links answer 200
//    with their content types.
//
// One line per check, then "N passed, M failed". With FAZHI_SCREENSHOTS=1 it
// saves docs/screenshots/report.png.

import {
  T, WAIT_MS, baseUrl, caught, checkClean, finish, launch, must, requireEnv, screenshot, settled, signedInContext,
  startWatchdog, step, watch,
} from './lib.mjs'
import { login } from '../api/lib.mjs'

const password = process.env.FAZHI_DEMO_PASSWORD || ''
requireEnv(baseUrl && password, 'FAZHI_URL and FAZHI_DEMO_PASSWORD must be set (run.mjs sets them)')
const officer = { user: 'scdd_zf1', password }
const leader = { user: 'xzf_ld', password }
const YEAR = '2023'
const PARTY = 'X县导览餐饮店'
const ymd = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
const now = new Date()
const violationOn = ymd(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 10))

const DLG = T('case-action-dialog')
const fld = (name) => `${DLG} ${T(`case-field-${name}`)}`

async function waitText(page, sel, re) {
  await page.waitForFunction(([s, src]) => new RegExp(src).test((document.querySelector(s) || {}).textContent || ''), [sel, re.source], {
    timeout: WAIT_MS,
  })
  return (await page.locator(sel).first().textContent()).replace(/\s+/g, ' ').trim()
}

// Picks an Element Plus select's option by its text; waits for the dropdown to close.
async function pickOption(page, selectSel, text) {
  await page.locator(selectSel).click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) }).first().click()
  await page.waitForFunction(() => ![...document.querySelectorAll('.el-select-dropdown')].some((d) => d.offsetParent !== null), null, {
    timeout: WAIT_MS,
  })
}

// Opens a directory of the side menu (when closed) and clicks its entry.
async function menu(page, dir, entry) {
  const item = page.locator(T(entry))
  await page.locator(T(dir)).waitFor({ state: 'visible' })
  await item.waitFor({ state: 'attached' })
  if (!(await item.isVisible())) await page.locator(`${T(dir)} > .el-sub-menu__title`).click()
  await item.click()
}

startWatchdog(130000)
try {
  // ---- fixtures through the API ----
  const ldApi = await login(baseUrl, leader.user, leader.password)
  const ind = await ldApi.get(`/api/indicators?year=${YEAR}`)
  if (ind.status !== 200) throw new Error(`GET /api/indicators: HTTP ${ind.status}`)
  const unmet = ind.json.indicators.find((i) => i.county.met === false && i.county.den > 0)
  if (!unmet) throw new Error('演示数据中没有未达标的指标')
  const rep = await ldApi.get(`/api/reports/annual?year=${YEAR}`)
  if (rep.status !== 200) throw new Error(`GET /api/reports/annual: HTTP ${rep.status}`)
  const model = rep.json
  const figures = model.sections.flatMap((s) => s.figures)

  const browser = await launch()

  // ---- 1. 执法人员办案 ----
  const octx = await signedInContext(officer)
  const opage = await octx.newPage()
  await watch(opage)
  let caseId = 0
  await must('执法人员：案件办理 → 行政处罚，登记一件新案件', async () => {
    await opage.goto(`${baseUrl}/index`, { waitUntil: 'load' })
    await menu(opage, 'menu-cases', 'menu-cases-penalty')
    await opage.waitForURL((u) => u.pathname === '/cases/penalty', { timeout: WAIT_MS })
    await opage.locator(T('case-create')).click()
    await opage.locator(T('case-create-form')).waitFor({ state: 'visible' })
    await opage.locator(T('case-field-party-name')).fill(PARTY)
    await pickOption(opage, T('case-field-party-kind'), '法人')
    await opage.locator(`${T('case-create-form')} ${T('case-field-facts')} textarea`).fill('经营场所未在显著位置公示食品经营许可证')
    const wait = opage.waitForResponse((r) => new URL(r.url()).pathname === '/api/cases/penalty' && r.request().method() === 'POST')
    await opage.locator(T('case-form-submit')).click()
    const r = await wait
    if (r.status() !== 201) return `HTTP ${r.status()}`
    caseId = (await r.json()).id
    await opage.locator(T('case-create-form')).waitFor({ state: 'hidden' })
    return true
  })
  await must('打开新登记的案件', async () => {
    await opage.locator(T(`case-open-${caseId}`)).click()
    await opage.waitForURL((u) => u.pathname === `/cases/penalty/${caseId}`, { timeout: WAIT_MS })
    return waitText(opage, T('case-state'), /案源登记/).then(() => true)
  })
  await must('执法人员办理一步：立案（案件来源、违法行为编码、发生日期）', async () => {
    await opage.locator(T('case-action-file')).click()
    await opage.locator(DLG).waitFor({ state: 'visible' })
    await pickOption(opage, `${fld('source')} .el-select`, '监督检查')
    await opage.locator(`${fld('violation_code')} input`).first().fill('SC-02')
    const d = opage.locator(`${fld('violation_on')} input`)
    await d.click()
    await d.fill(violationOn)
    await d.press('Enter')
    const wait = opage.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/actions/file') && r.request().method() === 'POST')
    await opage.locator(T('case-action-submit')).click()
    const st = (await wait).status()
    if (st !== 200) return `HTTP ${st}`
    await opage.locator(DLG).waitFor({ state: 'hidden' })
    return waitText(opage, T('case-state'), /调查取证/).then(() => true)
  })
  await step('案件页显示期限：办案期限计时中，剩余天数', async () => {
    const clock = opage.locator(`${T('case-clock')}[data-state=running]`, { hasText: '办案期限' })
    await clock.waitFor()
    const t = (await clock.textContent()).replace(/\s+/g, ' ').trim()
    return /剩余 \d+ 日/.test(t) || t
  })

  // ---- 3. 领导看指标 ----
  const lctx = await signedInContext(leader)
  const page = await lctx.newPage()
  await watch(page)
  await must(`领导：法治指标 → 指标看板（${YEAR} 年）`, async () => {
    await page.goto(`${baseUrl}/index`, { waitUntil: 'load' })
    await menu(page, 'menu-indicators', 'menu-indicators-dashboard')
    await page.waitForURL((u) => u.pathname === '/indicators/dashboard', { timeout: WAIT_MS })
    await page.goto(`${baseUrl}/indicators/dashboard?year=${YEAR}`, { waitUntil: 'load' })
    await page.locator(`${T(`ind-met-${unmet.name}`)}.el-tag--danger`).waitFor()
    return true
  })
  let caseHref = ''
  await must(`点击未达标指标（${unmet.title}）的值，列出其背后的案件`, async () => {
    await page.locator(T(`ind-value-${unmet.name}`)).click()
    await page.waitForURL((u) => u.pathname === `/indicators/cases/${unmet.name}`, { timeout: WAIT_MS })
    const link = page.locator(`${T('ind-cases-table')} a[data-test^="ind-case-"]`).first()
    await link.waitFor()
    caseHref = (await link.getAttribute('href')) || ''
    return /^\/cases\/[a-z_]+\/\d+$/.test(caseHref) || caseHref
  })
  await step('点击案号打开案件详情与时间轴', async () => {
    await page.locator(`${T('ind-cases-table')} a[href="${caseHref}"]`).first().click()
    await page.waitForURL((u) => u.pathname === caseHref, { timeout: WAIT_MS })
    await page.locator(`${T('case-timeline')} ${T('case-event')}`).first().waitFor()
    return true
  })

  // ---- 6. 年度报告 ----
  await must(`法治指标 → 年度报告（${YEAR} 年）`, async () => {
    await menu(page, 'menu-indicators', 'menu-indicators-report')
    await page.waitForURL((u) => u.pathname === '/indicators/report', { timeout: WAIT_MS })
    // The year picked on the dashboard is kept; pick it otherwise.
    const input = page.locator(`${T('report-year')} input`)
    if ((await input.inputValue()) !== YEAR) {
      await input.click()
      await input.fill(YEAR)
      await input.press('Enter')
      await page.waitForURL((u) => u.searchParams.get('year') === YEAR, { timeout: WAIT_MS })
    }
    const title = await waitText(page, T('report-title'), new RegExp(model.title))
    return title === `《${model.title}》` || title
  })
  await step('报告五个部分的数字与接口一致（如 221 件、87.13%）', async () => {
    const got = (await page.locator(T('report-figure')).allTextContents()).map((s) => s.replace(/\s+/g, ''))
    const want = figures.filter((f) => f.available)
    const bad = want.filter((f, i) => !(got[i] || '').startsWith(`${f.label}：${f.value}`.replace(/\s+/g, '')))
    const heads = (await page.locator(`${T('report-doc')} h2`).allTextContents()).map((s) => s.trim())
    return (got.length === want.length && bad.length === 0 && got.some((s) => s.includes('221件')) &&
      heads.slice(0, 5).join('|') === model.sections.map((s) => `${s.no}、${s.heading}`).join('|')) ||
      `${got.length}/${want.length} ${bad.map((f) => f.label).join('、')} ${heads.join('|')}`
  })
  await step('系统无模块的项目标为“数据未接入”（单独样式）', async () => {
    const n = await page.locator(`${T('report-missing-figure')} ${T('report-missing')}`).count()
    const want = figures.filter((f) => !f.available).length
    const colour = await page.locator(T('report-missing')).first().evaluate((e) => getComputedStyle(e).borderStyle)
    return (n === want && want > 0 && colour === 'dashed') || `${n} 处，应为 ${want}；${colour}`
  })
  await step('表 1 指标完成情况与“六、存在的不足”', async () => {
    const rows = await page.locator(`${T('report-indicators')} .el-table__body tr`).count()
    const unmetN = await page.locator(T('report-unmet')).count()
    const ext = await page.locator(T('report-external')).textContent()
    return (rows === model.indicators.length && unmetN === model.shortcomings.unmet.length && /非系统计算/.test(ext)) ||
      `${rows} 行、${unmetN} 项未达标`
  })
  // Tall enough for the whole report (the layout scrolls inside the page).
  await screenshot(page, 'report.png', async () => {
    await page.setViewportSize({ width: 1440, height: 2700 })
    await settled(page)
  })
  const types = {
    html: 'text/html; charset=utf-8',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  }
  for (const [f, ct] of Object.entries(types)) {
    await step(`下载 ${f}：200，${ct.split(';')[0]}`, async () => {
      const href = await page.locator(T(`report-download-${f}`)).getAttribute('href')
      if (href !== `/api/reports/annual?year=${YEAR}&format=${f}`) return `链接 ${href}`
      const res = await lctx.request.get(`${baseUrl}${href}`)
      const body = await res.body()
      const ok = res.status() === 200 && res.headers()['content-type'] === ct &&
        (f === 'html' ? body.toString('utf8').includes(model.title) : body.subarray(0, 2).toString() === 'PK')
      return ok || `HTTP ${res.status()} ${res.headers()['content-type']}`
    })
  }

  checkClean()
} catch (e) {
  caught(e)
} finally {
  await finish()
}
