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
// Periods and grouping: the 逐月走势 line chart (12 months, 当月 / 累计), a
// quarter picked in the period picker (the request, the label and the
// numbers follow), bad period values in the URL ignored, a custom range of
// months from the URL, the ranking by 乡镇 (a 县直部门 row) and by 单位类型,
// a drill-down from a group's number and one for a month of the trend.
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
  await step('逐月走势折线图已绘制（12 个月），可切换为累计并切回当月', async () => {
    const chart = `${T('ind-trend-chart')}[data-points="12"]`
    await page.locator(`${chart}[data-ready="1"] canvas`).first().waitFor()
    await page.locator(`${T('ind-trend-mode')} label`).filter({ hasText: '累计' }).click()
    await page.locator(`${T('ind-trend-mode')} .is-active`).filter({ hasText: '累计' }).waitFor()
    await page.locator(`${chart}[data-ready="1"] canvas`).first().waitFor()
    await page.locator(`${T('ind-trend-mode')} label`).filter({ hasText: '当月' }).click()
    await page.locator(`${T('ind-trend-mode')} .is-active`).filter({ hasText: '当月' }).waitFor()
    await page.locator(`${chart}[data-ready="1"] canvas`).first().waitFor()
    const title = (await page.locator(T('ind-trend-title')).textContent()).trim()
    return title.includes(`${YEAR}年`) || `标题 ${title}`
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

  // By rank, ties by unit id: the order the ranking page shows (indicators.js byKey).
  const ranked = unmet.units.filter((u) => u.rank !== null).sort((a, b) => a.rank - b.rank || a.unit_id - b.unit_id)
  await step(`单位排名：${unmet.title} 按名次列出 ${ranked.length} 个单位`, async () => {
    await page.goto(`${baseUrl}/indicators/ranking?year=${YEAR}&indicator=${unmet.name}`, { waitUntil: 'load' })
    const sel = `${T('ind-ranking-table')} .el-table__body tr`
    await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length === n, [sel, ranked.length], { timeout: WAIT_MS })
    const first = (await page.locator(`${sel} td`).nth(1).textContent()).trim()
    await page.locator(`${T('ind-ranking-chart')}[data-ready="1"] canvas`).first().waitFor()
    if (first !== ranked[0].unit_name) return `第一名 ${first}，应为 ${ranked[0].unit_name}`
    // The rows come a page at a time from the server; the pager counts all of them.
    const total = (await page.locator(T('ind-ranking-total')).textContent()).trim()
    return total === `共 ${unmet.total} 个单位有值` || `分页 ${total}，接口 ${unmet.total}`
  })

  const worst = ranked[ranked.length - 1]
  await step(`单位页：${worst.unit_name} 的名次与按单位下钻`, async () => {
    await page.locator(`${T('ind-ranking-table')} ${T(`ind-unit-${worst.unit_id}`)}`).click()
    await page.waitForURL((u) => u.pathname === `/indicators/units/${worst.unit_id}`, { timeout: WAIT_MS })
    const rank = page.locator(T(`ind-unit-rank-${unmet.name}`))
    await rank.waitFor()
    const text = (await rank.textContent()).trim()
    if (text !== `${worst.rank} / ${unmet.ranked_units}`) return `名次 ${text}`
    // The composite's rank among all units, as the server ranked them.
    const cw = r.json.composite.units.find((u) => u.unit_id === worst.unit_id)
    if (cw) {
      const want = `在 ${r.json.composite.ranked} 个单位中第 ${cw.rank} 名`
      await page.waitForFunction(([s, w]) => (document.querySelector(s) || {}).textContent?.includes(w), [T('ind-unit-composite'), want], { timeout: WAIT_MS })
    }
    await page.locator(T(`ind-unit-value-${unmet.name}`)).click()
    await page.waitForURL((u) => u.pathname === `/indicators/cases/${unmet.name}` && u.searchParams.get('unit') === String(worst.unit_id), { timeout: WAIT_MS })
    await page.waitForFunction(
      ([s, want]) => (document.querySelector(s) || {}).textContent?.includes(want),
      [`${T('ind-cases')} .el-pagination__total`, String(worst.den)],
      { timeout: WAIT_MS },
    )
    return true
  })

  // Periods and grouping (docs/indicators.md §3, §6).
  const q3 = (await api.req('GET', `/api/indicators?year=${YEAR}&quarter=3`)).json
  const q3unmet = q3.indicators.find((i) => i.name === unmet.name)
  await must('期间选“第三季度”：请求带 quarter=3，标题与数字随之改变', async () => {
    await page.goto(`${baseUrl}/indicators/dashboard?year=${YEAR}`, { waitUntil: 'load' })
    await page.locator(T('ind-table')).waitFor()
    const asked = page.waitForRequest((req) => {
      const u = new URL(req.url())
      return u.pathname === '/api/indicators' && u.searchParams.get('year') === YEAR && u.searchParams.get('quarter') === '3'
    })
    await page.locator(`${T('ind-period')} .el-select`).click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '第三季度' }).click()
    await asked
    await page.waitForURL((u) => u.searchParams.get('quarter') === '3' && u.searchParams.get('year') === YEAR, { timeout: WAIT_MS })
    await page.waitForFunction(
      ([sel, want]) => (document.querySelector(sel) || {}).textContent?.trim() === want,
      [T('ind-period-label'), q3.period.label],
      { timeout: WAIT_MS },
    )
    await page.waitForFunction(
      ([sel, want]) => (document.querySelector(sel) || {}).textContent?.trim() === want,
      [T(`ind-den-${unmet.name}`), String(q3unmet.county.den)],
      { timeout: WAIT_MS },
    )
    const v = (await page.locator(T(`ind-value-${unmet.name}`)).textContent()).trim()
    return (q3.period.label === `${YEAR}年第3季度` && v === pctText(q3unmet.county.value)) || `${q3.period.label} 值 ${v}`
  })

  await step('季度的值链接到该季度的案件', async () => {
    const href = (await page.locator(T(`ind-value-${unmet.name}`)).getAttribute('href')) || ''
    const u = new URL(href, baseUrl)
    return (u.searchParams.get('quarter') === '3' && u.searchParams.get('year') === YEAR) || href
  })

  await step('URL 中无效的期间参数被忽略（?quarter=9 按全年）', async () => {
    const asked = page.waitForRequest((req) => new URL(req.url()).pathname === '/api/indicators')
    await page.goto(`${baseUrl}/indicators/dashboard?year=${YEAR}&quarter=9&month=x`, { waitUntil: 'load' })
    const u = new URL((await asked).url())
    await page.waitForFunction(
      ([sel, want]) => (document.querySelector(sel) || {}).textContent?.trim() === want,
      [T('ind-period-label'), `${YEAR}年`],
      { timeout: WAIT_MS },
    )
    return (!u.searchParams.has('quarter') && !u.searchParams.has('month') && u.searchParams.get('year') === YEAR) || u.search
  })

  await step('期间选“自定义月份区间”：从所选年度的 1–12 月开始，URL 带 from、to', async () => {
    await page.locator(`${T('ind-period')} .el-select`).click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '自定义月份区间' }).click()
    await page.waitForURL((u) => u.searchParams.get('from') === `${YEAR}-01` && u.searchParams.get('to') === `${YEAR}-12` && !u.searchParams.has('year'), {
      timeout: WAIT_MS,
    })
    await page.waitForFunction(
      ([sel, want]) => (document.querySelector(sel) || {}).textContent?.trim() === want,
      [T('ind-period-label'), `${YEAR}年1月至${YEAR}年12月`],
      { timeout: WAIT_MS },
    )
    return true
  })

  await step('URL 中的自定义月份区间（from、to）显示为该区间', async () => {
    const asked = page.waitForRequest((req) => {
      const u = new URL(req.url())
      return u.pathname === '/api/indicators' && u.searchParams.get('from') === `${YEAR}-02` && u.searchParams.get('to') === `${YEAR}-05`
    })
    await page.goto(`${baseUrl}/indicators/dashboard?from=${YEAR}-02&to=${YEAR}-05`, { waitUntil: 'load' })
    await asked
    await page.locator(`${T('ind-range')} input`).first().waitFor()
    await page.waitForFunction(
      ([sel, want]) => (document.querySelector(sel) || {}).textContent?.trim() === want,
      [T('ind-period-label'), `${YEAR}年2月至${YEAR}年5月`],
      { timeout: WAIT_MS },
    )
    return true
  })

  const town = (await api.req('GET', `/api/indicators?year=${YEAR}&group=township`)).json
  const townUnmet = town.indicators.find((i) => i.name === unmet.name)
  const county = townUnmet.groups.find((g) => g.name === '县直部门')
  await must('单位排名按乡镇分组：有“县直部门”一行，分组在 URL 中', async () => {
    if (!county) return `接口按乡镇分组没有“县直部门”：${townUnmet.groups.map((g) => g.name).join('、')}`
    await page.goto(`${baseUrl}/indicators/ranking?year=${YEAR}`, { waitUntil: 'load' })
    await page.locator(T('ind-ranking-table')).waitFor()
    await page.locator(T('ind-group-township')).click()
    await page.waitForURL((u) => u.searchParams.get('group') === 'township' && u.searchParams.get('year') === YEAR, { timeout: WAIT_MS })
    await page.locator(`${T('ind-ranking-table')} ${T(`ind-group-row-${county.key}`)}`).filter({ hasText: '县直部门' }).waitFor()
    const n = await page.locator(`${T('ind-ranking-table')} .el-table__body tr`).count()
    return n === town.composite.groups.length || `${n} 行，接口 ${town.composite.groups.length} 组`
  })

  await step('单位排名按单位类型分组：各行是单位类型', async () => {
    const types = (await api.req('GET', `/api/indicators?year=${YEAR}&group=unit_type`)).json.composite.groups.map((g) => g.name)
    await page.locator(T('ind-group-unit_type')).click()
    await page.waitForURL((u) => u.searchParams.get('group') === 'unit_type', { timeout: WAIT_MS })
    const sel = `${T('ind-ranking-table')} [data-test^="ind-group-row-"]`
    await page.waitForFunction(
      ([s, want]) => [...document.querySelectorAll(s)].map((e) => e.textContent.trim()).sort().join('|') === want,
      [sel, types.slice().sort().join('|')],
      { timeout: WAIT_MS },
    )
    return types.includes('综合执法队') || `类型 ${types.join('、')}`
  })

  await step('点击“县直部门”的分母，下钻列出该组的案件', async () => {
    await page.goto(`${baseUrl}/indicators/ranking?year=${YEAR}&group=township&indicator=${unmet.name}`, { waitUntil: 'load' })
    await page.locator(T(`ind-rank-den-${county.key}`)).click()
    await page.waitForURL(
      (u) => u.pathname === `/indicators/cases/${unmet.name}` && u.searchParams.get('group') === 'township' && u.searchParams.get('key') === county.key,
      { timeout: WAIT_MS },
    )
    await page.locator(`${T('ind-cases-table')} a[data-test^="ind-case-"]`).first().waitFor()
    await page.waitForFunction(
      ([s, want]) => (document.querySelector(s) || {}).textContent?.includes(want),
      [`${T('ind-cases')} .el-pagination__total`, String(county.den)],
      { timeout: WAIT_MS },
    )
    const tag = (await page.locator(T('ind-cases-group')).textContent()).trim()
    const per = (await page.locator(T('ind-cases-period')).textContent()).trim()
    return (tag === '县直部门' && per === `${YEAR}年`) || `${tag} ${per}`
  })

  await step('下钻某月（走势的一个点）：列出该月分母的案件', async () => {
    const trend = (await api.req('GET', `/api/indicators/trend?year=${YEAR}`)).json
    const months = trend.indicators.find((i) => i.name === unmet.name).months
    if (months.length !== 12) return `走势 ${months.length} 个月`
    const m = months.findIndex((x) => x.den > 0) + 1
    await page.goto(`${baseUrl}/indicators/cases/${unmet.name}?year=${YEAR}&month=${m}&part=denominator`, { waitUntil: 'load' })
    await page.waitForFunction(
      ([s, want]) => (document.querySelector(s) || {}).textContent?.includes(want),
      [`${T('ind-cases')} .el-pagination__total`, String(months[m - 1].den)],
      { timeout: WAIT_MS },
    )
    const per = (await page.locator(T('ind-cases-period')).textContent()).trim()
    return per === `${YEAR}年${m}月` || per
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
