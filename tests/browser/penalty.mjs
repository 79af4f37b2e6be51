#!/usr/bin/env node
// Browser test of the whole 行政处罚 procedure (defs/penalty.json, docs/penalty.md),
// end to end through the generic case pages, then the public portal and the
// 执法人员状况 page.
//
//   FAZHI_URL=http://127.0.0.1:8080 FAZHI_ADMIN_USER=admin FAZHI_ADMIN_PASSWORD=… \
//   node tests/browser/penalty.mjs
//
// Needs a fresh server (run.mjs starts one): the fixtures are made through the
// API as the admin — the laws catalog entry the 处罚依据 cites, the 执法人员
// catalog (two valid certificates, one expired), the 裁量基准 rows, and the
// users 执法人员 / 法制审核员 / 单位负责人 / 领导. The procedure itself is driven
// in Debian's headless Chromium: 登记 → 立案 → 调查取证 (refused with one officer
// and with an expired certificate, then two valid ones) → 告知 (refused without
// the hearing right, then with it) → 提交法制审核 → 法制审核通过 (法制审核员) →
// 作出决定 (单位负责人; refused outside the discretion range and for an article
// the statute lacks, then inside, the 处罚依据 picked from the laws catalog) →
// 送达 → 执行完毕 → 结案 → 公示, watching the clocks and the timeline. Then a
// second decision (an organisation whose name carries markup) is published
// through the API, and, signed out, /public is checked: the list, masking,
// search, the detail, 事前公开 of the 执法人员. Last, 执法人员状况 as 领导 against
// the API's numbers.
//
// One line per check, then "N passed, M failed". With FAZHI_SCREENSHOTS=1 it
// saves docs/screenshots/penalty-list.png, penalty-detail.png,
// public-portal.png, public-detail.png and officer-status.png.

import {
  T, WAIT_MS, baseUrl, caught, checkClean, expectError, expectNone, finish, launch,
  must, requireEnv, screenshot, signedInContext, startWatchdog, step, watch,
} from './lib.mjs'
import { login } from '../api/lib.mjs'

const adminUser = process.env.FAZHI_ADMIN_USER || 'admin'
const adminPassword = process.env.FAZHI_ADMIN_PASSWORD || ''
requireEnv(baseUrl && adminPassword, 'FAZHI_URL and FAZHI_ADMIN_PASSWORD must be set (run.mjs sets them)')
const shots = process.env.FAZHI_SCREENSHOTS === '1'

// ---- dates (the server's local date, as tests/api/run.mjs computes it) ----
const ymd = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
const now = new Date()
const today = ymd(now)
const daysAgo = (n) => ymd(new Date(now.getFullYear(), now.getMonth(), now.getDate() - n))

// ---- fixtures ----
const PW = 'Secret-Passw0rd-26'
const INIT_PW = 'Initial-Passw0rd-26'
const users = {
  officer: { user: 'pb_officer', name: '执法员甲', roles: ['officer'] },
  reviewer: { user: 'pb_reviewer', name: '审核员乙', roles: ['reviewer'] },
  head: { user: 'pb_head', name: '局长丙', roles: ['unit_head'] },
  leader: { user: 'pb_leader', name: '县领导丁', roles: ['leader'] },
}
for (const u of Object.values(users)) u.password = PW
const PARTY = { name: '张三', kind: '自然人', id_number: '11010519491231002X' }
const LAW = '中华人民共和国测试管理法'
const BASIS = `《${LAW}》第四十条`
const CODE = 'T-PB-001'
const CERT_A = 'PB-A-0001'
const CERT_B = 'PB-B-0002'
const CERT_X = 'PB-X-0003'
const DECISION_NO = '测罚决字〔2026〕8号'
const ORG = '滇南<b>建材</b>有限公司'

async function api(session, method, p, body, want) {
  const r = await session.req(method, p, body)
  if (want && r.status !== want) throw new Error(`${method} ${p}: HTTP ${r.status} ${r.text.slice(0, 200)}`)
  return r
}

