#!/usr/bin/env node
// Browser test of the generic case UI (案件办理, rendered from the procedure
// definition) with the 政府信息公开申请 procedure of defs/.
//
//   FAZHI_URL=http://127.0.0.1:8080 \
//   FAZHI_OFFICER_USER=… FAZHI_OFFICER_PASSWORD=… \
//   FAZHI_HEAD_USER=… FAZHI_HEAD_PASSWORD=… node tests/browser/cases.mjs
//
// run.mjs starts a fresh server and prepares the 执法人员 (officer) and the
// 单位负责人 (unit head). Drives Debian's headless Chromium through
// playwright-core from ui/node_modules. One line per check, then
// "N passed, M failed". Saves docs/screenshots/case-detail.png.

import {
  Abort, WAIT_MS, baseUrl, caught, checkClean, expectError, expectNone, failures, finish, launch,
  requireEnv, screenshot, signedInContext, startWatchdog, step, watch,
} from './lib.mjs'

const officer = { user: process.env.FAZHI_OFFICER_USER || '', password: process.env.FAZHI_OFFICER_PASSWORD || '' }
const head = { user: process.env.FAZHI_HEAD_USER || '', password: process.env.FAZHI_HEAD_PASSWORD || '' }
requireEnv(baseUrl && officer.user && head.user, 'FAZHI_URL, FAZHI_OFFICER_USER/PASSWORD and FAZHI_HEAD_USER/PASSWORD must be set (run.mjs sets them)')

const count = (page, sel) => page.locator(sel).count()
// Waits until the number of elements matching sel is more than n.
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
  return (await page.locator(sel).first().textContent()).trim()
}
// Opens an Element Plus select and picks an option by its exact text, then
// waits for the dropdown to close (so the next select's options are not mixed up).
async function pickOption(page, selectSel, text) {
  await page.locator(selectSel).click()
  const re = new RegExp(`^\\s*${text}\\s*$`)
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: re }).first().click()
  await page.waitForFunction(() => ![...document.querySelectorAll('.el-select-dropdown')].some((d) => d.offsetParent !== null), null, { timeout: WAIT_MS })
}

