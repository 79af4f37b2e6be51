// Procedure definitions for the generic case UI (docs/definitions.md).
//
// Everything the case pages show is derived from GET /api/defs and
// GET /api/defs/procedure/{kind}: a new procedure in defs/ gets its menu
// entry, list, create form, detail page and action forms without UI code.
import { reactive, watch } from 'vue'
import { get, getAll, rowsOf } from '../../api.js'
import { hasPerm } from '../../auth.js'

const cache = new Map() // kind → Promise<definition>

export function loadDef(kind) {
  if (!cache.has(kind)) {
    const p = get(`/api/defs/procedure/${encodeURIComponent(kind)}`, { silent: true })
    p.catch(() => cache.delete(kind))
    cache.set(kind, p)
  }
  return cache.get(kind)
}

// Procedures (type "procedure") of GET /api/defs: [{name, title}].
export async function listProcedures() {
  const body = await get('/api/defs', { silent: true })
  return rowsOf(body).filter((d) => d.type === 'procedure')
}

// Unit names for 承办单位 (GET /api/units needs system:unit:view; without
// it the unit id is shown).
const units = reactive({ loaded: false, byId: {}, rows: [] })
export const unitList = () => units.rows
let unitsPromise = null
export function loadUnits() {
  if (!hasPerm('system:unit:view')) return Promise.resolve()
  if (!unitsPromise) {
    unitsPromise = getAll('/api/units', {}, { silent: true })
      .then((rows) => {
        for (const u of rows) units.byId[String(u.id)] = u.name
        units.rows = rows
      })
      .catch(() => {})
      .finally(() => {
        units.loaded = true
      })
  }
  return unitsPromise
}
export function unitName(id) {
  if (id === undefined || id === null || id === '') return '—'
  return units.byId[String(id)] || `单位 ${id}`
}

export const partyKinds = ['自然人', '法人', '其他组织']

export const typeDefaults = { string: 200, text: 20000 }

// Fields of the create form: the required ones and those no action's form
// fills in (e.g. 补正要求 belongs to 告知补正, 办理结果 to 答复).
export function creationFields(def) {
  const later = new Set()
  for (const a of def.actions || []) for (const n of a.form || []) later.add(n)
  return (def.fields || []).filter((f) => f.required || !later.has(f.name))
}

// The empty value of a field for a form.
export function blankValue(f) {
  switch (f.type) {
    case 'party':
      return { name: '', kind: '', id_number: '' }
    case 'bool':
      return null
    case 'int':
    case 'money':
    case 'user':
    case 'unit':
      return null
    default:
      return ''
  }
}

// Whether a form value counts as empty (not sent).
export function isEmpty(f, v) {
  if (v === undefined || v === null || v === '') return true
  if (f.type === 'party') return !v || !String(v.name || '').trim()
  return false
}

// Form value → API value (money is entered in 元 and sent in 分).
export function toApi(f, v) {
  if (f.type === 'party') {
    const o = { name: String(v.name).trim() }
    if (v.kind) o.kind = v.kind
    if (v.id_number && String(v.id_number).trim()) o.id_number = String(v.id_number).trim()
    return o.kind || o.id_number ? o : o.name
  }
  if (f.type === 'money') return Math.round(Number(v) * 100)
  if (f.type === 'int' || f.type === 'user' || f.type === 'unit') return Number(v)
  if (typeof v === 'string') return v.trim()
  return v
}

