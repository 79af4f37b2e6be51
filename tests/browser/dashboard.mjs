#!/usr/bin/env node
// Browser test of the 法治指标 pages (docs/indicators.md §3) on the
// demonstration county (`fazhi demo`, docs/demo.md; run.mjs generates it in a
// temp dir and starts the server):
//
//   FAZHI_URL=http://127.0.0.1:8080 FAZHI_DEMO_PASSWORD=Demo-Fazhi-2023 node tests/browser/dashboard.mjs
//
// As the county 领导 (xzf_ld): the menu entry, the 指标看板 for 2023 picked in
// the year picker — the numbers against the API's, an unmet indicator shown as
// 未达标 (red) — then a click on its value opens the cases behind it, at least
// one linking to its case detail page, which opens. Then 单位排名 for that
// indicator (sorted by rank, one row per ranked unit), a unit's own page with
// its rank, the unit-filtered drill-down, and the 预警分布 page.
//
// One line per check, then "N passed, M failed". With FAZHI_SCREENSHOTS=1 it
// saves docs/screenshots/dashboard.png.

import {
  T, WAIT_MS, baseUrl, caught, checkClean, finish, launch, must, requireEnv, screenshot, signedInContext,
  startWatchdog, step, watch,
} from './lib.mjs'
import { login } from '../api/lib.mjs'

const password = process.env.FAZHI_DEMO_PASSWORD || ''
requireEnv(baseUrl && password, 'FAZHI_URL and FAZHI_DEMO_PASSWORD must be set (run.mjs sets them)')
const leader = { user: 'xzf_ld', password }
const YEAR = '2023'

