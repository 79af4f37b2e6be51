// 案卷评查 helpers shared by the pages: who may do what (the server checks
// again), tag colours, and the score preview, computed as the server does
// (engine/file_review.c) so the dialog shows the result before it is saved.

const keys = (roles) => new Set((roles || []).map((r) => (r && typeof r === 'object' ? r.key : r)))

// 法制审核员 or 监督员: organise, score, adjust, follow up.
export const canReview = (roles) => {
  const k = keys(roles)
  return k.has('reviewer') || k.has('supervisor')
}

// 单位负责人: 陈述申辩 for the unit's files.
export const isUnitHead = (roles) => keys(roles).has('unit_head')

export const bandType = (b) => ({ excellent: 'success', pass: 'primary', fail: 'danger' })[b] || 'info'
export const fileStateType = (s) => ({ pending: 'info', scored: 'success', disputed: 'warning' })[s] || 'info'

// Bands (DOMAIN §8.4): >= 90 优秀, 60 to < 90 合格, < 60 不合格.
export function band(score) {
  if (score === null || score === undefined) return { code: '', label: '' }
  if (score >= 90) return { code: 'excellent', label: '优秀' }
  if (score >= 60) return { code: 'pass', label: '合格' }
  return { code: 'fail', label: '不合格' }
}

// items: the campaign's rubric items; marks: { code: { veto, deduct } }.
// Half points are exact in binary floating point, so the sum is exact.
export function previewScore(items, marks) {
  let deducted = 0
  for (const it of items || []) {
    const m = marks[it.code] || {}
    if (it.kind === 'veto' && m.veto) return { score: 0, veto: true, ...band(0) }
    if (it.kind === 'deduction') deducted += Number(m.deduct) || 0
  }
  const score = Math.max(0, 100 - deducted)
  return { score, veto: false, ...band(score) }
}

// The marks of the form as the API takes them: every veto item answered,
// every deduction item with a deduction or a note.
export function marksBody(items, marks) {
  const out = []
  for (const it of items || []) {
    const m = marks[it.code] || {}
    const note = (m.note || '').trim()
    if (it.kind === 'veto') out.push(note ? { code: it.code, veto: !!m.veto, note } : { code: it.code, veto: !!m.veto })
    else if (Number(m.deduct) > 0 || note) out.push(note ? { code: it.code, deduct: Number(m.deduct) || 0, note } : { code: it.code, deduct: Number(m.deduct) || 0 })
  }
  return out
}

export const eventLabels = {
  'review.created': '创建评查活动',
  'review.drawn': '抽取样本',
  'review.closed': '集中点评并结束',
  'review.scored': '评分',
  'review.statement': '陈述申辩',
  'review.adjusted': '复核调整',
  'review.retrospected': '复盘',
  'review.referred': '线索移送',
  'review.outcome': '处理结果',
}