// Element Plus validation rules from the definition: required, max length
// (or max value), options.
export function rulesFor(fields, requiredNames = null) {
  const rules = {}
  for (const f of fields) {
    const req = requiredNames ? requiredNames.includes(f.name) : !!f.required
    const r = []
    if (req) {
      r.push({
        validator: (_rule, v, cb) => (isEmpty(f, v) ? cb(new Error(`请填写${f.label}`)) : cb()),
        trigger: f.type === 'enum' || f.type === 'date' || f.type === 'datetime' || f.type === 'bool' ? 'change' : 'blur',
      })
    }
    if (f.type === 'string' || f.type === 'text' || f.type === 'legal_basis' || f.type === 'region') {
      const max = f.max || typeDefaults[f.type] || 200
      r.push({
        validator: (_rule, v, cb) => (v && [...String(v)].length > max ? cb(new Error(`${f.label}不能超过 ${max} 字`)) : cb()),
        trigger: 'blur',
      })
    }
    if (f.type === 'party') {
      const max = f.max || 200
      r.push({
        validator: (_rule, v, cb) => (v && v.name && [...String(v.name)].length > max ? cb(new Error(`${f.label}名称不能超过 ${max} 字`)) : cb()),
        trigger: 'blur',
      })
    }
    if (f.type === 'enum' && Array.isArray(f.options)) {
      r.push({
        validator: (_rule, v, cb) => (v && !f.options.includes(v) ? cb(new Error(`${f.label}应为可选值之一`)) : cb()),
        trigger: 'change',
      })
    }
    if ((f.type === 'int' || f.type === 'money') && f.max) {
      r.push({
        // money is entered in 元, the definition's max is in 分
        validator: (_rule, v, cb) => {
          if (v === null || v === undefined || v === '') return cb()
          const n = f.type === 'money' ? Math.round(Number(v) * 100) : Number(v)
          return n > f.max ? cb(new Error(`${f.label}不能大于 ${f.type === 'money' ? `${(f.max / 100).toFixed(2)} 元` : f.max}`)) : cb()
        },
        trigger: 'blur',
      })
    }
    if (r.length) rules[f.name] = r
  }
  return rules
}

// A field value for display.
export function showValue(f, v) {
  if (v === undefined || v === null || v === '') return '—'
  if (f && f.type === 'party' && typeof v === 'object') {
    const parts = [v.name || '—']
    if (v.kind) parts.push(v.kind)
    if (v.id_number) parts.push(`证件号 ${v.id_number}`)
    return parts.join('，')
  }
  if (f && f.type === 'money' && typeof v === 'number') return `${(v / 100).toFixed(2)} 元`
  if (f && f.type === 'bool') return v ? '是' : '否'
  if (f && f.type === 'unit') return unitName(v)
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

// A short text of a field value for the list table.
export function cellValue(f, v) {
  if (f && f.type === 'party' && v && typeof v === 'object') return v.name || '—'
  return showValue(f, v)
}

// Colour of a state tag: final states grey, the initial one blue, others orange.
export function stateTagType(def, state) {
  const s = def && (def.states || []).find((x) => x.name === state)
  if (s && s.final) return 'info'
  if (def && def.initial === state) return 'primary'
  return 'warning'
}

// Days left on a clock: 'success' (green) while comfortable, 'warning'
// (orange) once warned or near the warn date, 'danger' (red) when overdue.
export function clockColour(c, today = new Date()) {
  if (!c) return 'info'
  if (c.state === 'overdue' || c.state === 'stopped_late' || (typeof c.remaining === 'number' && c.remaining < 0)) return 'danger'
  if (c.state === 'stopped_in_time') return 'info'
  if (c.state === 'warned') return 'warning'
  if (c.warn_date) {
    const t = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10)
    if (t >= c.warn_date) return 'warning'
  }
  return 'success'
}

export function remainingText(c) {
  if (!c || typeof c.remaining !== 'number') return ''
  const unit = c.remaining_unit === 'wd' ? '个工作日' : c.remaining_unit === 'm' ? '个月' : '日'
  if (c.remaining < 0) return `已超期 ${-c.remaining} ${unit}`
  return `剩余 ${c.remaining} ${unit}`
}

// "case:disclosure_request" → "disclosure_request" (clocks of cases).
export function caseKindOf(subjectKind) {
  const m = /^case:([a-z][a-z0-9_]*)$/.exec(subjectKind || '')
  return m ? m[1] : ''
}

// Drops a server error shown at a field once that field is edited.
export function clearErrorsOnEdit(form, errors) {
  let last = {}
  const snap = () => {
    const o = {}
    for (const k of Object.keys(form)) o[k] = JSON.stringify(form[k])
    return o
  }
  last = snap()
  return watch(
    form,
    () => {
      const now = snap()
      for (const k of Object.keys(now)) if (now[k] !== last[k]) delete errors[k]
      if (now.__comment !== last.__comment) delete errors.comment
      if (now.__to_unit !== last.__to_unit) delete errors.to_unit
      last = now
    },
    { deep: true },
  )
}