async function setup() {
  const admin = await login(baseUrl, adminUser, adminPassword)
  for (const u of Object.values(users)) {
    await api(admin, 'POST', '/api/users', { username: u.user, name: u.name, unit_id: 1, roles: u.roles, password: INIT_PW }, 201)
    await login(baseUrl, u.user, INIT_PW, PW) // the forced first change
  }
  await api(admin, 'POST', '/api/catalogs/laws', {
    title: LAW, level: '法律', promulgated_on: '2020-01-01', articles: 60,
    body: '第四十条 违反本法规定，未按规定进行测试的，责令改正，给予警告，可以并处五万元以下罚款。',
  }, 201)
  const officer = (name, cert, extra) => ({ name, unit: 1, cert_no: cert, cert_field: '测试管理', cert_issued_on: '2020-01-01', ...extra })
  await api(admin, 'POST', '/api/catalogs/officers', officer('张执法', CERT_A, { id_number: '11010519491231002X', cert_expires_on: '2099-12-31', cert_status: '有效' }), 201)
  await api(admin, 'POST', '/api/catalogs/officers', officer('李执法', CERT_B, { cert_expires_on: '2099-12-31', cert_status: '有效' }), 201)
  await api(admin, 'POST', '/api/catalogs/officers', officer('王过期', CERT_X, { cert_expires_on: daysAgo(30), cert_status: '有效' }), 201)
  const row = (circumstance, extra) => ({
    code: CODE, violation: '未按规定进行测试', circumstance, legal_max: 5000000, power_code: 'QT-PB',
    penalty_basis: BASIS, basis: `《${LAW}》第十二条`, ...extra,
  })
  await api(admin, 'POST', '/api/catalogs/discretion', row('从轻', { conditions: '主动消除或者减轻危害后果', fine_min: 100000, fine_max: 500000, warning: true }), 201)
  await api(admin, 'POST', '/api/catalogs/discretion', row('一般', { conditions: '一般情节', fine_min: 500000, fine_max: 2000000, warning: true }), 201)
  await api(admin, 'POST', '/api/catalogs/discretion', row('从重', { conditions: '造成严重后果或者拒不改正', fine_min: 2000000, fine_max: 5000000 }), 201)
}

// A 法人 case decided and published through the API (8000 元, 一般, below the
// organisations' hearing and review amounts: 提请决定 without 法制审核).
async function publishOrgCase() {
  const o = await login(baseUrl, users.officer.user, PW)
  const h = await login(baseUrl, users.head.user, PW)
  const c = await api(o, 'POST', '/api/cases/penalty', {
    party: { name: ORG, kind: '法人', id_number: '915326241234567889' },
    facts: '未按规定进行测试', source: '投诉举报', violation_code: CODE, violation_on: daysAgo(10),
  }, 201)
  const act = (s, name, body) => api(s, 'POST', `/api/cases/penalty/${c.json.id}/actions/${name}`, body, 200)
  await act(o, 'file', {})
  await act(o, 'investigate', { investigator1_cert: CERT_A, investigator2_cert: CERT_B })
  await act(o, 'inform', { circumstance: '一般', proposed_fine: 800000, informed_on: today })
  await act(o, 'to_decision', {})
  await act(h, 'decide', { decision: '处罚', decision_no: '测罚决字〔2026〕9号', decided_on: today, fine: 800000, legal_basis: BASIS })
  await act(o, 'publish', {})
}

// ---- page helpers ----
const count = (page, sel) => page.locator(sel).count()
async function waitMore(page, sel, n) {
  await page.waitForFunction(([s, k]) => document.querySelectorAll(s).length > k, [sel, n], { timeout: WAIT_MS })
  return count(page, sel)
}
async function waitText(page, sel, re) {
  await page.waitForFunction(
    ([s, src]) => {
      const el = document.querySelector(s)
      return !!el && new RegExp(src).test(el.textContent)
    },
    [sel, re.source],
    { timeout: WAIT_MS },
  )
  return (await page.locator(sel).first().textContent()).replace(/\s+/g, ' ').trim()
}
// Opens an Element Plus select and picks an option by its exact text; waits
// for the dropdown to close.
async function pickOption(page, selectSel, text) {
  await page.locator(selectSel).click()
  const re = new RegExp(`^\\s*${text.replace(/[()（）]/g, '\\$&')}\\s*$`)
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: re }).first().click()
  await page.waitForFunction(() => ![...document.querySelectorAll('.el-select-dropdown')].some((d) => d.offsetParent !== null), null, { timeout: WAIT_MS })
}

const DLG = T('case-action-dialog')
const fld = (name) => `${DLG} ${T(`case-field-${name}`)}`
const fill = (page, name, v) => page.locator(`${fld(name)} input, ${fld(name)} textarea`).first().fill(v)
async function fillDate(page, name, v) {
  const d = page.locator(`${fld(name)} input`)
  await d.click()
  await d.fill(v)
  await d.press('Enter')
}
// Money is entered in 元 (el-input-number commits on blur).
async function fillMoney(page, name, yuan) {
  const i = page.locator(`${fld(name)} input`)
  await i.fill(String(yuan))
  await i.press('Tab')
}
const pick = (page, name, text) => pickOption(page, `${fld(name)} .el-select`, text)
const yesNo = (page, name, yes) => page.locator(`${fld(name)} .el-radio`, { hasText: yes ? '是' : '否' }).click()

