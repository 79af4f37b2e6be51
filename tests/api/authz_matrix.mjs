// The authorisation matrix (issue 3): every API route × every built-in role
// (plus a custom unit-scoped role and an API token) × an object in the
// caller's own unit, one below it and one in another unit, with the expected
// allow / deny, all generated from ONE table (ROUTES below). The test lists
// the router's routes (GET /api/system/routes) and fails on any route missing
// from the table, or any table entry the server does not have. Every
// non-public route is also called without credentials (401).
//
// Outcome classes:
//   allow      the route's success status (2xx); for lists: 200 and the
//              object is in the list
//   forbidden  403 forbidden (the caller lacks the permission)
//   not_found  404 not_found (the object is outside the caller's data scope)
//   hidden     lists: 200 but the object is not in the list (out of scope)
//   bad_unit   creates: 400 with fields.unit_id (the unit is out of scope)
//
// Callers all sit in unit A; "own" objects are in A, "below" objects in a
// child of A, "other" objects in unit B (a sibling of A).
import crypto from 'node:crypto';
import { initData, login, loginAdmin, startServer, tally } from './lib.mjs';

const t = tally();
const watchdog = setTimeout(() => {
  t.fail('time bound', 'the matrix did not finish within 10 minutes');
  process.exit(t.summary() || 1);
}, 600000);
watchdog.unref();

const REQ_TIMEOUT_MS = 30000;
const PW = 'Secret-Passw0rd-26';

// ---- built-in roles, as docs/identity.md and store/migrate.c define them ----
const BUILTIN = {
  sys_admin: { scope: 'all', perms: ['system:status:view', 'system:region:view', 'system:region:edit', 'system:unit:view',
    'system:unit:edit', 'system:user:view', 'system:user:edit', 'system:role:view', 'system:role:edit', 'system:token:manage',
    'calendar:view', 'calendar:edit', 'system:scheduler:run', 'catalog:view', 'catalog:edit'] },
  sec_admin: { scope: 'all', perms: ['system:status:view', 'security:policy:view', 'security:policy:edit',
    'security:user:unlock', 'system:user:view', 'system:unit:view', 'calendar:view', 'catalog:view'] },
  audit_admin: { scope: 'all', perms: ['audit:log:view', 'audit:log:export', 'chain:view', 'chain:checkpoint', 'calendar:view', 'catalog:view'] },
  officer: { scope: 'unit', perms: ['system:unit:view', 'calendar:view', 'clock:view', 'clock:edit', 'case:view', 'case:create', 'case:handle', 'catalog:view'] },
  reviewer: { scope: 'unit_below', perms: ['system:unit:view', 'calendar:view', 'clock:view', 'case:view', 'case:handle', 'catalog:view'] },
  unit_head: { scope: 'unit_below', perms: ['system:unit:view', 'system:user:view', 'calendar:view', 'clock:view', 'clock:edit', 'case:view', 'case:handle', 'catalog:view'] },
  supervisor: { scope: 'all', perms: ['system:unit:view', 'system:user:view', 'calendar:view', 'clock:view', 'case:view', 'catalog:view'] },
  leader: { scope: 'all', perms: ['system:unit:view', 'calendar:view', 'clock:view', 'case:view', 'catalog:view'] },
};
// A custom role with write permissions and a narrow scope, so that the
// deny-scope side of the write routes is exercised too.
const CUSTOM = { key: 'unit_admin', name: '单位系统管理员', scope: 'unit_below',
  perms: ['system:unit:view', 'system:unit:edit', 'system:user:view', 'system:user:edit', 'system:token:manage', 'system:role:view'] };
// An API token for unit A carrying every permission of its creator (admin).
const TOKEN_PERMS = BUILTIN.sys_admin.perms;

function visible(scope, ctx) {
  if (scope === 'all') return true;
  if (scope === 'unit') return ctx === 'own';
  if (scope === 'unit_below' || scope === 'token') return ctx === 'own' || ctx === 'below';
  return false;
}

// ---- small HTTP clients with a time bound ----
class Client {
  constructor(base, { cookie = '', csrf = '', bearer = '' } = {}) { Object.assign(this, { base, cookie, csrf, bearer }); }
  async req(method, p, body, extra = {}) {
    const h = { ...extra };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.bearer) h.Authorization = `Bearer ${this.bearer}`;
    if (this.cookie && !['GET', 'HEAD'].includes(method)) h['X-CSRF-Token'] = this.csrf;
    const form = body instanceof FormData; // multipart uploads (attachments)
    if (body !== undefined && !form) h['Content-Type'] = 'application/json';
    const r = await fetch(this.base + p, {
      method, headers: h, body: body === undefined || form ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(REQ_TIMEOUT_MS), redirect: 'manual',
    });
    const text = await r.text();
    let json; try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, json, text, headers: r.headers };
  }
  get(p) { return this.req('GET', p); }
  post(p, b = {}) { return this.req('POST', p, b); }
  put(p, b = {}) { return this.req('PUT', p, b); }
  del(p) { return this.req('DELETE', p); }
}
const asClient = (s) => new Client(s.base, { cookie: s.cookie, csrf: s.csrf });

// RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s) from a base32 secret.
function base32Decode(s) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, val = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    const i = alpha.indexOf(ch);
    if (i < 0) throw new Error(`bad base32 ${ch}`);
    val = (val << 5) | i; bits += 5;
    if (bits >= 8) { out.push((val >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}
function totp(secret, step = Math.floor(Date.now() / 30000)) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = crypto.createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const o = h[h.length - 1] & 15;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1000000).padStart(6, '0');
}

// ---- the server and its fixtures ----
const data = initData(['--region-code', '532624']);
const srv = await startServer(data);
let uniq = 0;
const next = () => ++uniq;

async function must(p, what) {
  const r = await p;
  if (r.status < 200 || r.status > 299) throw new Error(`setup: ${what}: ${r.status} ${r.text}`);
  return r.json;
}

