// Shared helpers of the 法治指标 pages (docs/indicators.md §3):
// GET /api/indicators?year=&unit= and the formatting of its numbers.
import { ref } from 'vue'
import { get, query as qs } from '../../api.js'

export const thisYear = new Date().getFullYear()
export const futureYear = (d) => d.getFullYear() > thisYear

// The year picked on one indicator page is kept for the others.
export const pickedYear = ref(String(thisYear))

// Takes ?year=YYYY from the route into the picked year, when it is one.
export function yearFromQuery(route) {
  if (/^\d{4}$/.test(String(route.query.year || ''))) pickedYear.value = String(route.query.year)
}

export function loadIndicators(year, unit = null) {
  return get(`/api/indicators${qs({ year, unit })}`)
}

// A ratio as a percentage; null (denominator 0) is "—", never 100%.
export function pct(v, digits = 2) {
  if (v === null || v === undefined || !isFinite(v)) return '—'
  return `${(v * 100).toFixed(digits).replace(/\.?0+$/, '')}%`
}

export function targetText(ind) {
  if (!ind) return '—'
  return `${ind.direction === '<=' ? '≤' : '≥'} ${pct(ind.target)}`
}

// 达标 / 未达标 / 无数据 (met is null when there is no value).
export function metTag(met) {
  if (met === true) return { type: 'success', text: '达标' }
  if (met === false) return { type: 'danger', text: '未达标' }
  return { type: 'info', text: '无数据' }
}

// 同比: the change against last year's value, or null when either is missing.
export function yoy(value, prev) {
  if (value === null || value === undefined || prev === null || prev === undefined) return null
  const d = value - prev
  return { diff: d, up: d > 0, down: d < 0, text: `${d > 0 ? '+' : ''}${(d * 100).toFixed(2).replace(/\.?0+$/, '')} 个百分点` }
}

// "better" for the indicator's direction: >= wants a rise, <= a fall.
export function yoyGood(ind, y) {
  if (!y || y.diff === 0) return null
  return ind && ind.direction === '<=' ? y.down : y.up
}

// Route to the cases behind a number.
export function casesRoute(name, year, part, unit = null) {
  const q = { year: String(year), part }
  if (unit) q.unit = String(unit)
  return { path: `/indicators/cases/${name}`, query: q }
}
