import { createRouter, createWebHistory } from 'vue-router'
import { ElMessage } from 'element-plus'
import Layout from './layout/Layout.vue'
import { homeFor, loadCaseMenus } from './menu.js'
import { appTitle } from './config.js'
import { auth, loadMe, clearAuth, hasPerm } from './auth.js'
import { setAuthHandlers, get } from './api.js'
import { clearTags } from './layout/tags.js'

// meta.perm: the permission needed (docs/identity.md, 界面菜单与权限); without
// it the layout shows the 403 page in place. meta.public: no sign-in needed.
const page = (path, name, title, perm, component, extra = {}) => ({
  path,
  name,
  component,
  meta: { title, perm, ...extra },
})

const routes = [
  {
    path: '/login',
    name: 'Login',
    component: () => import('./views/auth/Login.vue'),
    meta: { title: '登录', public: true },
  },
  {
    path: '/public',
    name: 'PublicPublications',
    component: () => import('./views/public/Publications.vue'),
    meta: { title: '行政执法公示', public: true },
  },
  {
    path: '/password',
    name: 'Password',
    component: () => import('./views/auth/Password.vue'),
    meta: { title: '修改密码' },
  },
  {
    path: '/',
    component: Layout,
    children: [
      page('index', 'Home', '首页', undefined, () => import('./views/Home.vue')),
      page('system/status', 'SystemStatus', '系统状态', 'system:status:view', () => import('./views/system/Status.vue'), {
        affix: true,
      }),
      page('system/regions', 'Regions', '区划管理', 'system:region:view', () => import('./views/system/Regions.vue')),
      page('system/units', 'Units', '单位管理', 'system:unit:view', () => import('./views/system/Units.vue')),
      page('system/users', 'Users', '用户管理', 'system:user:view', () => import('./views/system/Users.vue')),
      page('system/roles', 'Roles', '角色管理', 'system:role:view', () => import('./views/system/Roles.vue')),
      page('system/tokens', 'Tokens', 'API 令牌', 'system:token:manage', () => import('./views/system/Tokens.vue')),
      page('system/calendar', 'Calendar', '工作日历', 'calendar:view', () => import('./views/system/Calendar.vue')),
      page('security/policy', 'SecurityPolicy', '安全策略', 'security:policy:view', () => import('./views/security/Policy.vue')),
      page('audit/events', 'AuditEvents', '审计日志', 'audit:log:view', () => import('./views/audit/Events.vue')),
      page('audit/logins', 'AuditLogins', '登录日志', 'audit:log:view', () => import('./views/audit/Logins.vue')),
      // 案件办理 (generic, rendered from the procedure definition) and 待办 / 预警.
      page('cases/:kind([a-z][a-z0-9_]*)', 'CaseList', '案件列表', 'case:view', () => import('./views/cases/CaseList.vue')),
      page('cases/:kind([a-z][a-z0-9_]*)/:id(\\d+)', 'CaseDetail', '案件详情', 'case:view', () => import('./views/cases/CaseDetail.vue')),
      page('todo', 'Todo', '我的待办', 'clock:view', () => import('./views/todo/Todo.vue')),
      page('warnings', 'Warnings', '期限预警', 'clock:view', () => import('./views/todo/Warnings.vue')),
      page('enforcement/officers', 'OfficerStatus', '执法人员状况', 'catalog:view', () =>
        import('./views/enforcement/OfficerStatus.vue'),
      ),
      page('enforcement/legal-reviews', 'LegalReviewQueue', '法制审核', 'case:view', () =>
        import('./views/legalreview/ReviewQueue.vue'),
      ),
      page('enforcement/reviews', 'FileReviews', '案卷评查', 'case:view', () => import('./views/filereview/CampaignList.vue')),
      page('enforcement/reviews/:id(\\d+)', 'FileReviewCampaign', '评查详情', 'case:view', () =>
        import('./views/filereview/CampaignDetail.vue'),
      ),
      // 法治指标 (docs/indicators.md): 看板, 单位排名, 单位指标, 下钻案件, 预警分布.
      page('indicators/dashboard', 'IndicatorDashboard', '指标看板', 'case:view', () => import('./views/indicators/Dashboard.vue')),
      page('indicators/ranking', 'IndicatorRanking', '单位排名', 'case:view', () => import('./views/indicators/Ranking.vue')),
      page('indicators/units/:id(\\d+)', 'IndicatorUnit', '单位指标', 'case:view', () =>
        import('./views/indicators/UnitIndicators.vue'),
      ),
      page('indicators/cases/:name([a-z][a-z0-9_]*)', 'IndicatorCases', '指标案件', 'case:view', () =>
        import('./views/indicators/IndicatorCases.vue'),
      ),
      page('indicators/warnings', 'IndicatorWarnings', '预警分布', 'clock:view', () =>
        import('./views/indicators/UnitWarnings.vue'),
      ),
      page('indicators/report', 'AnnualReport', '年度报告', 'case:view', () => import('./views/report/AnnualReport.vue')),
      page('search', 'Search', '全文检索', undefined, () => import('./views/search/Search.vue')),
      page('profile/totp', 'ProfileTotp', '动态口令设置', undefined, () => import('./views/profile/Totp.vue')),
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

// Only same-site paths are followed after sign-in (no open redirect).
export function safeRedirect(r) {
  return typeof r === 'string' && r.startsWith('/') && !r.startsWith('//') && !r.startsWith('/\\') && !r.startsWith('/login')
    ? r
    : '/'
}

router.beforeEach(async (to) => {
  if (!auth.loaded) {
    try {
      await loadMe()
    } catch (e) {
      ElMessage.error(e && e.message ? e.message : '无法获取登录状态')
    }
  }
  if (to.meta.public) {
    // A signed-in user opening /login goes on to where they were headed.
    if (to.name === 'Login' && auth.user) return safeRedirect(to.query.redirect)
    return true
  }
  if (!auth.user) return { path: '/login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (auth.mustChangePassword && to.name !== 'Password') return { path: '/password' }
  if (auth.totpSetupRequired && to.name !== 'ProfileTotp' && to.name !== 'Password') return { path: '/profile/totp' }
  // "/" is decided here, after the user's permissions are known (a route-level
  // redirect would run before loadMe and always pick the welcome page).
  if (to.path === '/') return { path: homeFor(auth.permissions), replace: true }
  // The 案件办理 menu lists the procedures (not awaited: the page need not wait);
  // not before a required password change or TOTP setup is done.
  if (hasPerm('case:view') && !auth.mustChangePassword && !auth.totpSetupRequired) loadCaseMenus(() => get('/api/defs', { silent: true }), auth.user.id)
  return true
})

router.afterEach((to) => {
  const t = to.meta && to.meta.title
  document.title = t ? `${t} - ${appTitle}` : appTitle
})

// Answers of the API that end the session or demand a new password.
let redirecting = false
setAuthHandlers({
  unauthenticated(code) {
    clearAuth()
    clearTags()
    const cur = router.currentRoute.value
    if (redirecting || cur.name === 'Login') return
    redirecting = true
    ElMessage.warning(code === 'session_expired' ? '登录已超时，请重新登录' : '请先登录')
    const query = cur.fullPath && cur.fullPath !== '/' ? { redirect: cur.fullPath } : {}
    router.push({ path: '/login', query }).finally(() => {
      redirecting = false
    })
  },
  passwordChangeRequired() {
    auth.mustChangePassword = true
    if (router.currentRoute.value.name !== 'Password') router.push('/password')
  },
  totpSetupRequired() {
    auth.totpSetupRequired = true
    if (router.currentRoute.value.name !== 'ProfileTotp') router.push('/profile/totp')
  },
})

export default router
