// Side menu as data. Each entry: { path, title, icon, perm, roles?, children? }.
// `icon` names an @element-plus/icons-vue component (see layout/icons.js);
// `perm` is the permission string needed to see the entry (RuoYi style, e.g.
// "system:user:view"; see the table at the end of docs/identity.md). Entries
// with children are directories, shown only when a child is visible.
import { reactive } from 'vue'

// 案件办理: one entry per procedure of GET /api/defs, filled in by
// loadCaseMenus() once the user is signed in (router.js). Every entry opens
// the generic list page /cases/{kind}, so a new procedure in defs/ appears
// here without UI changes. Reactive, so the side menu updates when it loads.
export const caseMenus = reactive([])

export const menus = [
  { path: '/index', title: '首页', icon: 'HomeFilled' },
  { path: '/todo', title: '我的待办', icon: 'Clock', perm: 'clock:view' },
  { path: '/warnings', title: '期限预警', icon: 'Monitor', perm: 'clock:view' },
  { path: '/cases', title: '案件办理', icon: 'Tickets', children: caseMenus },
  {
    path: '/indicators',
    title: '法治指标',
    icon: 'DataAnalysis',
    children: [
      { path: '/indicators/dashboard', title: '指标看板', icon: 'DataAnalysis', perm: 'case:view' },
      { path: '/indicators/ranking', title: '单位排名', icon: 'Histogram', perm: 'case:view' },
      { path: '/indicators/warnings', title: '预警分布', icon: 'Monitor', perm: 'clock:view' },
      { path: '/indicators/report', title: '年度报告', icon: 'Document', perm: 'case:view' },
    ],
  },
  {
    path: '/enforcement',
    title: '行政执法',
    icon: 'Avatar',
    children: [
      { path: '/enforcement/officers', title: '执法人员状况', icon: 'User', perm: 'catalog:view' },
      // Every case reader may open the queue; the menu offers it to 法制审核员.
      { path: '/enforcement/legal-reviews', title: '法制审核', icon: 'Tickets', perm: 'case:view', roles: ['reviewer'] },
      // 案卷评查: every case reader sees the campaigns and the files in scope.
      { path: '/enforcement/reviews', title: '案卷评查', icon: 'Document', perm: 'case:view' },
    ],
  },
  {
    path: '/system',
    title: '系统管理',
    icon: 'Setting',
    children: [
      { path: '/system/status', title: '系统状态', icon: 'Monitor', perm: 'system:status:view' },
      { path: '/system/regions', title: '区划管理', icon: 'Location', perm: 'system:region:view' },
      { path: '/system/units', title: '单位管理', icon: 'OfficeBuilding', perm: 'system:unit:view' },
      { path: '/system/users', title: '用户管理', icon: 'User', perm: 'system:user:view' },
      { path: '/system/roles', title: '角色管理', icon: 'Avatar', perm: 'system:role:view' },
      { path: '/system/tokens', title: 'API 令牌', icon: 'Key', perm: 'system:token:manage' },
      { path: '/system/calendar', title: '工作日历', icon: 'Clock', perm: 'calendar:view' },
    ],
  },
  {
    path: '/security',
    title: '安全管理',
    icon: 'Lock',
    children: [{ path: '/security/policy', title: '安全策略', icon: 'Lock', perm: 'security:policy:view' }],
  },
  {
    path: '/audit',
    title: '审计管理',
    icon: 'Tickets',
    children: [
      { path: '/audit/events', title: '审计日志', icon: 'Document', perm: 'audit:log:view' },
      { path: '/audit/logins', title: '登录日志', icon: 'Clock', perm: 'audit:log:view' },
    ],
  },
]

const ALL = '*:*:*'

// The page "/" leads to: the system status page for those who may see it,
// otherwise the welcome page (every signed-in user may see that one).
export function homeFor(perms) {
  const set = perms instanceof Set ? perms : new Set(perms || [])
  return set.has(ALL) || set.has('system:status:view') ? '/system/status' : '/index'
}

// Returns the menu tree visible to a user holding `perms` (a Set or array of
// permission strings; "*:*:*" grants everything). An entry with `roles` (role
// keys) is shown only to holders of one of them (`roles`: the user's roles,
// keys or { key } objects) or of "*:*:*". Directories left without visible
// children are dropped.
export function filterMenus(items, perms, roles = []) {
  const set = perms instanceof Set ? perms : new Set(perms || [])
  const keys = new Set((roles || []).map((r) => (r && typeof r === 'object' ? r.key : r)))
  const allowed = (m) => (!m.perm || set.has(ALL) || set.has(m.perm)) && (!m.roles || set.has(ALL) || m.roles.some((k) => keys.has(k)))
  const out = []
  for (const m of items) {
    if (m.children) {
      const children = filterMenus(m.children, set, roles)
      if (children.length) out.push({ ...m, children })
    } else if (allowed(m)) {
      out.push(m)
    }
  }
  return out
}

// Finds the chain of menu entries leading to `path` (for the breadcrumb).
export function menuTrail(path, items = menus, trail = []) {
  for (const m of items) {
    const here = [...trail, m]
    if (m.path === path) return here
    if (m.children) {
      const found = menuTrail(path, m.children, here)
      if (found) return found
    }
  }
  return null
}

// "/system/users" → "menu-system-users" (data-test names for browser tests).
export function menuTestId(path) {
  return `menu-${path.replace(/^\/+/, '').replace(/\//g, '-')}`
}

// Fills caseMenus from the procedure list (GET /api/defs); `fetchDefs` is
// injected (api.js get) so this file stays free of network code. Called on
// every sign-in; failures leave the directory empty (hidden).
let caseMenusFor = null
export async function loadCaseMenus(fetchDefs, userId) {
  if (caseMenusFor === userId) return
  caseMenusFor = userId
  try {
    const body = await fetchDefs()
    const rows = (body && Array.isArray(body.rows) && body.rows) || []
    const items = rows
      .filter((d) => d.type === 'procedure' && /^[a-z][a-z0-9_]*$/.test(d.name || ''))
      .map((d) => ({ path: `/cases/${d.name}`, title: d.title || d.name, icon: 'Document', perm: 'case:view' }))
    caseMenus.splice(0, caseMenus.length, ...items)
  } catch {
    caseMenusFor = null
    caseMenus.splice(0, caseMenus.length)
  }
}
