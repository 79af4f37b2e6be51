// Shared loading for the 待办 and 预警 pages: procedure titles and the case
// numbers of the clocks shown (one GET per case, only for the visible rows).
import { reactive } from 'vue'
import { get } from '../../api.js'
import { listProcedures, caseKindOf } from '../cases/defs.js'

export const titles = reactive({})
export const nos = reactive({})

let titlesPromise = null
export function loadTitles() {
  if (!titlesPromise) {
    titlesPromise = listProcedures()
      .then((rows) => {
        for (const r of rows) titles[r.name] = r.title
      })
      .catch(() => {
        titlesPromise = null
      })
  }
  return titlesPromise
}

export function loadNos(rows) {
  const want = new Set()
  for (const r of rows) {
    const kind = caseKindOf(r.subject_kind)
    if (kind && !nos[`${kind}/${r.subject_id}`]) want.add(`${kind}/${r.subject_id}`)
  }
  return Promise.all(
    [...want].slice(0, 50).map((key) =>
      get(`/api/cases/${key}`, { silent: true })
        .then((c) => {
          if (c && c.no) nos[key] = c.no
        })
        .catch(() => {}),
    ),
  )
}