async function openAction(page, name, label) {
  await page.locator(T(`case-action-${name}`)).click()
  await page.locator(DLG).waitFor({ state: 'visible' })
  await page.locator(`${DLG} .el-dialog__title`, { hasText: label }).waitFor({ state: 'visible' })
}
// Submits the open action dialog; resolves to the HTTP status of the action.
async function submitAction(page, name) {
  const wait = page.waitForResponse(
    (r) => new URL(r.url()).pathname.endsWith(`/actions/${name}`) && r.request().method() === 'POST',
    { timeout: WAIT_MS },
  )
  await page.locator(T('case-action-submit')).click()
  return (await wait).status()
}
// Submits and expects success: the dialog closes and the state tag shows stateRe.
async function actionOk(page, name, stateRe) {
  const st = await submitAction(page, name)
  if (st !== 200) {
    const err = await page.locator(T('case-action-error')).textContent().catch(() => '')
    throw new Error(`HTTP ${st} ${err || ''}`)
  }
  await page.locator(DLG).waitFor({ state: 'hidden' })
  return waitText(page, T('case-state'), stateRe)
}
// Submits and expects the server's 409: its Chinese reason is shown in the dialog.
async function actionRefused(page, name, reasonRe) {
  expectError(409, new RegExp(`/actions/${name}$`))
  try {
    const st = await submitAction(page, name)
    const t = await waitText(page, `${DLG} ${T('case-action-error')}`, reasonRe)
    return { ok: st === 409, detail: `HTTP ${st}：${t}` }
  } finally {
    expectNone()
  }
}
const clockSel = (label) => `${T('case-clock')}:has(.clock-label:text-is("${label}"))`
async function clockState(page, label, state) {
  await page.locator(`${clockSel(label)}[data-state=${state}]`).waitFor({ state: 'attached' })
  return (await page.locator(clockSel(label)).textContent()).replace(/\s+/g, ' ').trim()
}
const events = (page) => page.locator(`${T('case-timeline')} ${T('case-event')}`)
async function eventCount(page) {
  return events(page).count()
}
// Waits for a timeline entry with the label (and text) and returns its text.
async function lastEvent(page, labelRe, textRe = /./) {
  const sel = `${T('case-timeline')} ${T('case-event')}`
  await page.waitForFunction(
    ([s, l, t]) => [...document.querySelectorAll(s)].some((e) => new RegExp(l).test(e.querySelector('.ev-label')?.textContent || '') && new RegExp(t).test(e.textContent)),
    [sel, labelRe.source, textRe.source],
    { timeout: WAIT_MS },
  )
  const all = await events(page).allTextContents()
  return all.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => labelRe.test(s) && textRe.test(s)).pop()
}
// Waits until no finite CSS animation or transition is running (dialogs fade
// in; spinners turn forever and are left out).
async function settled(page) {
  await page.waitForFunction(
    () => document.getAnimations().every((a) => a.playState !== 'running' || (a.effect && a.effect.getComputedTiming().iterations === Infinity)),
    null,
    { timeout: WAIT_MS },
  )
}
async function dropToasts(page) {
  await page.evaluate(() => {
    document.querySelectorAll('.el-message').forEach((m) => m.remove())
    const main = document.querySelector('.app-main')
    if (main) main.scrollTop = 0
  })
}

startWatchdog(140000)

