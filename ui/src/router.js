import { createRouter, createWebHistory } from 'vue-router'
import Layout from './layout/Layout.vue'
import { homePath } from './menu.js'
import { appTitle } from './config.js'

const routes = [
  {
    path: '/',
    component: Layout,
    redirect: homePath,
    children: [
      {
        path: 'system/status',
        name: 'SystemStatus',
        component: () => import('./views/system/Status.vue'),
        meta: { title: '系统状态', affix: true },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'NotFound',
        component: () => import('./views/error/NotFound.vue'),
        meta: { title: '页面不存在' },
      },
    ],
  },
]

const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.afterEach((to) => {
  const t = to.meta && to.meta.title
  document.title = t ? `${t} - ${appTitle}` : appTitle
})

export default router