const pctText = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(2).replace(/\.?0+$/, '')}%`)

async function settled(page) {
  await page.waitForFunction(
    () => document.getAnimations().every((a) => a.playState !== 'running' || (a.effect && a.effect.getComputedTiming().iterations === Infinity)),
    null,
    { timeout: WAIT_MS },
  )
}

startWatchdog(130000)
try {
  // The numbers the pages must show, from the API as the same user.
  const api = await login(baseUrl, leader.user, leader.password)
  const r = await api.req('GET', `/api/indicators?year=${YEAR}`)
  if (r.status !== 200) throw new Error(`GET /api/indicators: HTTP ${r.status}`)
  const inds = r.json.indicators
  // The unmet indicator ranked over the most units (the ranking has rows to compare).
  const unmet = inds.filter((i) => i.county.met === false && i.county.den > 0).sort((a, b) => b.ranked_units - a.ranked_units)[0]
  if (!unmet) throw new Error('演示数据中没有未达标的指标')
  const empty = inds.find((i) => i.county.den === 0)

  const browser = await launch()
  const ctx = await signedInContext(leader)
  const page = await ctx.newPage()
  await watch(page)

  await must('领导看到“法治指标”菜单并打开指标看板', async () => {
    await page.goto(`${baseUrl}/index`, { waitUntil: 'load' })
    await page.locator(T('menu-indicators')).click()
    await page.locator(T('menu-indicators-dashboard')).click()
    await page.waitForURL((u) => u.pathname === '/indicators/dashboard', { timeout: WAIT_MS })
    await page.locator(T('ind-table')).waitFor()
  })

  await must(`选择年度 ${YEAR}，看板显示各项指标`, async () => {
    const input = page.locator(`${T('ind-year')} input`)
    await input.click()
    await input.fill(YEAR)
    await input.press('Enter')
    await page.waitForURL((u) => u.searchParams.get('year') === YEAR, { timeout: WAIT_MS })
    await page.waitForFunction(
      ([sel, want]) => (document.querySelector(sel) || {}).textContent?.trim() === want,
      [T(`ind-value-${unmet.name}`), pctText(unmet.county.value)],
      { timeout: WAIT_MS },
    )
    const rows = await page.locator(`${T('ind-table')} .el-table__body tr`).count()
    return rows === inds.length || `${rows} 行，应为 ${inds.length}`
  })

  await step('分子、分母、综合得分与接口一致', async () => {
    const num = (await page.locator(T(`ind-num-${unmet.name}`)).textContent()).trim()
    const den = (await page.locator(T(`ind-den-${unmet.name}`)).textContent()).trim()
    const comp = (await page.locator(`${T('ind-composite')} .stat-value`).textContent()).trim()
    const ok = num === String(unmet.county.num) && den === String(unmet.county.den) && comp === String(r.json.composite.county)
    return ok || `${num}/${den} 综合 ${comp}；接口 ${unmet.county.num}/${unmet.county.den} 综合 ${r.json.composite.county}`
  })

  await step(`未达标指标（${unmet.title}）显示为未达标（红色）`, async () => {
    const tag = page.locator(T(`ind-met-${unmet.name}`))
    const text = (await tag.textContent()).trim()
    const cls = (await tag.getAttribute('class')) || ''
    const vcls = (await page.locator(T(`ind-value-${unmet.name}`)).getAttribute('class')) || ''
    return (text === '未达标' && /el-tag--danger/.test(cls) && /\bbad\b/.test(vcls)) || `${text} | ${cls} | ${vcls}`
  })

  if (empty) {
    await step(`分母为 0 的指标（${empty.title}）显示“—”与“无数据”，不是 100%`, async () => {
      const v = (await page.locator(T(`ind-value-${empty.name}`)).textContent()).trim()
      const m = (await page.locator(T(`ind-met-${empty.name}`)).textContent()).trim()
      return (v === '—' && m === '无数据') || `${v} ${m}`
    })
  }

  await step('指标与目标的柱状图已绘制', async () => {
    await page.locator(`${T('ind-chart')}[data-ready="1"] canvas`).first().waitFor()
    return true
  })
  await screenshot(page, 'dashboard.png', async () => settled(page))

  let caseHref = ''
  await must('点击未达标指标的值，打开其背后的案件列表', async () => {
    await page.locator(T(`ind-value-${unmet.name}`)).click()
    await page.waitForURL((u) => u.pathname === `/indicators/cases/${unmet.name}` && u.searchParams.get('year') === YEAR, { timeout: WAIT_MS })
    const link = page.locator(`${T('ind-cases-table')} a[data-test^="ind-case-"]`).first()
    await link.waitFor()
    const n = await page.locator(`${T('ind-cases-table')} a[data-test^="ind-case-"]`).count()
    caseHref = (await link.getAttribute('href')) || ''
    return (n >= 1 && /^\/cases\/[a-z_]+\/\d+$/.test(caseHref)) || `${n} 条，链接 ${caseHref}`
  })

  await step('下钻列表的总数等于分母，且有未计入分子的案件', async () => {
    await page.waitForFunction(
      ([sel, want]) => (document.querySelector(sel) || {}).textContent?.includes(want),
      [`${T('ind-cases')} .el-pagination__total`, String(unmet.county.den)],
      { timeout: WAIT_MS },
    )
    const d = await api.req('GET', `/api/indicators/${unmet.name}/cases?year=${YEAR}&part=denominator&size=500`)
    return d.json.rows.some((x) => !x.in_numerator) || '没有未计入分子的案件'
  })

  await step('点击案件编号打开案件详情', async () => {
    await page.locator(`${T('ind-cases-table')} a[href="${caseHref}"]`).first().click()
    await page.waitForURL((u) => u.pathname === caseHref, { timeout: WAIT_MS })
    await page.locator(T('case-no')).filter({ hasText: /\S/ }).waitFor()
    return true
  })

  const ranked = unmet.units.filter((u) => u.rank !== null).sort((a, b) => a.rank - b.rank)
  await step(`单位排名：${unmet.title} 按名次列出 ${ranked.length} 个单位`, async () => {
    await page.goto(`${baseUrl}/indicators/ranking?year=${YEAR}&indicator=${unmet.name}`, { waitUntil: 'load' })
    const sel = `${T('ind-ranking-table')} .el-table__body tr`
    await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length === n, [sel, ranked.length], { timeout: WAIT_MS })
    const first = (await page.locator(`${sel} td`).nth(1).textContent()).trim()
    await page.locator(`${T('ind-ranking-chart')}[data-ready="1"] canvas`).first().waitFor()
    return first === ranked[0].unit_name || `第一名 ${first}，应为 ${ranked[0].unit_name}`
  })

  const worst = ranked[ranked.length - 1]
  await step(`单位页：${worst.unit_name} 的名次与按单位下钻`, async () => {
    await page.locator(`${T('ind-ranking-table')} ${T(`ind-unit-${worst.unit_id}`)}`).click()
    await page.waitForURL((u) => u.pathname === `/indicators/units/${worst.unit_id}`, { timeout: WAIT_MS })
    const rank = page.locator(T(`ind-unit-rank-${unmet.name}`))
    await rank.waitFor()
    const text = (await rank.textContent()).trim()
    if (text !== `${worst.rank} / ${unmet.ranked_units}`) return `名次 ${text}`
    await page.locator(T(`ind-unit-value-${unmet.name}`)).click()
    await page.waitForURL((u) => u.pathname === `/indicators/cases/${unmet.name}` && u.searchParams.get('unit') === String(worst.unit_id), { timeout: WAIT_MS })
    await page.waitForFunction(
      ([s, want]) => (document.querySelector(s) || {}).textContent?.includes(want),
      [`${T('ind-cases')} .el-pagination__total`, String(worst.den)],
      { timeout: WAIT_MS },
    )
    return true
  })

  await step('预警分布页按单位汇总期限（与接口的预警、超期数一致）', async () => {
    const w = await api.req('GET', '/api/clocks?state=warned&size=1')
    const o = await api.req('GET', '/api/clocks?overdue=1&size=1')
    await page.goto(`${baseUrl}/indicators/warnings`, { waitUntil: 'load' })
    await page.locator(T('ind-warnings-table')).waitFor()
    await page.waitForFunction(
      ([s, n]) => (document.querySelector(s) || {}).textContent?.trim() === n,
      [T('ind-warnings-overdue'), String(o.json.total)],
      { timeout: WAIT_MS },
    )
    const warned = Number((await page.locator(T('ind-warnings-warned')).textContent()).trim())
    return warned <= w.json.total || `已预警 ${warned} > ${w.json.total}`
  })

  checkClean()
} catch (e) {
  caught(e)
} finally {
  await finish()
}
