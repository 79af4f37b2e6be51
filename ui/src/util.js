// Small helpers shared by the pages.
import { ElMessage, ElMessageBox } from 'element-plus'

const pad = (n) => String(n).padStart(2, '0')

// Formats a time given as RFC 3339 text, epoch milliseconds or a Date as
// "YYYY-MM-DD HH:mm:ss" in local time; "—" when empty.
export function fmtTime(v) {
  if (v === undefined || v === null || v === '' || v === 0) return '—'
  const d = v instanceof Date ? v : new Date(typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v)
  if (Number.isNaN(d.getTime())) return String(v)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

export function isFuture(v) {
  if (!v) return false
  const d = new Date(v)
  return !Number.isNaN(d.getTime()) && d.getTime() > Date.now()
}

// Builds a tree from a flat list. Items whose parent is missing (e.g. outside
// the user's data scope) become roots. Returns new objects with `children`
// (omitted on leaves, so el-table shows no expander there).
export function buildTree(list, idKey = 'id', parentKey = 'parent_id') {
  const nodes = new Map()
  for (const it of list || []) nodes.set(String(it[idKey]), { ...it })
  const roots = []
  for (const n of nodes.values()) {
    const p = n[parentKey]
    const parent = p !== undefined && p !== null && p !== '' && p !== 0 ? nodes.get(String(p)) : null
    if (parent && parent !== n) (parent.children || (parent.children = [])).push(n)
    else roots.push(n)
  }
  return roots
}

// 409 in_use on delete: the server's Chinese message, plus the count when the
// message does not already say it.
export function inUseText(e) {
  const b = (e && e.body) || {}
  const n = (b.error && b.error.count) ?? b.count
  const msg = (e && e.message) || '仍在使用中，无法删除'
  return n !== undefined && n !== null && !msg.includes(String(n)) ? `${msg}（共 ${n} 项）` : msg
}
export function showInUse(e) {
  return ElMessageBox.alert(inUseText(e), '无法删除', { type: 'warning', confirmButtonText: '知道了' }).catch(() => {})
}

// Copies text to the clipboard; falls back to a hidden textarea where the
// async clipboard API is unavailable (plain http on a LAN address).
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // fall through
  }
  const ta = document.createElement('textarea')
  ta.value = text
  ta.setAttribute('readonly', '')
  ta.style.position = 'fixed'
  ta.style.left = '-9999px'
  document.body.appendChild(ta)
  ta.select()
  let ok = false
  try {
    ok = document.execCommand('copy')
  } catch {
    ok = false
  }
  document.body.removeChild(ta)
  return ok
}

// Shows an ApiError's message unless api.js already dealt with it (sign-in
// or password change redirect).
export function showError(e) {
  if (e && !e.handled) ElMessage.error(e.message || '操作失败')
}

// Per-field errors of an ApiError as { field: message }, {} otherwise.
export function fieldErrors(e) {
  return (e && e.fields && typeof e.fields === 'object' && e.fields) || {}
}
