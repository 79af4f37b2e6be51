// Shared helpers of the 法治指标 pages (docs/indicators.md §3): the picked
// period (kept across pages and in the URL), the grouping, the API calls
// and the formatting of their numbers.
import { reactive } from 'vue'
import { get, query as qs } from '../../api.js'

export const thisYear = new Date().getFullYear()
export const futureYear = (d) => d.getFullYear() > thisYear
const now = new Date()
// Months after this one have no data yet.
export const futureMonth = (d) => d.getFullYear() * 12 + d.getMonth() > now.getFullYear() * 12 + now.getMonth()

export const QUARTERS = ['第一季度', '第二季度', '第三季度', '第四季度']
export const MONTHS = Array.from({ length: 12 }, (_, i) => `${i + 1}月`)
export const MAX_MONTHS = 120 // the API's longest custom range

// The period picked on one indicator page is kept for the others.
// pick: 'year' | 'q1'..'q4' | 'm1'..'m12' | 'custom' (from..to, "YYYY-MM").
export const period = reactive({ year: String(thisYear), pick: 'year', from: '', to: '' })

// "YYYY-MM" (years 1990–2100, as the API) as months since year 0, or null.
export function monthIndex(s) {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(String(s || ''))
  return m && +m[1] >= 1990 && +m[1] <= 2100 ? +m[1] * 12 + +m[2] - 1 : null
}
const validYear = (s) => /^\d{4}$/.test(s) && +s >= 1990 && +s <= 2100

// Takes the period from the route's query (?year=&quarter= | &month= |
// ?from=&to=) when it is a valid one; bad values are ignored.
export function periodFromQuery(route) {
  const s = (k) => String(route.query[k] ?? '')
  const a = monthIndex(s('from'))
  const b = monthIndex(s('to'))
  if (a !== null && b !== null && b >= a && b - a < MAX_MONTHS) {
    Object.assign(period, { pick: 'custom', from: s('from'), to: s('to'), year: s('from').slice(0, 4) })
    return
  }
  if (!validYear(s('year'))) return
  const q = /^[1-4]$/.test(s('quarter')) ? s('quarter') : ''
  const m = /^([1-9]|1[0-2])$/.test(s('month')) ? s('month') : ''
  Object.assign(period, { year: s('year'), from: '', to: '', pick: q && !m ? `q${q}` : m && !q ? `m${m}` : 'year' })
}

// The period as query parameters of the API and of the pages' URLs.
export function periodParams(p = period) {
  if (p.pick === 'custom') return { from: p.from, to: p.to }
  if (p.pick[0] === 'q') return { year: p.year, quarter: p.pick.slice(1) }
  if (p.pick[0] === 'm') return { year: p.year, month: p.pick.slice(1) }
  return { year: p.year }
}

// The year whose months the trend shows: the picked one, or where a custom range starts.
export const trendYear = () => (period.pick === 'custom' ? period.from.slice(0, 4) : period.year)

// Replaces the period (and extra keys; undefined drops one) in the URL.
export function syncQuery(router, route, extra = {}) {
  const q = { ...route.query }
  for (const k of ['year', 'quarter', 'month', 'from', 'to']) delete q[k]
  Object.assign(q, periodParams(), extra)
  for (const k of Object.keys(q)) if (q[k] === undefined || q[k] === null) delete q[k]
  router.replace({ query: q })
}

// Groupings of GET /api/indicators?group=.
export const GROUPS = [
  { value: 'unit', label: '单位' },
  { value: 'unit_type', label: '单位类型' },
  { value: 'township', label: '乡镇' },
  { value: 'region', label: '区县' },
]
export const groupFromQuery = (route) =>
  GROUPS.some((g) => g.value === route.query.group) ? String(route.query.group) : 'unit'
export const groupLabel = (g) => (GROUPS.find((x) => x.value === g) || GROUPS[0]).label

// A row of a grouped answer: units carry unit_id / unit_name, groups key / name.
export const rowKey = (row) => (row.unit_id !== undefined ? String(row.unit_id) : row.key)
export const rowName = (row) => (row.unit_id !== undefined ? row.unit_name || `#${row.unit_id}` : row.name || row.key)
// Ties in the same order every time: by unit id, or by key.
export const byKey = (a, b) => (a.unit_id ?? 0) - (b.unit_id ?? 0) || String(a.key ?? '').localeCompare(String(b.key ?? ''))
export const groupRows = (ind) => (ind ? ind.units || ind.groups || [] : [])
// The drill-down filter for a row: unit=ID, or group=&key=.
export const rowFilter = (group, row) => (group === 'unit' ? { unit: row.unit_id } : { group, key: row.key })

// filter: { unit } | { group, key } | {}.
export function loadIndicators(filter = {}) {
  return get(`/api/indicators${qs({ ...periodParams(), ...filter })}`)
}
export function loadTrend(year, unit = null) {
  return get(`/api/indicators/trend${qs({ year, unit })}`)
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
export const metClass = (met) => (met === true ? 'good' : met === false ? 'bad' : '')

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

// Route to the cases behind a number: part of indicator name, for a row
// filter ({ unit } | { group, key }) over a period (default: the picked one).
export function casesRoute(name, part, filter = {}, per = periodParams()) {
  const q = { ...per, part }
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== null && v !== '') q[k] = String(v)
  return { path: `/indicators/cases/${name}`, query: q }
}

// Routes of the other indicator pages, over the picked period.
export const rankingRoute = (extra = {}) => ({ path: '/indicators/ranking', query: { ...periodParams(), ...extra } })
export const unitRoute = (id) => ({ path: `/indicators/units/${id}`, query: periodParams() })
export const dashboardRoute = () => ({ path: '/indicators/dashboard', query: periodParams() })

// Runs load() with loading.value set and its answer in target.value ({} on failure).
export async function loadInto(target, loading, load) {
  loading.value = true
  try {
    target.value = (await load()) || {}
  } catch {
    target.value = {}
  } finally {
    loading.value = false
  }
}
