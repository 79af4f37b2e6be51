// Opened-page tabs (RuoYi "TagsView") state, shared by the layout parts.
import { reactive } from 'vue'

export const tagsState = reactive({
  // [{ path, fullPath, title, affix }]
  visited: [],
})

export function addTag(route) {
  if (!route.meta || !route.meta.title) return
  const found = tagsState.visited.find((t) => t.path === route.path)
  if (found) {
    found.fullPath = route.fullPath
    return
  }
  tagsState.visited.push({
    path: route.path,
    fullPath: route.fullPath,
    title: route.meta.title,
    affix: !!route.meta.affix,
  })
}

// Removes the tab and returns the tab to show next (or null).
export function removeTag(path) {
  const i = tagsState.visited.findIndex((t) => t.path === path)
  if (i < 0 || tagsState.visited[i].affix) return null
  tagsState.visited.splice(i, 1)
  return tagsState.visited[Math.min(i, tagsState.visited.length - 1)] || null
}

// Forgets every tab (on sign-out, so the next user starts clean).
export function clearTags() {
  tagsState.visited.splice(0)
}
