// Side menu as data. Each entry: { path, title, icon, perm, children? }.
// `icon` names an @element-plus/icons-vue component (see layout/icons.js);
// `perm` is the permission string a later issue filters on (RuoYi style,
// e.g. "system:status:view"). Entries with children are directories.
export const menus = [
  {
    path: '/system',
    title: '系统管理',
    icon: 'Setting',
    perm: 'system',
    children: [
      {
        path: '/system/status',
        title: '系统状态',
        icon: 'Monitor',
        perm: 'system:status:view',
      },
    ],
  },
]

// The page shown at "/" and pinned as the first tab.
export const homePath = '/system/status'

// Returns the menu tree visible to a user holding `perms` (a Set or array of
// permission strings; "*:*:*" grants everything). Directories left without
// visible children are dropped. Not wired yet: login comes in a later issue.
export function filterMenus(items, perms) {
  const set = perms instanceof Set ? perms : new Set(perms || [])
  const allowed = (p) => !p || set.has('*:*:*') || set.has(p)
  const out = []
  for (const m of items) {
    if (m.children) {
      const children = filterMenus(m.children, set)
      if (children.length) out.push({ ...m, children })
    } else if (allowed(m.perm)) {
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