try {
  const adminS = await loginAdmin(srv.base);
  const admin = asClient(adminS);
  const unitBody = (name, parent_id) => ({ name, type: '部门', legal_status: '行政机关', region_code: '532624', parent_id });
  const U = {};
  U.own = (await must(admin.post('/api/units', unitBody('甲单位', 1)), 'unit A')).id;
  U.other = (await must(admin.post('/api/units', unitBody('乙单位', 1)), 'unit B')).id;
  U.below = (await must(admin.post('/api/units', unitBody('甲单位下属', U.own)), 'unit A-child')).id;
  U.otherBelow = (await must(admin.post('/api/units', unitBody('乙单位下属', U.other)), 'unit B-child')).id;

  // Callers: one user per built-in role, in unit A; then the custom role; then a token.
  const who = {}; // name -> {name, kind, perms:Set, scope, client, username, pw}
  async function makeCaller(name, roles, perms, scope) {
    const username = `m_${name}`;
    const c = await must(admin.post('/api/users', { username, name: `矩阵${name}`, unit_id: U.own, roles }), `user ${username}`);
    const s = await login(srv.base, username, c.initial_password, PW);
    who[name] = { name, kind: 'user', perms: new Set(perms), scope, client: asClient(s), username, pw: PW, userId: c.user.id };
  }
  // The security officer first, to lift the per-IP login throttle (this run logs in many times).
  await makeCaller('sec_admin', ['sec_admin'], BUILTIN.sec_admin.perms, 'all');
  await must(who.sec_admin.client.put('/api/security/policy', { ip_throttle_per_min: 1000 }), 'policy');
  for (const [k, v] of Object.entries(BUILTIN)) if (!who[k]) await makeCaller(k, [k], v.perms, v.scope);
  await must(admin.post('/api/roles', { key: CUSTOM.key, name: CUSTOM.name, data_scope: CUSTOM.scope, permissions: CUSTOM.perms }), 'custom role');
  await makeCaller(CUSTOM.key, [CUSTOM.key], CUSTOM.perms, CUSTOM.scope);
  const tok = await must(admin.post('/api/tokens', { name: '矩阵令牌', unit_id: U.own, permissions: TOKEN_PERMS }), 'caller token');
  who.token = { name: 'token', kind: 'token', perms: new Set(TOKEN_PERMS), scope: 'token', client: new Client(srv.base, { bearer: tok.token }) };
  const callers = Object.values(who);

  const ALL3c = ['own', 'below', 'other'];
  // Target objects in A, below A and in B.
  const T = { user: {}, token: {} };
  for (const [ctx, unit] of [['own', U.own], ['below', U.below], ['other', U.other]]) {
    const u = await must(admin.post('/api/users', { username: `target_${ctx}`, name: `目标${ctx}`, unit_id: unit, roles: ['officer'] }), `target user ${ctx}`);
    T.user[ctx] = u.user;
    T.token[ctx] = await must(admin.post('/api/tokens', { name: `目标令牌${ctx}`, unit_id: unit, permissions: ['system:unit:view'] }), `target token ${ctx}`);
  }
  T.role = await must(admin.post('/api/roles', { key: 'target_role', name: '目标角色', data_scope: 'unit', permissions: ['system:unit:view'] }), 'target role');
  T.region = (await must(admin.post('/api/regions', { code: '532624101', name: '目标镇' }), 'target region')).code;
  // A plain user whose credentials the public login route uses.
  const loginUser = await must(admin.post('/api/users', { username: 'm_login', name: '登录用', unit_id: U.own, roles: ['officer'], password: 'Login-Passw0rd-26' }), 'login user');
  // Clocks (issue 4): started by a county-wide clock handler (a custom role: no built-in role
  // may edit clocks everywhere), in A, below A and in B.
  await must(admin.post('/api/roles', { key: 'clock_all', name: '期限夹具', data_scope: 'all',
    permissions: ['calendar:view', 'clock:view', 'clock:edit'] }), 'clock role');
  const cf = await must(admin.post('/api/users', { username: 'm_clockfix', name: '期限夹具', unit_id: U.own, roles: ['clock_all'] }), 'clock user');
  const clockFix = asClient(await login(srv.base, 'm_clockfix', cf.initial_password, PW));
  const newClock = async (unit, extra = {}) => (await must(clockFix.post('/api/clocks', { subject_kind: 'matrix',
    subject_id: `M-${next()}`, name: 'reply', limit: '20wd', unit_id: unit, ...extra }), 'fresh clock')).id;
  T.clock = {};
  for (const ctx of ALL3c) T.clock[ctx] = await newClock(U[ctx]);
  // Cases (issue 5): registered by a county-wide case clerk (a custom role), in A, below A and in B.
  await must(admin.post('/api/roles', { key: 'case_all', name: '案件夹具', data_scope: 'all',
    permissions: ['case:view', 'case:create', 'case:handle'] }), 'case role');
  const kf = await must(admin.post('/api/users', { username: 'm_casefix', name: '案件夹具', unit_id: U.own, roles: ['case_all'] }), 'case user');
  const caseFix = asClient(await login(srv.base, 'm_casefix', kf.initial_password, PW));
  const caseBody = () => ({ applicant: `矩阵申请人${next()}`, received_on: '2026-11-27', content: '矩阵测试申请' });
  const newCase = async (unit) => (await must(caseFix.post('/api/cases/disclosure_request', { ...caseBody(), unit_id: unit }), 'fresh case')).id;
  T.kase = {};
  for (const ctx of ALL3c) T.kase[ctx] = await newCase(U[ctx]);
  // Attachments: a small text file (sniffed as text/plain) on each context's case.
  const attForm = () => {
    const fd = new FormData();
    fd.append('category', '答复书');
    fd.append('file', new Blob([`矩阵附件 ${next()}\n`]), '矩阵附件.txt');
    return fd;
  };
  T.att = {};
  for (const ctx of ALL3c) T.att[ctx] = (await must(caseFix.req('POST', `/api/cases/disclosure_request/${T.kase[ctx]}/attachments`, attForm()), 'attachment')).id;
  // A 法律法规 row (catalogs are county-wide reference data: no data scope).
  const lawBody = () => ({ title: `矩阵法规${next()}`, level: '法律', promulgated_on: '2021-01-22', body: '第一条 测试。' });
  T.law = (await must(admin.post('/api/catalogs/laws', lawBody()), 'law row')).id;
  // 行政处罚 (issue 6): a 裁量基准 row for the calculator, and a penalty case in A, below A and in B.
  await must(admin.post('/api/catalogs/discretion', { code: 'M-DISC', violation: '矩阵违法行为', circumstance: '一般',
    penalty_basis: '《矩阵法》第一条', fine_min: 10000, fine_max: 50000, legal_max: 100000 }), 'discretion row');
  T.pen = {};
  for (const ctx of ALL3c) {
    T.pen[ctx] = (await must(caseFix.post('/api/cases/penalty', { party: `矩阵当事人${next()}`, facts: '矩阵测试',
      unit_id: U[ctx] }), 'penalty case')).id;
  }
  // 法制审核 queue: a penalty case in review in A, below A and in B, taken there by a county-wide
  // case clerk who is also a 执法人员 (the steps are the officer's), with two certified 执法证.
  for (const cert of ['M-CERT-A', 'M-CERT-B']) {
    await must(admin.post('/api/catalogs/officers', { name: `矩阵执法${cert}`, unit: U.own, cert_no: cert,
      cert_issued_on: '2020-01-01', cert_expires_on: '2099-12-31', cert_status: '有效' }), 'officer row');
  }
  const rf = await must(admin.post('/api/users', { username: 'm_reviewfix', name: '审核夹具', unit_id: U.own, roles: ['case_all', 'officer'] }), 'review fixture user');
  const reviewFix = asClient(await login(srv.base, 'm_reviewfix', rf.initial_password, PW));
  const ymdToday = (() => { const d = new Date(); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; })();
  T.rq = {};
  for (const ctx of ALL3c) {
    const id = (await must(reviewFix.post('/api/cases/penalty', { party: `矩阵审核当事人${next()}`, facts: '矩阵测试',
      violation_code: 'M-DISC', violation_on: ymdToday, unit_id: U[ctx] }), 'review case')).id;
    for (const [a, body] of [['file', {}], ['investigate', { investigator1_cert: 'M-CERT-A', investigator2_cert: 'M-CERT-B' }],
      ['inform', { circumstance: '一般', proposed_fine: 10000, informed_on: ymdToday }], ['submit_review', {}]]) {
      await must(reviewFix.post(`/api/cases/penalty/${id}/actions/${a}`, body), `review case: ${a}`);
    }
    T.rq[ctx] = id;
  }
  // 案卷评查 (issue 6): campaigns over the penalty cases of A, below A and B (still 案源登记, named in
  // states, so no closed case is needed), organised by a 监督员 fixture, on a rubric with a veto item.
  for (const row of [{ code: 'M0', kind: '否决' }, { code: 'M1', kind: '扣分', points: '5' }]) {
    await must(admin.post('/api/catalogs/review_rubric', { rubric: '矩阵评查标准', category: '矩阵', label: '矩阵评查项', ...row }), 'rubric row');
  }
  const svf = await must(admin.post('/api/users', { username: 'm_reviewsup', name: '评查夹具', unit_id: U.own, roles: ['supervisor'] }), 'review supervisor');
  const revFix = asClient(await login(srv.base, 'm_reviewsup', svf.initial_password, PW));
  const frDay = (() => { const d = new Date(); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; })();
  const campaignBody = (units) => ({ name: `矩阵评查${next()}`, kind: 'penalty', states: ['registered'], period_from: frDay,
    period_to: frDay, per_unit: 1, seed: 'matrix', units, rubric: '矩阵评查标准' });
  // A fresh campaign taken to stage: draft | drawn | scored | closed (every file 不合格) | retrospected | referred.
  const STAGES = ['draft', 'drawn', 'scored', 'closed', 'retrospected', 'referred'];
  async function newCampaign(stage) {
    const at = STAGES.indexOf(stage);
    const c = await must(revFix.post('/api/reviews/campaigns', campaignBody([U.own, U.below, U.other])), 'campaign');
    const out = { id: c.id, f: {} };
    const cp = `/api/reviews/campaigns/${c.id}`;
    if (at >= 1) {
      await must(revFix.post(`${cp}/draw`), 'draw');
      const rows = (await must(revFix.get(`${cp}/files`), 'files')).rows;
      for (const ctx of ALL3c) out.f[ctx] = rows.find((x) => x.unit_id === U[ctx]).id;
    }
    for (const ctx of at >= 2 ? ALL3c : []) {
      await must(revFix.post(`${cp}/files/${out.f[ctx]}/score`, { items: at >= 3 ? [{ code: 'M0', veto: true }] : [] }), 'score');
    }
    if (at >= 3) await must(revFix.post(`${cp}/close`, { summary: '矩阵点评' }), 'close');
    for (const ctx of at >= 4 ? ALL3c : []) await must(revFix.post(`${cp}/files/${out.f[ctx]}/retrospect`, { note: '矩阵复盘' }), 'retrospect');
    for (const ctx of at >= 5 ? ALL3c : []) await must(revFix.post(`${cp}/files/${out.f[ctx]}/referral`, { referred_to: '县纪委监委' }), 'referral');
    return out;
  }
  T.camp = await newCampaign('drawn');
  const fileOp = async (stage, ctx, op, body) => {
    const c = await newCampaign(stage);
    return { path: `/api/reviews/campaigns/${c.id}/files/${c.f[ctx]}/${op}`, body };
  };
  let regionSeq = 101;
  const freshRegion = async () => (await must(admin.post('/api/regions', { code: `532624${++regionSeq}`, name: `临时镇${regionSeq}` }), 'fresh region')).code;

  // ---- the one table ----
  // need: 'public' | 'self' (ROUTE_SELF) | 'user' (ROUTE_USER) | a permission.
  // scoped: undefined (not data-scoped) | 'object' | 'list' | 'create'.
  // ctxs: the object contexts to try (default ['-'] when not scoped).
  // build(ctx, w): {path, body?, target?} - target is the id a list must (not) show.
  // ok: success status. outScope (creates): the class expected when out of scope.
  // tokenForbidden: an API token must get 403 (personal-account routes).
  const ALL3 = ['own', 'below', 'other'];
  const ROUTES = [
    { m: 'GET', p: '/healthz', need: 'public', ok: 200, build: () => ({ path: '/healthz' }) },
    { m: 'GET', p: '/readyz', need: 'public', ok: 200, build: () => ({ path: '/readyz' }) },
    { m: 'GET', p: '/metrics', need: 'public', ok: 200, build: () => ({ path: '/metrics' }) },
    { m: 'POST', p: '/api/auth/login', need: 'public', ok: 200,
      build: () => ({ path: '/api/auth/login', body: { username: 'm_login', password: 'Login-Passw0rd-26' } }) },
    // A token may ask who it is (its permissions and unit); every other account route is for people.
    { m: 'GET', p: '/api/auth/me', need: 'self', ok: 200, tokenAllowed: true, build: () => ({ path: '/api/auth/me' }) },
    // Destructive: a fresh session of the caller is signed out.
    { m: 'POST', p: '/api/auth/logout', need: 'self', ok: 200, build: () => ({ path: '/api/auth/logout', body: {} }),
      async client(w) {
        if (w.kind !== 'user') return w.client;
        const s = await login(srv.base, w.username, w.pw);
        return asClient(s);
      } },
    // Destructive: the caller's own password moves on (tracked in w.pw).
    { m: 'POST', p: '/api/auth/password', need: 'self', ok: 200,
      build: (ctx, w) => {
        const np = `Rotate-Passw0rd-${next()}`;
        return { path: '/api/auth/password', body: { old_password: w.pw || 'x', new_password: np }, after: () => { w.pw = np; } };
      } },
    { m: 'POST', p: '/api/auth/totp/setup', need: 'self', ok: 200, build: (ctx, w) => ({ path: '/api/auth/totp/setup', body: {},
      after: (r) => { w.totpSecret = r.json?.secret; } }) },
    { m: 'POST', p: '/api/auth/totp/enable', need: 'self', ok: 200,
      build: (ctx, w) => ({ path: '/api/auth/totp/enable', body: { code: w.totpSecret ? totp(w.totpSecret) : '000000' } }) },
    { m: 'POST', p: '/api/auth/totp/disable', need: 'user', ok: 200, tokenForbidden: true,
      build: (ctx, w) => ({ path: '/api/auth/totp/disable', body: { password: w.pw || 'x' } }) },
    { m: 'GET', p: '/api/system/status', need: 'system:status:view', ok: 200, build: () => ({ path: '/api/system/status' }) },
    { m: 'GET', p: '/api/system/routes', need: 'user', ok: 200, build: () => ({ path: '/api/system/routes' }) },
    { m: 'GET', p: '/api/defs', need: 'user', ok: 200, build: () => ({ path: '/api/defs' }) },
    { m: 'GET', p: '/api/search', need: 'user', ok: 200, build: () => ({ path: '/api/search?q=矩阵' }) },
    // 公示 and 事前公开 are public; the 双公示 export is for case readers.
    { m: 'GET', p: '/api/public/publications', need: 'public', ok: 200, build: () => ({ path: '/api/public/publications' }) },
    { m: 'GET', p: '/api/public/publications/{id}', need: 'public', ok: 404, build: () => ({ path: '/api/public/publications/999999' }) },
    { m: 'GET', p: '/api/public/catalogs/{name}', need: 'public', ok: 200, build: () => ({ path: '/api/public/catalogs/officers' }) },
    { m: 'GET', p: '/api/publications/export', need: 'case:view', ok: 200, build: () => ({ path: '/api/publications/export?kind=penalty' }) },
    { m: 'GET', p: '/api/defs/{type}/{name}', need: 'user', ok: 200, build: () => ({ path: '/api/defs/procedure/disclosure_request' }) },
    // 法律法规 may be edited only by the roles in its edit_roles (系统管理员).
    { m: 'GET', p: '/api/catalogs/{name}', need: 'catalog:view', ok: 200, build: () => ({ path: '/api/catalogs/laws' }) },
    { m: 'POST', p: '/api/catalogs/{name}', need: 'catalog:edit', roleNeed: 'sys_admin', ok: 201,
      build: () => ({ path: '/api/catalogs/laws', body: lawBody() }) },
    { m: 'GET', p: '/api/catalogs/{name}/{id}', need: 'catalog:view', ok: 200, build: () => ({ path: `/api/catalogs/laws/${T.law}` }) },
    { m: 'PUT', p: '/api/catalogs/{name}/{id}', need: 'catalog:edit', roleNeed: 'sys_admin', ok: 200,
      build: () => ({ path: `/api/catalogs/laws/${T.law}`, body: { body: `第一条 修订${next()}。` } }) },
    { m: 'GET', p: '/api/catalogs/{name}/{id}/versions', need: 'catalog:view', ok: 200,
      build: () => ({ path: `/api/catalogs/laws/${T.law}/versions` }) },
    // 执法人员状况: computed from the registries, county-wide like them (no data scope).
    { m: 'GET', p: '/api/enforcement/officers/status', need: 'catalog:view', ok: 200,
      build: () => ({ path: '/api/enforcement/officers/status' }) },
    // 行政处罚: the 裁量基准 calculator (county-wide, no data scope) and 加处罚款 on a case (scoped like the case).
    { m: 'GET', p: '/api/enforcement/discretion', need: 'case:view', ok: 200,
      build: () => ({ path: '/api/enforcement/discretion?code=M-DISC' }) },
    { m: 'GET', p: '/api/enforcement/penalties/{id}/surcharge', need: 'case:view', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/enforcement/penalties/${T.pen[ctx]}/surcharge` }) },
    // 行政检查 / 双随机一公开 figures: aggregates over the caller's scope (scoping in 440-enforcement-02-inspection.json).
    // 指标: county statistics for every holder of case:view; the cases behind a
    // number are listed within the caller's scope (450-indicators.json checks
    // the scope on cases that count).
    { m: 'GET', p: '/api/indicators', need: 'case:view', ok: 200, build: () => ({ path: '/api/indicators' }) },
    { m: 'GET', p: '/api/indicators/trend', need: 'case:view', ok: 200, build: () => ({ path: '/api/indicators/trend' }) },
    { m: 'GET', p: '/api/indicators/{name}/cases', need: 'case:view', ok: 200,
      build: () => ({ path: '/api/indicators/disclosure_reply_on_time/cases?part=numerator' }) },
    // 年度报告: the county's report, like the 指标看板 (case:view, no data scope).
    { m: 'GET', p: '/api/reports/annual', need: 'case:view', ok: 200, build: () => ({ path: '/api/reports/annual' }) },
    { m: 'GET', p: '/api/enforcement/inspections/stats', need: 'case:view', ok: 200,
      build: () => ({ path: '/api/enforcement/inspections/stats' }) },
    // 法制审核 queue: the cases in review within the caller's scope.
    { m: 'GET', p: '/api/enforcement/reviews/queue', need: 'case:view', scoped: 'list', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: '/api/enforcement/reviews/queue?size=500', target: T.rq[ctx] }), ids: (j) => j.rows.map((r) => r.id) },
    { m: 'GET', p: '/api/cases/{kind}', need: 'case:view', scoped: 'list', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: '/api/cases/disclosure_request?size=500', target: T.kase[ctx] }), ids: (j) => j.rows.map((r) => r.id) },
    { m: 'POST', p: '/api/cases/{kind}', need: 'case:create', scoped: 'create', outScope: 'bad_unit', ctxs: ALL3, ok: 201,
      build: (ctx) => ({ path: '/api/cases/disclosure_request', body: { ...caseBody(), unit_id: U[ctx] } }) },
    { m: 'GET', p: '/api/cases/{kind}/export', need: 'case:view', ok: 200, build: () => ({ path: '/api/cases/disclosure_request/export?format=csv' }) },
    { m: 'GET', p: '/api/cases/{kind}/{id}', need: 'case:view', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/cases/disclosure_request/${T.kase[ctx]}` }) },
    // 登记 is the 执法人员's step: other case handlers pass scope and are then refused by the action's roles.
    { m: 'POST', p: '/api/cases/{kind}/{id}/actions/{action}', need: 'case:handle', roleNeed: 'officer', scoped: 'object', ctxs: ALL3, ok: 200,
      build: async (ctx) => ({ path: `/api/cases/disclosure_request/${await newCase(U[ctx])}/actions/register`, body: {} }) },
    { m: 'POST', p: '/api/cases/{kind}/{id}/assign', need: 'case:handle', scoped: 'object', ctxs: ALL3, ok: 200,
      build: async (ctx) => ({ path: `/api/cases/disclosure_request/${await newCase(U[ctx])}/assign`, body: { handler_id: kf.user.id } }) },
    { m: 'POST', p: '/api/cases/{kind}/{id}/comments', need: 'case:view', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/cases/disclosure_request/${T.kase[ctx]}/comments`, body: { text: '矩阵意见' } }) },
    { m: 'GET', p: '/api/cases/{kind}/{id}/attachments', need: 'case:view', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/cases/disclosure_request/${T.kase[ctx]}/attachments` }) },
    { m: 'POST', p: '/api/cases/{kind}/{id}/attachments', need: 'case:handle', scoped: 'object', ctxs: ALL3, ok: 201,
      build: (ctx) => ({ path: `/api/cases/disclosure_request/${T.kase[ctx]}/attachments`, body: attForm() }) },
    { m: 'GET', p: '/api/attachments/{id}', need: 'case:view', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/attachments/${T.att[ctx]}` }) },
    // 案卷评查: case:view for every route; organising, scoring and follow-ups need the 法制审核员 or
    // 监督员 role, 陈述申辩 the 单位负责人 of the file's unit; files are scoped like their cases.
    { m: 'GET', p: '/api/reviews/campaigns', need: 'case:view', ok: 200, build: () => ({ path: '/api/reviews/campaigns' }) },
    { m: 'POST', p: '/api/reviews/campaigns', need: 'case:view', roleNeed: ['reviewer', 'supervisor'], ok: 201,
      build: () => ({ path: '/api/reviews/campaigns', body: campaignBody([U.own]) }) },
    { m: 'GET', p: '/api/reviews/campaigns/{id}', need: 'case:view', ok: 200, build: () => ({ path: `/api/reviews/campaigns/${T.camp.id}` }) },
    { m: 'POST', p: '/api/reviews/campaigns/{id}/draw', need: 'case:view', roleNeed: ['reviewer', 'supervisor'], ok: 200,
      build: async () => ({ path: `/api/reviews/campaigns/${(await newCampaign('draft')).id}/draw`, body: {} }) },
    { m: 'POST', p: '/api/reviews/campaigns/{id}/close', need: 'case:view', roleNeed: ['reviewer', 'supervisor'], ok: 200,
      build: async () => ({ path: `/api/reviews/campaigns/${(await newCampaign('scored')).id}/close`, body: { summary: '矩阵点评' } }) },
    { m: 'GET', p: '/api/reviews/campaigns/{id}/files', need: 'case:view', scoped: 'list', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/reviews/campaigns/${T.camp.id}/files`, target: T.camp.f[ctx] }), ids: (j) => j.rows.map((r) => r.id) },
    { m: 'GET', p: '/api/reviews/campaigns/{id}/files/{fid}', need: 'case:view', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/reviews/campaigns/${T.camp.id}/files/${T.camp.f[ctx]}` }) },
    { m: 'POST', p: '/api/reviews/campaigns/{id}/files/{fid}/score', need: 'case:view', roleNeed: ['reviewer', 'supervisor'],
      scoped: 'object', ctxs: ALL3, ok: 200, build: (ctx) => fileOp('drawn', ctx, 'score', { items: [{ code: 'M1', deduct: 1 }] }) },
    { m: 'POST', p: '/api/reviews/campaigns/{id}/files/{fid}/statement', need: 'case:view', roleNeed: 'unit_head',
      scoped: 'object', ctxs: ALL3, ok: 200, build: (ctx) => fileOp('scored', ctx, 'statement', { text: '矩阵申辩' }) },
    { m: 'POST', p: '/api/reviews/campaigns/{id}/files/{fid}/adjust', need: 'case:view', roleNeed: ['reviewer', 'supervisor'],
      scoped: 'object', ctxs: ALL3, ok: 200, build: (ctx) => fileOp('scored', ctx, 'adjust', { items: [{ code: 'M1', deduct: 1 }], reason: '矩阵调整' }) },
    { m: 'POST', p: '/api/reviews/campaigns/{id}/files/{fid}/retrospect', need: 'case:view', roleNeed: ['reviewer', 'supervisor'],
      scoped: 'object', ctxs: ALL3, ok: 200, build: (ctx) => fileOp('closed', ctx, 'retrospect', { note: '矩阵复盘' }) },
    { m: 'POST', p: '/api/reviews/campaigns/{id}/files/{fid}/referral', need: 'case:view', roleNeed: ['reviewer', 'supervisor'],
      scoped: 'object', ctxs: ALL3, ok: 200, build: (ctx) => fileOp('retrospected', ctx, 'referral', { referred_to: '县纪委监委' }) },
    { m: 'POST', p: '/api/reviews/campaigns/{id}/files/{fid}/outcome', need: 'case:view', roleNeed: ['reviewer', 'supervisor'],
      scoped: 'object', ctxs: ALL3, ok: 200, build: (ctx) => fileOp('referred', ctx, 'outcome', { filed: false, sanctioned: 0, first_form: 1 }) },
    { m: 'GET', p: '/api/regions', need: 'system:region:view', ok: 200, build: () => ({ path: '/api/regions' }) },
    { m: 'POST', p: '/api/regions', need: 'system:region:edit', ok: 201,
      build: () => { const n = ++regionSeq; return { path: '/api/regions', body: { code: `532624${n}`, name: `新镇${n}` } }; } },
    { m: 'PUT', p: '/api/regions/{code}', need: 'system:region:edit', ok: 200,
      build: () => ({ path: `/api/regions/${T.region}`, body: { name: '目标镇' } }) },
    { m: 'DELETE', p: '/api/regions/{code}', need: 'system:region:edit', ok: 200,
      build: async () => ({ path: `/api/regions/${await freshRegion()}` }) },
    { m: 'GET', p: '/api/units', need: 'system:unit:view', scoped: 'list', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: '/api/units', target: U[ctx] }), ids: (j) => j.rows.map((r) => r.id) },
    { m: 'GET', p: '/api/units/{id}', need: 'system:unit:view', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/units/${U[ctx]}` }) },
    { m: 'POST', p: '/api/units', need: 'system:unit:edit', scoped: 'create', outScope: 'forbidden', ctxs: ALL3, ok: 201,
      build: (ctx) => ({ path: '/api/units', body: unitBody(`新单位${next()}`, U[ctx]) }) },
    { m: 'PUT', p: '/api/units/{id}', need: 'system:unit:edit', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/units/${U[ctx]}`, body: { type: '部门' } }) },
    // Destructive: a fresh, empty unit in the context's unit (so "own" is a child of A, like "below").
    { m: 'DELETE', p: '/api/units/{id}', need: 'system:unit:edit', scoped: 'object', ctxs: ['below', 'other'], ok: 200,
      build: async (ctx) => {
        const parent = ctx === 'below' ? U.own : U.other;
        const id = (await must(admin.post('/api/units', unitBody(`待删单位${next()}`, parent)), 'fresh unit')).id;
        return { path: `/api/units/${id}` };
      } },
    { m: 'GET', p: '/api/users', need: 'system:user:view', scoped: 'list', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/users?size=500&q=target_${ctx}`, target: T.user[ctx].id }), ids: (j) => j.rows.map((r) => r.id) },
    { m: 'GET', p: '/api/users/{id}', need: 'system:user:view', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/users/${T.user[ctx].id}` }) },
    { m: 'POST', p: '/api/users', need: 'system:user:edit', scoped: 'create', outScope: 'bad_unit', ctxs: ALL3, ok: 201,
      build: (ctx) => ({ path: '/api/users', body: { username: `new_${next()}`, name: '新用户', unit_id: U[ctx], roles: ['target_role'] } }) },
    { m: 'PUT', p: '/api/users/{id}', need: 'system:user:edit', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/users/${T.user[ctx].id}`, body: { name: `目标${ctx}` } }) },
    { m: 'POST', p: '/api/users/{id}/reset-password', need: 'system:user:edit', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/users/${T.user[ctx].id}/reset-password`, body: {} }) },
    { m: 'POST', p: '/api/users/{id}/unlock', need: 'security:user:unlock', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/users/${T.user[ctx].id}/unlock`, body: {} }) },
    { m: 'GET', p: '/api/roles', need: 'system:role:view', ok: 200, build: () => ({ path: '/api/roles' }) },
    { m: 'POST', p: '/api/roles', need: 'system:role:edit', ok: 201,
      build: () => ({ path: '/api/roles', body: { key: `r_${next()}`, name: '新角色', data_scope: 'unit', permissions: ['system:unit:view'] } }) },
    { m: 'PUT', p: '/api/roles/{id}', need: 'system:role:edit', ok: 200,
      build: () => ({ path: `/api/roles/${T.role.id}`, body: { name: '目标角色' } }) },
    { m: 'DELETE', p: '/api/roles/{id}', need: 'system:role:edit', ok: 200,
      build: async () => {
        const r = await must(admin.post('/api/roles', { key: `d_${next()}`, name: '待删角色', data_scope: 'unit', permissions: ['system:unit:view'] }), 'fresh role');
        return { path: `/api/roles/${r.id}` };
      } },
    { m: 'GET', p: '/api/permissions', need: 'system:role:view', ok: 200, build: () => ({ path: '/api/permissions' }) },
    { m: 'GET', p: '/api/tokens', need: 'system:token:manage', scoped: 'list', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: '/api/tokens', target: T.token[ctx].id }), ids: (j) => j.rows.map((r) => r.id) },
    { m: 'POST', p: '/api/tokens', need: 'system:token:manage', scoped: 'create', outScope: 'bad_unit', ctxs: ALL3, ok: 201,
      build: (ctx) => ({ path: '/api/tokens', body: { name: `新令牌${next()}`, unit_id: U[ctx], permissions: ['system:unit:view'] } }) },
    // Destructive: a fresh token in the context's unit.
    { m: 'POST', p: '/api/tokens/{id}/revoke', need: 'system:token:manage', scoped: 'object', ctxs: ALL3, ok: 200,
      build: async (ctx) => {
        const k = await must(admin.post('/api/tokens', { name: `待吊销${next()}`, unit_id: U[ctx], permissions: ['system:unit:view'] }), 'fresh token');
        return { path: `/api/tokens/${k.id}/revoke`, body: {} };
      } },
    { m: 'GET', p: '/api/security/policy', need: 'security:policy:view', ok: 200, build: () => ({ path: '/api/security/policy' }) },
    { m: 'PUT', p: '/api/security/policy', need: 'security:policy:edit', ok: 200,
      build: () => ({ path: '/api/security/policy', body: { ip_throttle_per_min: 1000 } }) },
    { m: 'GET', p: '/api/audit/events', need: 'audit:log:view', ok: 200, build: () => ({ path: '/api/audit/events?size=5' }) },
    { m: 'GET', p: '/api/audit/events/{seq}', need: 'audit:log:view', ok: 200, build: () => ({ path: '/api/audit/events/1' }) },
    { m: 'GET', p: '/api/audit/export', need: 'audit:log:export', ok: 200,
      build: () => ({ path: '/api/audit/export?format=csv&action=system.init' }) },
    { m: 'GET', p: '/api/audit/logins', need: 'audit:log:view', ok: 200, build: () => ({ path: '/api/audit/logins?size=5' }) },
    { m: 'GET', p: '/api/chain/head', need: 'chain:view', ok: 200, build: () => ({ path: '/api/chain/head' }) },
    { m: 'POST', p: '/api/chain/checkpoints', need: 'chain:checkpoint', ok: 201,
      build: () => ({ path: '/api/chain/checkpoints', body: { note: '矩阵测试存证' } }) },
    // ---- issue 4: calendar, clocks, notifications, scheduler ----
    { m: 'GET', p: '/api/calendar/years', need: 'calendar:view', ok: 200, build: () => ({ path: '/api/calendar/years' }) },
    { m: 'GET', p: '/api/calendar/years/{year}', need: 'calendar:view', ok: 200, build: () => ({ path: '/api/calendar/years/2025' }) },
    { m: 'GET', p: '/api/calendar/compute', need: 'calendar:view', ok: 200,
      build: () => ({ path: '/api/calendar/compute?date=2025-01-27&add=5wd' }) },
    { m: 'GET', p: '/api/calendar/count', need: 'calendar:view', ok: 200,
      build: () => ({ path: '/api/calendar/count?from=2024-12-31&to=2025-12-31' }) },
    { m: 'POST', p: '/api/calendar/import', need: 'calendar:edit', ok: 201,
      build: () => ({ path: '/api/calendar/import', body: { year: 2027, source: '矩阵测试', holidays: [{ name: '元旦', date: '2027-01-01' }] } }) },
    { m: 'GET', p: '/api/clocks', need: 'clock:view', scoped: 'list', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: '/api/clocks?size=500&subject_kind=matrix', target: T.clock[ctx] }), ids: (j) => j.rows.map((r) => r.id) },
    { m: 'POST', p: '/api/clocks', need: 'clock:edit', scoped: 'create', outScope: 'bad_unit', ctxs: ALL3, ok: 201,
      build: (ctx) => ({ path: '/api/clocks', body: { subject_kind: 'matrix', subject_id: `N-${next()}`, name: 'reply', limit: '20wd', unit_id: U[ctx] } }) },
    { m: 'GET', p: '/api/clocks/{id}', need: 'clock:view', scoped: 'object', ctxs: ALL3, ok: 200,
      build: (ctx) => ({ path: `/api/clocks/${T.clock[ctx]}` }) },
    // Destructive: fresh clocks in the context's unit.
    { m: 'POST', p: '/api/clocks/{id}/pause', need: 'clock:edit', scoped: 'object', ctxs: ALL3, ok: 200,
      build: async (ctx) => ({ path: `/api/clocks/${await newClock(U[ctx])}/pause`, body: { reason: 'hearing' } }) },
    { m: 'POST', p: '/api/clocks/{id}/resume', need: 'clock:edit', scoped: 'object', ctxs: ALL3, ok: 200,
      build: async (ctx) => {
        const id = await newClock(U[ctx]);
        await must(clockFix.post(`/api/clocks/${id}/pause`, { reason: 'hearing' }), 'pause fixture');
        return { path: `/api/clocks/${id}/resume`, body: {} };
      } },
    { m: 'POST', p: '/api/clocks/{id}/extend', need: 'clock:edit', scoped: 'object', ctxs: ALL3, ok: 200,
      build: async (ctx) => ({ path: `/api/clocks/${await newClock(U[ctx], { extend: { max: '10wd', times: 1 } })}/extend`,
        body: { amount: '5wd', reason: '矩阵测试' } }) },
    { m: 'POST', p: '/api/clocks/{id}/stop', need: 'clock:edit', scoped: 'object', ctxs: ALL3, ok: 200,
      build: async (ctx) => ({ path: `/api/clocks/${await newClock(U[ctx])}/stop`, body: {} }) },
    { m: 'GET', p: '/api/notifications', need: 'user', ok: 200, tokenForbidden: true, build: () => ({ path: '/api/notifications' }) },
    // Each person reads a notification of their own: an overdue clock handled by them.
    { m: 'POST', p: '/api/notifications/{id}/read', need: 'user', ok: 200, tokenForbidden: true,
      build: async (ctx, w) => {
        if (w.kind !== 'user') return { path: '/api/notifications/1/read', body: {} };
        const cid = await newClock(U.own, { limit: '5wd', start: '2024-01-02', handler_id: w.userId });
        const list = await w.client.get('/api/notifications?size=500');
        const n = (list.json?.rows || []).find((x) => x.clock_id === cid);
        return { path: `/api/notifications/${n ? n.id : 999999}/read`, body: {} };
      } },
    { m: 'POST', p: '/api/system/scheduler/run', need: 'system:scheduler:run', ok: 200,
      build: () => ({ path: '/api/system/scheduler/run', body: {} }) },
  ];

  function expected(route, w, ctx) {
    if (route.need === 'public') return 'allow';
    if (route.need === 'self') return w.kind === 'token' && !route.tokenAllowed ? 'forbidden' : 'allow';
    if (route.need === 'user') return w.kind === 'token' && route.tokenForbidden ? 'forbidden' : 'allow';
    if (!w.perms.has(route.need)) return 'forbidden';
    if (route.scoped && !visible(w.scope, ctx)) return { object: 'not_found', list: 'hidden', create: route.outScope }[route.scoped];
    if (route.roleNeed && ![].concat(route.roleNeed).includes(w.name)) return 'forbidden';
    return 'allow';
  }

  function classify(route, res, target) {
    const code = res.json?.error?.code;
    if (route.scoped === 'list' && res.status === 200) {
      if (!Array.isArray(res.json?.rows)) return 'malformed list';
      return route.ids(res.json).includes(target) ? 'allow' : 'hidden';
    }
    if (res.status === route.ok) return 'allow';
    if (res.status === 403 && code === 'forbidden') return 'forbidden';
    if (res.status === 404 && code === 'not_found') return 'not_found';
    if (res.status === 400 && res.json?.error?.fields?.unit_id) return 'bad_unit';
    return `${res.status} ${code || res.text.slice(0, 80)}`;
  }

  // ---- the table agrees with the router ----
  console.log('# the table covers exactly the router\'s routes');
  const rr = await admin.get('/api/system/routes');
  const serverRoutes = new Set((rr.json?.rows || []).map((r) => `${r.method} ${r.pattern}`));
  const tableRoutes = new Set(ROUTES.map((r) => `${r.m} ${r.p}`));
  t.check(`GET /api/system/routes lists routes (${serverRoutes.size})`, rr.status === 200 && serverRoutes.size > 0 && rr.json.total === serverRoutes.size, rr.text.slice(0, 200));
  t.check('the table has no duplicate entries', tableRoutes.size === ROUTES.length, `${ROUTES.length} entries, ${tableRoutes.size} distinct`);
  for (const k of serverRoutes) t.check(`route in the table: ${k}`, tableRoutes.has(k), 'the server has this route but the matrix table does not');
  for (const k of tableRoutes) if (!serverRoutes.has(k)) t.fail(`table route exists: ${k}`, 'the table lists a route the server does not have');

  // ---- the built-in roles are what the table assumes ----
  console.log('# built-in roles: permissions and data scope as documented');
  const roles = (await admin.get('/api/roles')).json?.rows || [];
  for (const [k, v] of Object.entries(BUILTIN)) {
    const r = roles.find((x) => x.key === k);
    const got = r ? JSON.stringify([r.data_scope, [...r.permissions].sort()]) : 'missing';
    t.check(`role ${k}: scope ${v.scope}, ${v.perms.length} permissions`, got === JSON.stringify([v.scope, [...v.perms].sort()]), got);
  }
  for (const w of callers.filter((c) => c.kind === 'user')) {
    const me = await w.client.get('/api/auth/me');
    const got = JSON.stringify([...(me.json?.permissions || [])].sort());
    t.check(`${w.name}: /api/auth/me lists exactly the role's permissions`, me.status === 200 && got === JSON.stringify([...w.perms].sort()), `${me.status} ${got}`);
  }

  // ---- the matrix ----
  console.log('# matrix: route × caller × object');
  const counts = { allow: 0, forbidden: 0, not_found: 0, hidden: 0, bad_unit: 0 };
  for (const route of ROUTES) {
    if (!serverRoutes.has(`${route.m} ${route.p}`)) continue;
    for (const w of callers) {
      for (const ctx of route.ctxs || ['-']) {
        const want = expected(route, w, ctx);
        const name = `${w.name.padEnd(11)} ${route.m} ${route.p}${ctx === '-' ? '' : ` [${ctx}]`} → ${want}`;
        try {
          const spec = await route.build(ctx, w);
          const client = route.client ? await route.client(w) : w.client;
          const res = await client.req(route.m, spec.path, spec.body);
          const got = classify(route, res, spec.target);
          if (got === 'allow' && spec.after) spec.after(res);
          counts[want] = (counts[want] || 0) + 1;
          t.check(name, got === want, `got ${got}: ${res.text.slice(0, 240)}`);
        } catch (e) {
          t.fail(name, `error: ${e.message}`);
        }
      }
    }
  }
  console.log(`# expectations exercised: ${JSON.stringify(counts)}`);

  // ---- without credentials ----
  console.log('# no credentials: every non-public route answers 401 unauthenticated');
  const anon = new Client(srv.base);
  const bogus = new Client(srv.base, { cookie: 'fz_session=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', csrf: 'x' });
  const badBearer = new Client(srv.base, { bearer: 'fzt_0000000000000000000000000000000000000000000000000000000000000000' });
  for (const route of ROUTES) {
    if (route.need === 'public' || !serverRoutes.has(`${route.m} ${route.p}`)) continue;
    const ctx = (route.ctxs || ['own'])[0];
    // Destructive builders are skipped: a plain id/body is enough to reach the guard.
    let spec;
    if (route.m === 'DELETE' || route.p.endsWith('/revoke')) spec = { path: route.p.replace(/\{\w+\}/, '999999'), body: route.m === 'DELETE' ? undefined : {} };
    else spec = await route.build(ctx, who.officer);
    for (const [label, c] of [['no cookie', anon], ['unknown session cookie', bogus], ['unknown bearer token', badBearer]]) {
      const res = await c.req(route.m, spec.path, spec.body);
      t.check(`${label}: ${route.m} ${route.p} → 401 unauthenticated`, res.status === 401 && res.json?.error?.code === 'unauthenticated',
        `${res.status} ${res.text.slice(0, 160)}`);
    }
  }
} catch (e) {
  t.fail('matrix setup', e.stack || e.message);
} finally {
  const e = await srv.stop();
  t.check('server stops cleanly', e.code === 0, `exit ${e.code ?? e.sig}: ${srv.stderr().slice(-400)}`);
  clearTimeout(watchdog);
}
process.exit(t.summary());