try {
  await must('准备：法规名录、执法人员名录（两名有效、一名过期）、裁量基准、四个用户（API）', setup)
  await launch()

  const octx = await signedInContext(users.officer)
  const page = await octx.newPage()
  await watch(page)

  // ---- list and create ----
  await must('执法人员：侧边菜单“案件办理 / 行政处罚”打开列表', async () => {
    await page.goto(`${baseUrl}/index`, { waitUntil: 'load' })
    await page.locator(T('menu-cases')).waitFor({ state: 'visible' })
    const item = page.locator(T('menu-cases-penalty'))
    await item.waitFor({ state: 'attached' })
    if (!(await item.isVisible())) await page.locator(`${T('menu-cases')} > .el-sub-menu__title`).click()
    await item.click()
    await page.waitForURL((u) => u.pathname === '/cases/penalty', { timeout: WAIT_MS })
    await page.locator(T('case-list')).waitFor({ state: 'visible' })
    // The definition's columns come once it is loaded.
    const head = await waitText(page, `${T('case-table')} .el-table__header`, /当事人/)
    return { ok: /编号/.test(head) && /状态/.test(head), detail: head }
  })
  await must('“登记”表单：当事人（姓名、自然人、身份证号）、违法事实', async () => {
    await page.locator(T('case-create')).click()
    const form = page.locator(T('case-create-form'))
    await form.waitFor({ state: 'visible' })
    await page.locator(T('case-field-party-name')).fill(PARTY.name)
    await pickOption(page, T('case-field-party-kind'), PARTY.kind)
    await page.locator(T('case-field-party-id')).fill(PARTY.id_number)
    await page.locator(`${T('case-create-form')} ${T('case-field-facts')} textarea`).fill('当事人未按规定进行测试，经责令改正后仍未改正')
    const labels = (await form.locator('.el-form-item__label').allTextContents()).map((s) => s.trim())
    return { ok: labels.includes('当事人') && labels.includes('违法事实'), detail: labels.join('、') }
  })
  await must('提交登记：列表出现新案件，当事人列只显示姓名', async () => {
    const wait = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/cases/penalty' && r.request().method() === 'POST')
    await page.locator(T('case-form-submit')).click()
    const r = await wait
    if (r.status() !== 201) return { ok: false, detail: `HTTP ${r.status()} ${await r.text()}` }
    await page.locator(T('case-create-form')).waitFor({ state: 'hidden' })
    const link = page.locator('[data-test^=case-open-]').first()
    await link.waitFor({ state: 'visible' })
    const row = (await page.locator(`${T('case-table')} .el-table__body tr`).first().textContent()).replace(/\s+/g, ' ').trim()
    return { ok: /^行政处罚〔\d{4}〕\d+号/.test(row) && /张三/.test(row) && /案源登记/.test(row) && !/1949/.test(row), detail: row }
  })
  if (shots) await screenshot(page, 'penalty-list.png', async () => dropToasts(page))

  // ---- detail ----
  await must('打开详情：状态“案源登记”，证件号打码，尚未计时', async () => {
    await page.locator('[data-test^=case-open-]').first().click()
    await page.waitForURL((u) => /^\/cases\/penalty\/\d+$/.test(u.pathname), { timeout: WAIT_MS })
    await waitText(page, T('case-state'), /案源登记/)
    const party = await waitText(page, T('case-value-party'), /张三/)
    const clocks = await count(page, T('case-clock'))
    return { ok: /\*{4}/.test(party) && !/19491231/.test(party) && clocks === 0, detail: party }
  })
  const caseUrl = page.url()

  await step('可办理的步骤：立案、不予立案、当场处罚、移送、柔性执法办结', async () => {
    for (const a of ['file', 'not_file', 'simple_decide', 'transfer_out', 'soft_close']) await page.locator(T(`case-action-${a}`)).waitFor({ state: 'visible' })
    return { ok: (await count(page, T('case-action-decide'))) === 0, detail: '“作出决定”此时不可办理' }
  })

  // ---- 立案 ----
  let n0 = 0
  await must('立案：填写案件来源、违法行为编码、违法行为发生日期', async () => {
    n0 = await eventCount(page)
    await openAction(page, 'file', '立案')
    await pick(page, 'source', '监督检查')
    await fill(page, 'violation_code', CODE)
    await fillDate(page, 'violation_on', daysAgo(30))
    const t = await actionOk(page, 'file', /调查取证/)
    return { ok: true, detail: t }
  })
  await step('办案期限开始计时：90 日，剩余 90 日（绿色），依据第六十条', async () => {
    const t = await clockState(page, '办案期限', 'running')
    const rem = page.locator(`${clockSel('办案期限')} ${T('case-clock-remaining')}`)
    const cls = await rem.getAttribute('class')
    return { ok: /剩余 90 日/.test(t) && /第六十条/.test(t) && /left-success/.test(cls), detail: t }
  })
  await step('时间线：立案（案源登记 → 调查取证）、期限开始计算：办案期限', async () => {
    await waitMore(page, `${T('case-timeline')} ${T('case-event')}`, n0)
    const a = await lastEvent(page, /立案/, /案源登记 → 调查取证/)
    const b = await lastEvent(page, /期限开始计算/, /办案期限/)
    return { ok: /pb_officer/.test(a) && /违法行为编码：T-PB-001/.test(a), detail: `${a} | ${b}` }
  })

  // ---- 调查取证 ----
  await step('调查取证只填一名执法人员：显示服务器的 409 原因（第四十二条，指明证号）', async () => {
    await openAction(page, 'investigate', '调查取证')
    await fill(page, 'investigator1_cert', CERT_A)
    return actionRefused(page, 'investigate', new RegExp(`只有一名执法人员（执法证号 ${CERT_A}）.*不得少于两人`))
  })
  await step('调查取证由证件过期的执法人员：409 指明姓名与有效期', async () => {
    await fill(page, 'investigator2_cert', CERT_X)
    return actionRefused(page, 'investigate', new RegExp(`${CERT_X}（王过期）的证件有效期至 ${daysAgo(30)}，已过期`))
  })
  await must('调查取证：两名持证执法人员与证据材料', async () => {
    await fill(page, 'investigator2_cert', CERT_B)
    await fill(page, 'evidence', '现场检查笔录、询问笔录、照片 12 张')
    const t = await actionOk(page, 'investigate', /调查取证/)
    const v = await waitText(page, T('case-value-investigator2_cert'), new RegExp(CERT_B))
    return { ok: true, detail: `${t}；执法人员二 ${v}` }
  })

  // ---- 告知 ----
  await step('告知：拟罚款 15000 元而未告知听证权利 → 409（第六十三条，较大数额）', async () => {
    await openAction(page, 'inform', '告知')
    await pick(page, 'circumstance', '一般')
    await fillMoney(page, 'proposed_fine', 15000)
    await fillDate(page, 'informed_on', today)
    await yesNo(page, 'hearing_notified', false)
    return actionRefused(page, 'inform', /第六十三条.*较大数额罚款（拟罚款 15000 元，达到 10000 元）/)
  })
  await must('告知（含听证权利）：已告知', async () => {
    await yesNo(page, 'hearing_notified', true)
    return { ok: true, detail: await actionOk(page, 'inform', /已告知/) }
  })
  await step('拟罚款以元显示（接口为分）', async () => {
    const t = await waitText(page, T('case-value-proposed_fine'), /15000\.00 元/)
    const h = await waitText(page, T('case-value-hearing_notified'), /是/)
    return { ok: true, detail: `${t}；已告知听证权利：${h}` }
  })
  await step('再次打开“调整拟处罚”时金额回填为元', async () => {
    await openAction(page, 'revise_proposal', '调整拟处罚')
    const v = await page.locator(`${fld('proposed_fine')} input`).inputValue()
    await page.locator(`${DLG} .el-dialog__footer button`, { hasText: '取消' }).click()
    await page.locator(DLG).waitFor({ state: 'hidden' })
    return { ok: v === '15000.00', detail: v }
  })
  await must('提交法制审核（罚款达到法制审核数额）', async () => {
    await openAction(page, 'submit_review', '提交法制审核')
    return { ok: true, detail: await actionOk(page, 'submit_review', /法制审核/) }
  })

  // ---- 法制审核员 ----
  const rctx = await signedInContext(users.reviewer)
  const rp = await rctx.newPage()
  await watch(rp)
  await must('法制审核员：打开案件，只有审核步骤', async () => {
    await rp.goto(caseUrl, { waitUntil: 'load' })
    await waitText(rp, T('case-state'), /法制审核/)
    await rp.locator(T('case-action-review_approve')).waitFor({ state: 'visible' })
    await rp.locator(T('case-action-review_return')).waitFor({ state: 'visible' })
    return { ok: (await count(rp, T('case-action-decide'))) === 0 && (await count(rp, T('case-action-serve'))) === 0 }
  })
  await must('法制审核通过：意见“同意”', async () => {
    await openAction(rp, 'review_approve', '法制审核通过')
    await pick(rp, 'review_opinion', '同意')
    await fill(rp, 'review_note', '事实清楚，证据确凿，适用依据正确，程序合法，裁量适当')
    return { ok: true, detail: await actionOk(rp, 'review_approve', /待决定/) }
  })
  await step('时间线：法制审核通过，审核员本人', async () => {
    const t = await lastEvent(rp, /法制审核通过/, /法制审核 → 待决定/)
    return { ok: /pb_reviewer/.test(t) && /法制审核意见：同意/.test(t), detail: t }
  })
  await rctx.close()

  // ---- 单位负责人 ----
  const hctx = await signedInContext(users.head)
  const hp = await hctx.newPage()
  await watch(hp)
  await must('单位负责人：打开案件，可“作出决定”', async () => {
    await hp.goto(caseUrl, { waitUntil: 'load' })
    await waitText(hp, T('case-state'), /待决定/)
    await hp.locator(T('case-action-decide')).waitFor({ state: 'visible' })
  })
  await step('作出决定：罚款 30000 元超出“一般”情形范围且无理由 → 409 列出偏离', async () => {
    await openAction(hp, 'decide', '作出决定')
    await pick(hp, 'decision', '处罚')
    await fill(hp, 'decision_no', DECISION_NO)
    await fillDate(hp, 'decided_on', today)
    await fillMoney(hp, 'fine', 30000)
    await fill(hp, 'legal_basis', BASIS)
    return actionRefused(hp, 'decide', /罚款 30000 元不在「一般」情形 5000–20000 元的范围内/)
  })
  await step('处罚依据引用名录中法规不存在的条文：400，原因显示在“处罚依据”旁', async () => {
    await fillMoney(hp, 'fine', 15000)
    await fill(hp, 'legal_basis', `《${LAW}》第九十条`)
    expectError(400, /\/actions\/decide$/)
    try {
      const st = await submitAction(hp, 'decide')
      const err = hp.locator(`${DLG} .el-form-item:has(${T('case-field-legal_basis')}) .el-form-item__error`)
      await err.waitFor({ state: 'visible' })
      const t = (await err.textContent()).trim()
      return { ok: st === 400 && /共 60 条，没有第 90 条/.test(t), detail: `HTTP ${st}：${t}` }
    } finally {
      expectNone()
    }
  })
  await step('处罚依据：输入名称的一部分，从法律法规名录中选择，再写条号', async () => {
    const input = hp.locator(`${fld('legal_basis')} input`)
    await input.fill('')
    await input.pressSequentially('测试管理')
    const item = hp.locator(`${T('case-field-legal_basis-law')}:visible`, { hasText: `《${LAW}》` })
    await item.click()
    await hp.waitForFunction((s) => document.querySelector(s).value.endsWith('》'), `${fld('legal_basis')} input`, { timeout: WAIT_MS })
    await input.press('End')
    await input.pressSequentially('第四十条')
    const v = await input.inputValue()
    return { ok: v === BASIS, detail: v }
  })
  await must('作出决定：罚款 15000 元（裁量范围内），处罚依据引用法规名录', async () => {
    return { ok: true, detail: await actionOk(hp, 'decide', /已决定/) }
  })
  await step('办案期限停止（按期），送达期限、公示期限开始计时', async () => {
    const a = await clockState(hp, '办案期限', 'stopped_in_time')
    const b = await clockState(hp, '送达期限', 'running')
    const c = await clockState(hp, '公示期限', 'running')
    return { ok: /个工作日/.test(b) && /个工作日/.test(c), detail: `${a} | ${b} | ${c}` }
  })
  await step('决定内容：罚款以元显示，处罚依据', async () => {
    const f = await waitText(hp, T('case-value-fine'), /15000\.00 元/)
    const b = await waitText(hp, T('case-value-legal_basis'), /测试管理法/)
    return { ok: true, detail: `${f}；${b}` }
  })
  if (shots) {
    await screenshot(hp, 'penalty-detail.png', async () => {
      await dropToasts(hp)
      await hp.setViewportSize({ width: 1440, height: 1400 })
      await settled(hp)
    })
  }
  await hctx.close()

  // ---- 执法人员：送达、执行、结案、公示 ----
  await must('执法人员：送达（直接送达）', async () => {
    await page.reload({ waitUntil: 'load' })
    await waitText(page, T('case-state'), /已决定/)
    await openAction(page, 'serve', '送达')
    await fillDate(page, 'served_on', today)
    await pick(page, 'service_method', '直接送达')
    return { ok: true, detail: await actionOk(page, 'serve', /执行中/) }
  })
  await step('送达期限停止，缴纳罚款期限开始（15 日）', async () => {
    const a = await clockState(page, '送达期限', 'stopped_in_time')
    const b = await clockState(page, '缴纳罚款期限', 'running')
    return { ok: /第六十七条/.test(b), detail: `${a} | ${b}` }
  })
  await must('执行完毕：缴纳日期、实缴金额（元）', async () => {
    await openAction(page, 'execute', '执行完毕')
    await fillDate(page, 'paid_on', today)
    await fillMoney(page, 'paid_amount', 15000)
    await fill(page, 'execution_note', '当事人已按期缴纳罚款')
    return { ok: true, detail: await actionOk(page, 'execute', /执行完毕/) }
  })
  await step('实缴金额以元显示，缴纳罚款期限停止', async () => {
    const v = await waitText(page, T('case-value-paid_amount'), /15000\.00 元/)
    const c = await clockState(page, '缴纳罚款期限', 'stopped_in_time')
    return { ok: true, detail: `${v} | ${c}` }
  })
  await must('结案', async () => {
    await openAction(page, 'close', '结案')
    return { ok: true, detail: await actionOk(page, 'close', /已结案/) }
  })
  await must('公示：公示期限按期停止', async () => {
    await openAction(page, 'publish', '公示')
    const st = await submitAction(page, 'publish')
    if (st !== 200) return { ok: false, detail: `HTTP ${st}` }
    await page.locator(DLG).waitFor({ state: 'hidden' })
    return { ok: true, detail: await clockState(page, '公示期限', 'stopped_in_time') }
  })
  await step('所有期限都已停止，没有在计时的', async () => {
    const states = await page.locator(T('case-clock')).evaluateAll((els) => els.map((e) => e.dataset.state))
    return { ok: states.length === 4 && states.every((s) => s === 'stopped_in_time'), detail: states.join('、') }
  })
  await step('时间线按顺序记录全过程', async () => {
    await lastEvent(page, /^公示/)
    const labels = (await page.locator(`${T('case-timeline')} ${T('case-event')} .ev-label`).allTextContents()).map((s) => s.trim())
    const want = ['创建案件', '立案', '调查取证', '告知', '提交法制审核', '法制审核通过', '作出决定', '送达', '执行完毕', '结案', '公示']
    let i = 0
    for (const l of labels) if (i < want.length && l.startsWith(want[i])) i++
    return { ok: i === want.length, detail: `${labels.length} 条：${labels.join('、')}` }
  })

  // ---- a second decision, published through the API: an organisation whose
  // name carries markup, which the public page must show as text ----
  await must('（API）另一案件：法人当事人（名称含 <b> 标记），作出决定并公示', publishOrgCase)

  // ---- 公示 portal, signed out ----
  await must('执法人员退出登录，登录页“行政执法公示”进入 /public', async () => {
    await page.locator(T('user-menu')).click()
    await page.locator(T('logout')).click()
    await page.waitForURL((u) => u.pathname === '/login', { timeout: WAIT_MS })
    await page.locator(T('login-public')).click()
    await page.waitForURL((u) => u.pathname === '/public', { timeout: WAIT_MS })
    await page.locator(T('public-page')).waitFor({ state: 'visible' })
  })
  const pubRows = `${T('public-table')} .el-table__body tr`
  await step('公示列表：行政处罚决定（张*），案件编号、执法机关、公示日期', async () => {
    const sum = await waitText(page, T('public-summary'), /共 2 条/)
    const row = page.locator(pubRows, { hasText: '张*' })
    await row.waitFor({ state: 'visible' })
    const t = (await row.textContent()).replace(/\s+/g, ' ').trim()
    const head = (await page.locator(`${T('public-table')} .el-table__header`).textContent()).replace(/\s+/g, ' ')
    return { ok: /行政处罚决定（张\*）/.test(t) && /行政处罚〔\d{4}〕\d+号/.test(t) && t.includes(today) && /案件编号/.test(head), detail: `${sum}：${t}` }
  })
  await step('公示标题按文字显示：名称中的 <b> 不成为页面标记', async () => {
    const row = page.locator(pubRows, { hasText: '建材' })
    const t = (await row.locator(T('public-title')).textContent()).trim()
    const injected = await page.locator(`${T('public-table')} b`).count()
    return { ok: t === `行政处罚决定（${ORG}）` && injected === 0, detail: `${t}；<b> 元素 ${injected} 个` }
  })
  await step('“执法决定公示”及事前公开名录的标签页显示', async () => {
    const tabs = (await page.locator(`${T('public-tabs')} .el-tabs__item`).allTextContents()).map((x) => x.trim())
    return { ok: tabs.includes('执法决定公示') && tabs.includes('执法人员') && tabs.includes('裁量基准'), detail: tabs.join('、') }
  })
  if (shots) {
    await screenshot(page, 'public-portal.png', async () => {
      await dropToasts(page) // the staff session's last toasts
      await page.setViewportSize({ width: 1280, height: 800 })
    })
  }
  await step('检索“建材”：一条，命中高亮，名称仍按文字显示', async () => {
    await page.locator(T('public-search')).fill('建材')
    const wait = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/public/publications' && new URL(r.url()).searchParams.get('q') === '建材')
    await page.locator(T('public-search-submit')).click()
    await wait
    const sum = await waitText(page, T('public-summary'), /共 1 条/)
    const title = page.locator(`${pubRows} ${T('public-title')}`).first()
    const marks = await title.locator('mark').allTextContents()
    const t = (await title.textContent()).trim()
    const injected = await page.locator(`${T('public-table')} b`).count()
    await page.locator(T('public-search')).fill('')
    await page.locator(T('public-search-submit')).click()
    await waitText(page, T('public-summary'), /共 2 条/)
    return { ok: marks.join() === '建材' && t === `行政处罚决定（${ORG}）` && injected === 0, detail: `${sum}：${t}，高亮 ${marks.join('、')}` }
  })
  await step('公示详情：当事人张*、违法事实、决定书文号、罚款、处罚依据', async () => {
    await page.locator(pubRows, { hasText: '张*' }).click()
    const dlg = page.locator(T('public-detail'))
    await dlg.waitFor({ state: 'visible' })
    await settled(page)
    const t = (await dlg.textContent()).replace(/\s+/g, ' ')
    return {
      ok: /当事人\s*张\*/.test(t) && /未按规定进行测试/.test(t) && /罚款\s*15000\.00元/.test(t) && t.includes(BASIS) && t.includes(DECISION_NO),
      detail: t.slice(0, 220),
    }
  })
  await step('公示页面文字中没有姓名全称和证件号', async () => {
    const t = await page.evaluate(() => document.body.innerText)
    const bad = [PARTY.id_number, PARTY.id_number.slice(0, 6), PARTY.id_number.slice(-6), '张三', CERT_A].filter((x) => t.includes(x))
    return { ok: bad.length === 0, detail: bad.length ? `出现：${bad.join('、')}` : `${t.length} 字` }
  })
  if (shots) await screenshot(page, 'public-detail.png', async () => dropToasts(page))
  await step('事前公开“执法人员”：持证情况，过期证件显示“已过期”，无身份证号', async () => {
    await page.keyboard.press('Escape')
    await page.locator(T('public-detail')).waitFor({ state: 'hidden' })
    const wait = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/public/catalogs/officers')
    await page.locator(`${T('public-tabs')} .el-tabs__item`, { hasText: '执法人员' }).click()
    await wait
    const rows = `${T('public-catalog-table')} .el-table__body tr`
    await page.locator(rows).nth(2).waitFor({ state: 'visible' })
    const x = (await page.locator(rows, { hasText: '王过期' }).textContent()).replace(/\s+/g, ' ')
    const a = (await page.locator(rows, { hasText: '张执法' }).textContent()).replace(/\s+/g, ' ')
    const t = await page.evaluate(() => document.body.innerText)
    return { ok: /已过期/.test(x) && /有效/.test(a) && !t.includes(PARTY.id_number) && !t.includes('身份证'), detail: `${a.trim()} | ${x.trim()}` }
  })

  // ---- 执法人员状况 as 领导 ----
  const lctx = await signedInContext(users.leader)
  const lp = await lctx.newPage()
  await watch(lp)
  await step('领导：执法人员状况页的持证率与接口一致', async () => {
    const wait = lp.waitForResponse((r) => new URL(r.url()).pathname === '/api/enforcement/officers/status', { timeout: WAIT_MS })
    await lp.goto(`${baseUrl}/enforcement/officers`, { waitUntil: 'load' })
    const r = await wait
    const body = await r.json()
    const cr = body.summary.certified_rate
    const shown = await waitText(lp, T('officer-status-cert-rate'), /%/)
    const note = (await lp.locator(`${T('officer-status-summary')} .stat`, { hasText: '持证率' }).textContent()).replace(/\s+/g, ' ')
    return {
      ok: cr.numerator === 2 && cr.denominator === 3 && shown === `${cr.percent}%` && note.includes(`${cr.numerator} / ${cr.denominator}`),
      detail: `页面 ${shown}（${note.trim()}），接口 ${cr.numerator}/${cr.denominator} = ${cr.percent}`,
    }
  })
  await step('执法人员状况表格：过期证件标为“证件已过期”，表中无身份证号', async () => {
    const table = T('officer-status-table')
    await lp.locator(`${table} .el-table__body tr`).nth(2).waitFor({ state: 'visible' })
    const t = (await lp.locator(table).textContent()).replace(/\s+/g, ' ')
    return { ok: /王过期.*证件已过期/.test(t) && !t.includes('11010519491231002X'), detail: t.slice(0, 160) }
  })
  if (shots) await screenshot(lp, 'officer-status.png', async () => settled(lp))

  checkClean()
} catch (e) {
  caught(e)
} finally {
  await finish()
}