// A tiny valid PDF (one empty page) with a correct xref table: the server
// sniffs the type from the "%PDF-" head (src/engine/attach.c).
function tinyPdf() {
  const objs = ['<</Type/Catalog/Pages 2 0 R>>', '<</Type/Pages/Kids[3 0 R]/Count 1>>', '<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]>>']
  let out = '%PDF-1.4\n'
  const offs = []
  objs.forEach((o, i) => {
    offs.push(out.length)
    out += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = out.length
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`
  for (const o of offs) out += `${String(o).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<</Size ${objs.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

startWatchdog(130000)

try {
  await launch()

  let ctx
  await step('执法人员登录（API）', async () => {
    ctx = await signedInContext(officer)
  })
  if (!ctx) throw new Abort('无法登录')
  const page = await ctx.newPage()
  await watch(page)

  // ---- menu → list ----
  await step('侧边菜单有“案件办理 / 政府信息公开申请”（由定义生成）', async () => {
    await page.goto(`${baseUrl}/index`, { waitUntil: 'load' })
    await page.locator('[data-test=menu-cases]').waitFor({ state: 'visible' })
    const item = page.locator('[data-test=menu-cases-disclosure_request]')
    await item.waitFor({ state: 'attached' })
    if (!(await item.isVisible())) await page.locator('[data-test=menu-cases] > .el-sub-menu__title').click()
    await item.waitFor({ state: 'visible' })
    await page.locator('[data-test=menu-cases-disclosure_request]').click()
    await page.waitForURL((u) => u.pathname === '/cases/disclosure_request', { timeout: WAIT_MS })
  })
  if (new URL(page.url()).pathname !== '/cases/disclosure_request') await page.goto(`${baseUrl}/cases/disclosure_request`, { waitUntil: 'load' })
  await step('列表页：按定义生成的查询条件和表格', async () => {
    await page.locator('[data-test=case-list]').waitFor({ state: 'visible' })
    await page.locator('[data-test=case-filter-channel]').waitFor({ state: 'visible' })
    await page.locator('[data-test=case-filter-received_on]').waitFor({ state: 'visible' })
    await page.locator('[data-test=case-filter-state]').waitFor({ state: 'visible' })
    const head = await page.locator('[data-test=case-table] .el-table__header').textContent()
    return { ok: /编号/.test(head) && /申请人/.test(head) && /状态/.test(head) && /承办单位/.test(head) && /创建时间/.test(head), detail: head.replace(/\s+/g, ' ').trim() }
  })

  // ---- create ----
  await step('“登记”打开登记表单', async () => {
    await page.locator('[data-test=case-create]').click()
    await page.locator('[data-test=case-create-form]').waitFor({ state: 'visible' })
  })
  await step('必填项为空时表单提示，不提交', async () => {
    await page.locator('[data-test=case-form-submit]').click()
    await page.locator('[data-test=case-create-form] .el-form-item__error', { hasText: '请填写申请人' }).waitFor({ state: 'visible' })
    const n = await count(page, '[data-test=case-create-form] .el-form-item.is-required')
    return { ok: n >= 3, detail: `${n} 个必填项标记` }
  })
  await step('填写当事人（名称 + 类型 + 证件号）、收到日期、申请方式、申请内容', async () => {
    await page.locator('[data-test=case-field-applicant-name]').fill('张三')
    await pickOption(page, '[data-test=case-field-applicant-kind]', '自然人')
    // A wrong check digit first: the server's 400 is shown at the field (next step).
    await page.locator('[data-test=case-field-applicant-id]').fill('110101199003074515')
    await pickOption(page, '[data-test=case-field-applicant_type] .el-select', '自然人')
    await pickOption(page, '[data-test=case-field-channel] .el-select', '网络')
    const d = page.locator('[data-test=case-field-received_on] input')
    await d.click()
    await d.fill('2026-11-27')
    await d.press('Enter')
    await page.locator('[data-test=case-field-content] textarea').fill('申请公开本县 2026 年度财政预算执行情况')
  })
  if (failures()) throw new Abort('登记表单未能填写，其余检查未执行')
  await step('服务器拒绝无效证件号（400），错误显示在“申请人”旁', async () => {
    expectError(400, /^\/api\/cases\/disclosure_request$/)
    await page.locator('[data-test=case-form-submit]').click()
    const err = page.locator('[data-test=case-create-form] .el-form-item:has([data-test=case-field-applicant]) .el-form-item__error')
    await err.waitFor({ state: 'visible' })
    const t = (await err.textContent()).trim()
    await page.locator('[data-test=case-field-applicant-id]').fill('110101199003074514')
    await err.waitFor({ state: 'hidden' }) // cleared once the field is edited
    expectNone()
    return { ok: /证件号无效/.test(t), detail: t }
  })
  await step('提交登记后列表出现新案件', async () => {
    await page.locator('[data-test=case-form-submit]').click()
    await page.locator('[data-test=case-create-form]').waitFor({ state: 'hidden' })
    await page.locator('[data-test^=case-open-]').first().waitFor({ state: 'visible' })
    const t = (await page.locator('[data-test^=case-open-]').first().textContent()).trim()
    return { ok: /公开申请/.test(t), detail: t }
  })
  await step('分页显示总条数“共 N 条”', async () => {
    const t = await waitText(page, '[data-test=case-total]', /^共 \d+ 条$/)
    return { ok: true, detail: t }
  })

  await step('页头全文检索“财政”（2 个字）：命中高亮，点击进入案件', async () => {
    const sp = await ctx.newPage()
    await watch(sp)
    try {
      await sp.goto(`${baseUrl}/index`, { waitUntil: 'load' })
      await sp.locator('[data-test=global-search]').fill('财政')
      await sp.locator('[data-test=global-search]').press('Enter')
      await sp.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === '财政')
      const hit = sp.locator('[data-test=search-hit]').first()
      await hit.waitFor({ state: 'visible' })
      const marks = await hit.locator('mark').allTextContents()
      const summary = (await sp.locator('[data-test=search-summary]').textContent()).trim()
      await hit.locator('[data-test=search-hit-link]').click()
      await sp.waitForURL((u) => /^\/cases\/disclosure_request\/\d+$/.test(u.pathname))
      await waitText(sp, '[data-test=case-state]', /./)
      return { ok: marks.some((m) => /财|政/.test(m)) && /^共 \d+ 条结果/.test(summary), detail: `${summary}；高亮 ${marks.join('、')}` }
    } finally {
      await sp.close()
    }
  })

  await step('点击可排序列“收到日期”按其排序（服务器接受）', async () => {
    const wait = page.waitForResponse((r) => /\/api\/cases\/disclosure_request\?.*sort=received_on/.test(r.url()), { timeout: WAIT_MS })
    await page.locator('[data-test=case-table] th', { hasText: '收到日期' }).locator('.caret-wrapper').click()
    const r = await wait
    return { ok: r.status() === 200, detail: `HTTP ${r.status()}` }
  })
  await step('按“申请方式”筛选', async () => {
    await pickOption(page, '[data-test=case-filter-channel]', '当面')
    const wait = page.waitForResponse((r) => /\/api\/cases\/disclosure_request\?.*channel=/.test(r.url()), { timeout: WAIT_MS })
    await page.locator('[data-test=case-search] button[type=submit]').click()
    const r = await wait
    await page.locator('[data-test=case-table] .el-table__empty-text').waitFor({ state: 'visible' })
    await page.locator('[data-test=case-search] button', { hasText: '重置' }).click()
    await page.locator('[data-test^=case-open-]').first().waitFor({ state: 'visible' })
    return { ok: r.status() === 200, detail: '“当面”无结果，重置后恢复' }
  })

  // ---- detail ----
  await step('打开案件详情：状态“已收到”', async () => {
    await page.locator('[data-test^=case-open-]').first().click()
    await page.waitForURL((u) => /^\/cases\/disclosure_request\/\d+$/.test(u.pathname), { timeout: WAIT_MS })
    const t = await waitText(page, '[data-test=case-state]', /已收到/)
    return { ok: true, detail: t }
  })
  await step('字段以描述列表显示，证件号打码', async () => {
    const t = await waitText(page, '[data-test=case-value-applicant]', /张三/)
    return { ok: /\*{4}/.test(t) && !/199003074514/.test(t), detail: t }
  })
  let events0 = 0
  await step('办理过程时间线有“创建案件”', async () => {
    events0 = await waitMore(page, '[data-test=case-timeline] [data-test=case-event]', 0)
    const t = await page.locator('[data-test=case-timeline]').textContent()
    return { ok: /创建案件/.test(t), detail: `${events0} 条` }
  })
  await step('可办理的步骤显示为按钮（登记、申请人撤回）', async () => {
    await page.locator('[data-test=case-action-register]').waitFor({ state: 'visible' })
    await page.locator('[data-test=case-action-withdrawn]').waitFor({ state: 'visible' })
    return { ok: (await count(page, '[data-test=case-action-answer]')) === 0, detail: '“答复”此时不可办理' }
  })

  await step('办理“登记”（附办理意见）', async () => {
    await page.locator('[data-test=case-action-register]').click()
    await page.locator('[data-test=case-action-comment]').fill('材料齐全，予以登记')
    await page.locator('[data-test=case-action-submit]').click()
    await waitText(page, '[data-test=case-state]', /办理中/)
  })
  await step('答复期限开始计时，显示剩余工作日（绿色）', async () => {
    await page.locator('[data-test=case-clock]').first().waitFor({ state: 'visible' })
    const t = await waitText(page, '[data-test=case-clock-remaining]', /剩余 \d+ 个工作日/)
    const cls = await page.locator('[data-test=case-clock-remaining]').first().getAttribute('class')
    return { ok: /left-success/.test(cls), detail: t }
  })
  let events1 = 0
  await step('时间线增加（登记、期限开始计算、办理意见）', async () => {
    events1 = await waitMore(page, '[data-test=case-timeline] [data-test=case-event]', events0)
    const t = await page.locator('[data-test=case-timeline]').textContent()
    return { ok: /登记/.test(t) && /期限开始计算/.test(t) && /材料齐全，予以登记/.test(t) && /已收到 → 办理中/.test(t), detail: `${events0} → ${events1} 条` }
  })

  await step('“征求第三方意见”表单只含其字段，必填标记', async () => {
    await page.locator('[data-test=case-action-consult_third_party]').click()
    await page.locator('[data-test=case-field-third_party]').waitFor({ state: 'visible' })
    const dlg = page.locator('[data-test=case-action-dialog]')
    const labels = (await dlg.locator('.el-form-item__label').allTextContents()).map((s) => s.trim())
    const req = await dlg.locator('.el-form-item.is-required').count()
    return { ok: labels.join(',') === '第三方,办理意见' && req === 1, detail: labels.join('、') }
  })
  await step('必填的第三方为空时不提交', async () => {
    await page.locator('[data-test=case-action-submit]').click()
    await page.locator('[data-test=case-action-dialog] .el-form-item__error', { hasText: '请填写第三方' }).waitFor({ state: 'visible' })
  })
  await step('办理“征求第三方意见”', async () => {
    await page.locator('[data-test=case-field-third_party] input').fill('某科技有限公司')
    await page.locator('[data-test=case-action-submit]').click()
    await waitText(page, '[data-test=case-state]', /征求第三方意见/)
  })
  await step('期限暂停，显示原因', async () => {
    await page.waitForSelector('[data-test=case-clock][data-state=paused]', { timeout: WAIT_MS })
    const t = await waitText(page, '[data-test=case-clock-paused]', /征求第三方意见/)
    return { ok: true, detail: t }
  })
  let events2 = 0
  await step('时间线增加（期限暂停）', async () => {
    events2 = await waitMore(page, '[data-test=case-timeline] [data-test=case-event]', events1)
    const t = await page.locator('[data-test=case-timeline]').textContent()
    return { ok: /期限暂停/.test(t) && /第三方：某科技有限公司/.test(t), detail: `${events1} → ${events2} 条` }
  })
  await step('现在可办理的步骤只剩“第三方意见已回复”“申请人撤回”', async () => {
    await page.locator('[data-test=case-action-third_party_replied]').waitFor({ state: 'visible' })
    return { ok: (await count(page, '[data-test^=case-action-consult]')) === 0 }
  })
  await step('发表意见进入时间线', async () => {
    await page.locator('[data-test=case-comment-text]').fill('已于当日书面征求第三方意见')
    await page.locator('[data-test=case-comment-submit]').click()
    await waitMore(page, '[data-test=case-timeline] [data-test=case-event]', events2)
    const t = await waitText(page, '[data-test=case-timeline]', /已于当日书面征求第三方意见/)
    return { ok: true, detail: `${await count(page, '[data-test=case-timeline] [data-test=case-event]')} 条` }
  })

  // ---- attachments (全过程记录) ----
  const pdf = tinyPdf()
  const attRows = '[data-test=case-attachments] [data-test=attachment-name]'
  let events3 = 0
  await step('附件卡片显示，有“上传附件”按钮', async () => {
    await page.locator('[data-test=case-attachments]').waitFor({ state: 'visible' })
    events3 = await count(page, '[data-test=case-timeline] [data-test=case-event]')
    await page.locator('[data-test=attachment-upload]').waitFor({ state: 'visible' })
    return { ok: (await count(page, attRows)) === 0, detail: '尚无附件' }
  })
  await step('上传对话框：类别“答复书”（自行输入）', async () => {
    await page.locator('[data-test=attachment-upload]').click()
    await page.locator('[data-test=attachment-dialog]').waitFor({ state: 'visible' })
    await page.locator('[data-test=attachment-category]').click()
    await page.keyboard.type('答复书')
    await page.keyboard.press('Enter')
    const t = await waitText(page, '[data-test=attachment-category]', /答复书/)
    return { ok: true, detail: t }
  })
  await step('不支持的类型：服务器 415 的中文提示显示在对话框中', async () => {
    expectError(415, /^\/api\/cases\/disclosure_request\/\d+\/attachments$/)
    const fileInput = page.locator('[data-test=attachment-file] input[type=file]')
    await fileInput.setInputFiles({ name: '说明.html', mimeType: 'text/plain', buffer: Buffer.from('<!DOCTYPE html><p>x</p>') })
    await page.locator('[data-test=attachment-submit]').click()
    const t = await waitText(page, '[data-test=attachment-error]', /不支持的文件类型/)
    expectNone()
    return { ok: (await count(page, attRows)) === 0, detail: t }
  })
  await step('选择 PDF（setInputFiles）并上传，对话框关闭', async () => {
    const fileInput = page.locator('[data-test=attachment-file] input[type=file]')
    await fileInput.setInputFiles({ name: '答复书 第1号.pdf', mimeType: 'application/pdf', buffer: pdf })
    // The replaced file leaves the list with a transition.
    const items = '[data-test=attachment-dialog] .el-upload-list__item'
    await page.waitForFunction((s) => document.querySelectorAll(s).length === 1, items, { timeout: WAIT_MS })
    const n = await count(page, items)
    const listed = (await page.locator(items).first().textContent()).trim()
    if (!/答复书 第1号\.pdf/.test(listed)) return { ok: false, detail: `文件列表：${listed}` }
    const wait = page.waitForResponse((r) => /\/attachments$/.test(new URL(r.url()).pathname) && r.request().method() === 'POST', { timeout: WAIT_MS })
    await page.locator('[data-test=attachment-submit]').click()
    const r = await wait
    await page.locator('[data-test=attachment-dialog]').waitFor({ state: 'hidden' })
    return { ok: r.status() === 201 && n === 1, detail: `HTTP ${r.status()}，列表中 ${n} 个文件` }
  })
  await step('附件列表：类别、文件名、类型、大小、上传人、SM3', async () => {
    await waitMore(page, attRows, 0)
    const row = page.locator('[data-test=case-attachments] .el-table__body tr').first()
    const t = (await row.textContent()).replace(/\s+/g, ' ').trim()
    const name = (await page.locator(attRows).first().textContent()).trim()
    const bytes = Number(await page.locator('[data-test=attachment-size]').first().getAttribute('data-bytes'))
    const sm3 = (await page.locator('[data-test=attachment-sm3]').first().textContent()).trim()
    return {
      ok: name === '答复书 第1号.pdf' && bytes === pdf.length && /答复书/.test(t) && /PDF/.test(t) && /gk_officer/.test(t) && /^[0-9a-f]{8}…[0-9a-f]{4}$/.test(sm3),
      detail: `${t}（${bytes} 字节，应为 ${pdf.length}）`,
    }
  })
  await step('时间线增加“上传附件”', async () => {
    await waitMore(page, '[data-test=case-timeline] [data-test=case-event]', events3)
    const t = await waitText(page, '[data-test=case-timeline]', /上传附件/)
    return { ok: /答复书：答复书 第1号\.pdf/.test(t), detail: `${events3} → ${await count(page, '[data-test=case-timeline] [data-test=case-event]')} 条` }
  })
  await step('“下载”链接：带会话 Cookie 请求，200、application/pdf、内容一致', async () => {
    const href = await page.locator('[data-test=attachment-download]').first().getAttribute('href')
    const r = await page.request.get(new URL(href, baseUrl).toString())
    const body = await r.body()
    const ct = r.headers()['content-type'] || ''
    const cd = r.headers()['content-disposition'] || ''
    return { ok: /^\/api\/attachments\/\d+$/.test(href) && r.status() === 200 && /^application\/pdf/.test(ct) && body.equals(pdf) && /attachment/.test(cd), detail: `${href} → HTTP ${r.status()} ${ct}` }
  })

  await page.waitForTimeout(400)
  // Toasts of the steps above are dropped and the page scrolled to the top for the picture.
  await screenshot(page, 'case-detail.png', async () => {
    await page.evaluate(() => {
      document.querySelectorAll('.el-message').forEach((m) => m.remove())
      const main = document.querySelector('.app-main')
      if (main) main.scrollTop = 0
    })
    await page.setViewportSize({ width: 1440, height: 1250 })
    await page.waitForTimeout(300)
  })
  const detailUrl = page.url()

  // ---- 待办 / 预警 ----
  await step('我的待办列出该期限，点击进入案件', async () => {
    await page.goto(`${baseUrl}/todo`, { waitUntil: 'load' })
    const link = page.locator('[data-test=todo-table] [data-test^=clock-open-]').first()
    await link.waitFor({ state: 'visible' })
    const t = (await link.textContent()).trim()
    await link.click()
    await page.waitForURL((u) => /^\/cases\/disclosure_request\/\d+$/.test(u.pathname), { timeout: WAIT_MS })
    // Let the detail page finish loading before the next navigation.
    await waitText(page, '[data-test=case-state]', /征求第三方意见/)
    await page.locator('[data-test=case-clock]').first().waitFor({ state: 'visible' })
    await page.waitForTimeout(300)
    return { ok: /政府信息公开申请/.test(t), detail: t }
  })
  await step('期限预警页可打开', async () => {
    await page.goto(`${baseUrl}/warnings`, { waitUntil: 'load' })
    await page.locator('[data-test=warnings-table]').waitFor({ state: 'visible' })
    await page.locator('[data-test=notifications]').waitFor({ state: 'visible' })
    await page.waitForTimeout(300)
  })

  // ---- unit head: may view, no 登记, no officer steps ----
  let hctx
  await step('单位负责人登录（API）', async () => {
    hctx = await signedInContext(head)
  })
  if (hctx) {
    const hp = await hctx.newPage()
    await watch(hp)
    await step('单位负责人：列表没有“登记”按钮', async () => {
      await hp.goto(`${baseUrl}/cases/disclosure_request`, { waitUntil: 'load' })
      await hp.locator('[data-test^=case-open-]').first().waitFor({ state: 'visible' })
      return { ok: (await count(hp, '[data-test=case-create]')) === 0 }
    })
    await step('单位负责人：案件中没有执法人员的步骤', async () => {
      await hp.goto(detailUrl, { waitUntil: 'load' })
      await waitText(hp, '[data-test=case-state]', /征求第三方意见/)
      await hp.locator('[data-test=case-clock]').first().waitFor({ state: 'visible' })
      return { ok: (await count(hp, '[data-test^=case-action-third_party]')) === 0 }
    })
    await step('单位负责人：看得到附件列表', async () => {
      const t = await waitText(hp, '[data-test=case-attachments]', /答复书 第1号\.pdf/)
      return { ok: true, detail: t.replace(/\s+/g, ' ').slice(0, 60) }
    })
    await hp.waitForTimeout(300)
  }

  await page.waitForTimeout(300)
  checkClean()
} catch (e) {
  caught(e)
} finally {
  await finish()
}
