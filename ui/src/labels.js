// Chinese labels for codes used by the identity-and-access API.

// Built-in roles (三权分立); used when GET /api/roles is not allowed.
export const builtinRoles = [
  { key: 'sys_admin', name: '系统管理员' },
  { key: 'sec_admin', name: '安全管理员' },
  { key: 'audit_admin', name: '审计管理员' },
  { key: 'officer', name: '执法人员' },
  { key: 'reviewer', name: '法制审核员' },
  { key: 'unit_head', name: '单位负责人' },
  { key: 'supervisor', name: '监督员' },
  { key: 'leader', name: '领导' },
]
export const adminRoleKeys = ['sys_admin', 'sec_admin', 'audit_admin']

export const dataScopes = [
  { value: 'all', label: '全部数据' },
  { value: 'custom', label: '自定义单位' },
  { value: 'unit', label: '本单位' },
  { value: 'unit_below', label: '本单位及以下' },
  { value: 'self', label: '仅本人' },
]
export const dataScopeLabel = (v) => (dataScopes.find((d) => d.value === v) || { label: v || '—' }).label

export const unitTypes = ['执法主体', '综合执法队', '乡镇', '部门', '其他']
export const legalStatuses = ['行政机关', '法律法规授权组织', '受委托组织']

// Region levels as GB/T 2260 + 统计用区划代码 levels: 1 省级 … 5 村级
// (the server sends the number; names are accepted too).
const levelNames = {
  province: '省级',
  prefecture: '地级',
  county: '县级',
  township: '乡级',
  village: '村级',
  1: '省级',
  2: '地级',
  3: '县级',
  4: '乡级',
  5: '村级',
}
export const regionLevelLabel = (l) => levelNames[l] || (l === undefined || l === null ? '' : String(l))

// Audit actions; unknown ones are shown by their code.
export const actionLabels = {
  'system.init': '系统初始化',
  'system.config_changed': '配置变更',
  'chain.checkpoint': '链头存证',
  'auth.login': '登录',
  'auth.login_failed': '登录失败',
  'auth.logout': '退出登录',
  'auth.password_changed': '修改密码',
  'auth.totp_setup': '生成动态口令密钥',
  'auth.totp_enabled': '启用动态口令',
  'auth.totp_disabled': '停用动态口令',
  'auth.locked': '账户锁定',
  'region.created': '新增区划',
  'region.updated': '修改区划',
  'region.deleted': '删除区划',
  'unit.created': '新增单位',
  'unit.updated': '修改单位',
  'unit.deleted': '删除单位',
  'user.created': '新增用户',
  'user.updated': '修改用户',
  'user.disabled': '停用用户',
  'user.enabled': '启用用户',
  'user.password_reset': '重置密码',
  'user.unlocked': '解锁账户',
  'role.created': '新增角色',
  'role.updated': '修改角色',
  'role.deleted': '删除角色',
  'token.created': '创建 API 令牌',
  'token.revoked': '吊销 API 令牌',
  'security.policy_changed': '修改安全策略',
  'case.created': '创建案件',
  'case.imported': '导入历史案件',
  'case.history': '导入的历史步骤',
}
export const actionLabel = (a) => actionLabels[a] || a || ''

export const loginReasons = {
  bad_credentials: '用户名或密码错误',
  totp_required: '需要动态口令',
  bad_totp: '动态口令错误',
  locked: '账户已锁定',
  disabled: '账户已停用',
  too_many_requests: '请求过于频繁',
}
export const loginReasonLabel = (r) => loginReasons[r] || r || ''
