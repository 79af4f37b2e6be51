// Identity and access (issue 3, docs/identity.md) against a real server:
// login answers, lockout and unlock, per-IP throttling, session expiry, CSRF,
// API tokens, 三权分立 (API and CLI), masked personal data and its storage,
// ID-number validation, forced and policy-checked password changes, resets,
// in-use deletes, the audit trail and its export, the login log, and TOTP
// with recovery codes and the per-role requirement.
//
// Time passing is simulated by editing rows with the sqlite3 CLI; there are no
// timed assertions. Every request has a time bound and so does the whole run.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { ADMIN_PW, cookieOf, initData, loginAdmin, makeUser, run, serveFails, sql as sqlIn, startServer, tally } from './lib.mjs';

const t = tally();
const watchdog = setTimeout(() => {
  t.fail('time bound', 'identity tests did not finish within 10 minutes');
  process.exit(t.summary() || 1);
}, 600000);
watchdog.unref();

const PW = 'Secret-Passw0rd-26'; // what makeUser sets
const REQ_TIMEOUT_MS = 30000;

// ---- helpers ----
class Client {
  constructor(base, { cookie = '', csrf = '', bearer = '' } = {}) { Object.assign(this, { base, cookie, csrf, bearer }); }
  async req(method, p, body, extra = {}) {
    const h = { ...extra };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.bearer) h.Authorization = `Bearer ${this.bearer}`;
    if (this.cookie && !['GET', 'HEAD'].includes(method) && !('X-CSRF-Token' in extra)) h['X-CSRF-Token'] = this.csrf;
    for (const [k, v] of Object.entries(h)) if (v === null) delete h[k];
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const r = await fetch(this.base + p, {
      method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQ_TIMEOUT_MS), redirect: 'manual',
    });
    const buf = Buffer.from(await r.arrayBuffer());
    const text = buf.toString('utf8');
    let json; try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, json, text, buf, headers: r.headers };
  }
  get(p, h) { return this.req('GET', p, undefined, h); }
  post(p, b = {}, h) { return this.req('POST', p, b, h); }
  put(p, b = {}, h) { return this.req('PUT', p, b, h); }
  del(p, h) { return this.req('DELETE', p, undefined, h); }
}
const C = (s) => new Client(s.base, { cookie: s.cookie, csrf: s.csrf });

async function rawLogin(base, username, password, totpCode, headers = {}) {
  const body = { username, password };
  if (totpCode !== undefined) body.totp = totpCode;
  const r = await fetch(`${base}/api/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQ_TIMEOUT_MS),
  });
  const text = await r.text();
  let json; try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, text, json, headers: r.headers, client: r.status === 200 ? new Client(base, { cookie: cookieOf(r), csrf: json.csrf_token }) : null };
}

// A login from another loopback source address (127.0.0.2), for the per-IP throttle.
function loginFrom(localAddress, port, username, password) {
  return new Promise((resolve) => {
    const body = JSON.stringify({ username, password });
    const rq = http.request({ host: '127.0.0.1', port, localAddress, method: 'POST', path: '/api/auth/login', timeout: REQ_TIMEOUT_MS,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let d = ''; res.setEncoding('utf8');
      res.on('data', (c) => { d += c; });
      res.on('end', () => resolve({ status: res.statusCode, text: d }));
    });
    rq.on('timeout', () => rq.destroy(new Error('timeout')));
    rq.on('error', (e) => resolve({ status: 0, text: e.message }));
    rq.end(body);
  });
}

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
const stepNow = () => Math.floor(Date.now() / 30000);
// RFC 6238: HMAC-SHA1 over the 30-second step counter, dynamic truncation, 6 digits.
function totp(secret, step = stepNow()) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = crypto.createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const o = h[h.length - 1] & 15;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1000000).padStart(6, '0');
}

const sqlOn = (data) => (q) => sqlIn(data, q);
async function must(p, what) {
  const r = await p;
  if (r.status < 200 || r.status > 299) throw new Error(`setup ${what}: ${r.status} ${r.text}`);
  return r;
}
const err = (r) => r.json?.error || {};
const short = (r) => `${r.status} ${r.text.slice(0, 300)}`;
const hexOf = (s) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();
const localMinutes = (ms) => {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
};
// GB 11643 check character for the first 17 digits.
function idCheck(d17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...d17].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return '10X98765432'[sum % 11];
}
const unitBody = (name, parent_id = 1, region_code = '532624') => ({ name, type: '部门', legal_status: '行政机关', region_code, parent_id });

// =========================================================================
// The main server.
// =========================================================================
const data = initData(['--region-code', '532624']);
const sql = sqlOn(data);
// These checks move time by editing rows with the sqlite3 CLI, which the
// server's identity cache (auth_cache_ms) would not see for up to 2 s; the
// cache is covered by lifecycle.mjs (changes through the API apply at once).
let srv = await startServer(data, ['--auth-cache-ms', '0']);
const base = srv.base;
try {
  const adminS = await loginAdmin(base);
  const admin = C(adminS);
  const sec = C(await makeUser(adminS, { username: 'secadm', roles: ['sec_admin'] }));
  const aud = C(await makeUser(adminS, { username: 'aud', roles: ['audit_admin'] }));
  // This run signs in many times from 127.0.0.1; the throttle gets its own server below.
  const pr = await sec.put('/api/security/policy', { ip_throttle_per_min: 1000 });
  if (pr.status !== 200) throw new Error(`policy: ${short(pr)}`);
  const policy = (await sec.get('/api/security/policy')).json;

  // -----------------------------------------------------------------------
  console.log('# login answers and the session cookie');
  {
    await makeUser(adminS, { username: 'alice', roles: ['officer'] });
    const known = await rawLogin(base, 'alice', 'Wrong-Passw0rd-1');
    const unknown = await rawLogin(base, 'nosuch-user-x', 'Wrong-Passw0rd-1');
    t.check('wrong password: 401 bad_credentials 用户名或密码错误', known.status === 401 && err(known).code === 'bad_credentials' && err(known).message === '用户名或密码错误', short(known));
    t.check('unknown user and wrong password give byte-identical 401 bodies', unknown.status === 401 && unknown.text === known.text, `${unknown.text} vs ${known.text}`);
    const hk = ['content-type', 'content-length', 'set-cookie'].map((h) => known.headers.get(h));
    const hu = ['content-type', 'content-length', 'set-cookie'].map((h) => unknown.headers.get(h));
    t.check('... and identical content headers, no cookie', JSON.stringify(hk) === JSON.stringify(hu) && hk[2] === null, `${JSON.stringify(hk)} vs ${JSON.stringify(hu)}`);
    const ok = await rawLogin(base, 'alice', PW);
    const sc = ok.headers.get('set-cookie') || '';
    t.check('login 200: {user, csrf_token} and fz_session cookie', ok.status === 200 && ok.json.user.username === 'alice' && /^[0-9a-f]{32}$/.test(ok.json.csrf_token) && /^fz_session=[0-9a-f]{64};/.test(sc), short(ok));
    t.check('session cookie is HttpOnly; SameSite=Strict; Path=/ and not Secure over http', /HttpOnly/.test(sc) && /SameSite=Strict/.test(sc) && /Path=\//.test(sc) && !/Secure/.test(sc), sc);
    const https = await rawLogin(base, 'alice', PW, undefined, { 'X-Forwarded-Proto': 'https' });
    t.check('X-Forwarded-Proto: https adds Secure', /;\s*Secure/.test(https.headers.get('set-cookie') || ''), https.headers.get('set-cookie'));
    const me = await ok.client.get('/api/auth/me');
    t.check('GET /api/auth/me: user, roles with names, permissions, csrf_token', me.status === 200 && me.json.user.username === 'alice' &&
      JSON.stringify(me.json.roles) === JSON.stringify([{ key: 'officer', name: '执法人员' }]) && me.json.permissions.includes('system:unit:view') &&
      me.json.csrf_token === ok.json.csrf_token && me.json.must_change_password === false, short(me));
    const out = await ok.client.post('/api/auth/logout');
    t.check('logout: 200 and the cookie is cleared', out.status === 200 && /Max-Age=0/.test(out.headers.get('set-cookie') || ''), short(out));
    const after = await ok.client.get('/api/auth/me');
    t.check('after logout the session is gone: 401 unauthenticated', after.status === 401 && err(after).code === 'unauthenticated', short(after));
  }

  // -----------------------------------------------------------------------
  console.log(`# lockout (threshold ${policy.lockout_threshold}, ${policy.lockout_minutes} min) and unlock`);
  const N = policy.lockout_threshold;
  const lockUser = await must(admin.post('/api/users', { username: 'lock1', name: '锁定测试', unit_id: 1, roles: ['officer'], password: 'Tuesday-Passw0rd-26' }), 'lock1');
  const lock2 = await must(admin.post('/api/users', { username: 'lock2', name: '锁定测试二', unit_id: 1, roles: ['officer'], password: 'Tuesday-Passw0rd-27' }), 'lock2');
  {
    const seq = [];
    let before = Date.now();
    for (let i = 0; i < N; i++) seq.push(await rawLogin(base, 'lock1', `Wrong-Passw0rd-${i}`));
    t.check(`failures 1..${N - 1}: 401 bad_credentials`, seq.slice(0, -1).every((r) => r.status === 401 && err(r).code === 'bad_credentials'), seq.map((r) => r.status).join(','));
    const last = seq[N - 1];
    const e = err(last);
    const until = Date.parse(e.locked_until || '');
    t.check(`failure ${N}: 423 locked`, last.status === 423 && e.code === 'locked', short(last));
    t.check('423 carries locked_until (RFC 3339) = now + lockout_minutes',
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(e.locked_until || '') &&
      until >= before + policy.lockout_minutes * 60000 - 5000 && until <= Date.now() + policy.lockout_minutes * 60000 + 5000, e.locked_until);
    t.check('423 message gives the unlock time in Chinese (local time)', typeof e.message === 'string' && /[\u4e00-\u9fff]/.test(e.message) &&
      e.message.includes(localMinutes(until)), `${e.message} (expected ${localMinutes(until)})`);
    const right = await rawLogin(base, 'lock1', 'Tuesday-Passw0rd-26');
    t.check('the correct password while locked: still 423', right.status === 423 && err(right).code === 'locked', short(right));
    const u = await admin.get(`/api/users/${lockUser.json.user.id}`);
    t.check('the user object shows locked_until', u.status === 200 && u.json.locked_until === e.locked_until, short(u));

    const ghost = [];
    before = Date.now();
    for (let i = 0; i <= N; i++) ghost.push(await rawLogin(base, 'ghost-user', `Wrong-Passw0rd-${i}`));
    t.check(`unknown user name: failures 1..${N - 1} are 401 bad_credentials`, ghost.slice(0, N - 1).every((r) => r.status === 401 && r.text === seq[0].text), ghost.map((r) => r.status).join(','));
    const g = ghost[N - 1];
    t.check(`unknown user name: failure ${N} is the same 423 locked as for a real user`, g.status === 423 && err(g).code === 'locked' &&
      JSON.stringify(Object.keys(err(g)).sort()) === JSON.stringify(Object.keys(e).sort()) && Date.parse(err(g).locked_until) >= before, short(g));
    t.check('unknown user name: later attempts stay 423', ghost[N].status === 423, short(ghost[N]));

    const noUnlock = await admin.post(`/api/users/${lockUser.json.user.id}/unlock`);
    t.check('系统管理员 may not unlock (403 forbidden)', noUnlock.status === 403 && err(noUnlock).code === 'forbidden', short(noUnlock));
    const un = await sec.post(`/api/users/${lockUser.json.user.id}/unlock`);
    t.check('安全管理员 unlocks: POST /api/users/{id}/unlock → 200', un.status === 200, short(un));
    const again = await rawLogin(base, 'lock1', 'Tuesday-Passw0rd-26');
    t.check('after unlock the correct password signs in', again.status === 200, short(again));

    // Unlock must give the user a fresh count: one typo right after an unlock is a 401, not a new lock.
    for (let i = 0; i < N; i++) await rawLogin(base, 'lock2', `Wrong-Passw0rd-${i}`);
    const un2 = await sec.post(`/api/users/${lock2.json.user.id}/unlock`);
    const typo = await rawLogin(base, 'lock2', 'Wrong-Passw0rd-typo');
    t.check('after unlock, one wrong password is 401 (the failure count starts afresh), not 423',
      un2.status === 200 && typo.status === 401, `unlock ${un2.status}; then ${short(typo)}`);
  }

  // -----------------------------------------------------------------------
  console.log('# session expiry (time simulated in the sessions table)');
  {
    const s = C(await makeUser(adminS, { username: 'sess1', roles: ['officer'] }));
    const uid = (await s.get('/api/auth/me')).json.user.id;
    const idle = policy.session_idle_min, abs = policy.session_absolute_min;
    sql(`UPDATE sessions SET last_seen = last_seen - ${(idle - 2) * 60000} WHERE user_id = ${uid}`);
    let r = await s.get('/api/auth/me');
    t.check(`idle ${idle - 2} min (< ${idle}): the session still works`, r.status === 200, short(r));
    sql(`UPDATE sessions SET last_seen = last_seen - ${(idle + 1) * 60000} WHERE user_id = ${uid}`);
    r = await s.get('/api/auth/me');
    t.check(`idle > ${idle} min: 401 session_expired`, r.status === 401 && err(r).code === 'session_expired', short(r));
    r = await s.get('/api/units');
    t.check('an expired session stays refused', r.status === 401, short(r));
    const s2 = (await rawLogin(base, 'sess1', PW)).client;
    r = await s2.get('/api/auth/me');
    t.check('a new session works', r.status === 200, short(r));
    sql(`UPDATE sessions SET created_at = created_at - ${(abs + 1) * 60000} WHERE user_id = ${uid}`);
    r = await s2.get('/api/auth/me');
    t.check(`absolute limit (${abs} min) passed while active: 401 session_expired`, r.status === 401 && err(r).code === 'session_expired', short(r));
  }

  // -----------------------------------------------------------------------
  console.log('# CSRF: state changes with the session cookie need X-CSRF-Token');
  {
    const count = async (action) => (await aud.get(`/api/audit/events?action=${action}&size=1`)).json.total;
    const units0 = await count('unit.created');
    const name = 'CSRF测试单位';
    let r = await admin.post('/api/units', unitBody(name), { 'X-CSRF-Token': null });
    t.check('POST without X-CSRF-Token: 403 csrf_failed', r.status === 403 && err(r).code === 'csrf_failed', short(r));
    r = await admin.post('/api/units', unitBody(name), { 'X-CSRF-Token': '0123456789abcdef0123456789abcdef' });
    t.check('POST with a wrong X-CSRF-Token: 403 csrf_failed', r.status === 403 && err(r).code === 'csrf_failed', short(r));
    r = await admin.post('/api/units', unitBody(name), { 'X-CSRF-Token': sec.csrf });
    t.check('POST with another session\'s CSRF token: 403 csrf_failed', r.status === 403 && err(r).code === 'csrf_failed', short(r));
    const list = await admin.get('/api/units');
    t.check('nothing was written: no such unit', list.status === 200 && !list.json.rows.some((u) => u.name === name), list.text.slice(0, 200));
    t.check('nothing was written: no unit.created event', (await count('unit.created')) === units0, 'event count changed');
    const victim = (await admin.post('/api/units', unitBody('CSRF删除目标'))).json.id;
    r = await admin.del(`/api/units/${victim}`, { 'X-CSRF-Token': null });
    const still = await admin.get(`/api/units/${victim}`);
    t.check('DELETE without X-CSRF-Token: 403 csrf_failed and the unit remains', r.status === 403 && err(r).code === 'csrf_failed' && still.status === 200, `${short(r)} / ${still.status}`);
    const alice = (await admin.get('/api/users?q=alice')).json.rows[0];
    r = await admin.put(`/api/users/${alice.id}`, { name: '被篡改' }, { 'X-CSRF-Token': '' });
    const a2 = await admin.get(`/api/users/${alice.id}`);
    t.check('PUT with an empty X-CSRF-Token: 403 csrf_failed and the user is unchanged', r.status === 403 && err(r).code === 'csrf_failed' && a2.json.name === alice.name, `${short(r)} / ${a2.json?.name}`);
    r = await sec.put('/api/security/policy', { lockout_threshold: 3 }, { 'X-CSRF-Token': null });
    const p2 = (await sec.get('/api/security/policy')).json;
    t.check('PUT /api/security/policy without the token: 403 and the policy is unchanged', r.status === 403 && p2.lockout_threshold === policy.lockout_threshold, short(r));
  }

  // -----------------------------------------------------------------------
  console.log('# API tokens');
  {
    let r = await admin.post('/api/tokens', { name: '数据交换接口', unit_id: 1, permissions: ['system:unit:view', 'system:unit:edit'] });
    const tok = r.json?.token || '';
    const id = r.json?.id;
    t.check('create: 201 {id, token}', r.status === 201 && Number.isInteger(id) && /^fzt_[0-9a-f]{64}$/.test(tok), short(r));
    const list = await admin.get('/api/tokens');
    const row = list.json?.rows?.find((x) => x.id === id);
    t.check('list shows the token row but never the token', list.status === 200 && row && !('token' in row) && !list.text.includes(tok.slice(4)) &&
      JSON.stringify(row.permissions) === JSON.stringify(['system:unit:view', 'system:unit:edit']) && row.created_by === 'admin' && row.revoked_at === '', list.text.slice(0, 300));
    const hash = sql(`SELECT token_hash FROM api_tokens WHERE id = ${id}`);
    t.check('stored hashed: token_hash is 64 hex and not the token', /^[0-9a-f]{64}$/.test(hash) && hash !== tok && hash !== tok.slice(4), hash);
    let sm3 = '';
    try { sm3 = execFileSync('openssl', ['dgst', '-sm3', '-r'], { input: tok, encoding: 'utf8', timeout: 10000 }).split(' ')[0]; } catch { /* no SM3 in openssl */ }
    t.check('token_hash is the SM3 of the token (docs/identity.md)', sm3 === hash, `sm3 ${sm3} vs ${hash}`);
    t.check('no table holds the token in clear', sql(`SELECT (SELECT count(*) FROM events WHERE payload LIKE '%${tok.slice(4)}%') + (SELECT count(*) FROM api_tokens WHERE token_hash LIKE '%${tok.slice(4)}%')`) === '0', 'found');
    const bearer = new Client(base, { bearer: tok });
    r = await bearer.get('/api/units');
    t.check('Bearer on a permitted route: 200', r.status === 200 && Array.isArray(r.json.rows), short(r));
    r = await bearer.post('/api/units', unitBody('令牌创建的单位'));
    t.check('Bearer needs no CSRF token: POST /api/units → 201', r.status === 201, short(r));
    r = await bearer.get('/api/users');
    t.check('Bearer on a route outside its permissions: 403 forbidden', r.status === 403 && err(r).code === 'forbidden', short(r));
    r = await bearer.get('/api/auth/me');
    t.check('Bearer may ask who it is (/api/auth/me): 200 with its permissions', r.status === 200 && /^token:/.test(r.json.user.username) && r.json.permissions.includes('system:unit:view'), short(r));
    r = await bearer.post('/api/auth/password', { old_password: 'x', new_password: 'y' });
    t.check('Bearer on a personal-account route (/api/auth/password): 403', r.status === 403, short(r));
    r = await admin.post(`/api/tokens/${id}/revoke`);
    t.check('revoke: 200', r.status === 200, short(r));
    r = await bearer.get('/api/units');
    t.check('a revoked token: 401 token_revoked', r.status === 401 && err(r).code === 'token_revoked', short(r));
    r = await admin.post(`/api/tokens/${id}/revoke`);
    t.check('revoking again: 404', r.status === 404, short(r));
    const row2 = (await admin.get('/api/tokens')).json.rows.find((x) => x.id === id);
    t.check('the list shows revoked_at', row2 && /^\d{4}-/.test(row2.revoked_at), JSON.stringify(row2));
    r = await admin.post('/api/tokens', { name: '越权令牌', unit_id: 1, permissions: ['system:unit:view', 'audit:log:view'] });
    t.check('a token cannot carry a permission its creator lacks: 400 fields.permissions', r.status === 400 && err(r).fields?.permissions, short(r));
    r = await admin.post('/api/tokens', { name: '未知权限', unit_id: 1, permissions: ['system:everything'] });
    t.check('unknown permission: 400 fields.permissions', r.status === 400 && err(r).fields?.permissions, short(r));
    r = await admin.post('/api/tokens', { name: '空权限', unit_id: 1, permissions: [] });
    t.check('empty permissions: 400 fields.permissions', r.status === 400 && err(r).fields?.permissions, short(r));
    r = await admin.post('/api/tokens', { name: '短期', unit_id: 1, permissions: ['system:unit:view'], expires_days: 1 });
    const exp = new Client(base, { bearer: r.json?.token });
    const ok1 = await exp.get('/api/units');
    sql(`UPDATE api_tokens SET expires_at = ${Date.now() - 1000} WHERE id = ${r.json?.id}`);
    const ok2 = await exp.get('/api/units');
    t.check('an expired token: 401 token_revoked (200 before expiry)', ok1.status === 200 && ok2.status === 401 && err(ok2).code === 'token_revoked', `${ok1.status} / ${short(ok2)}`);
    const ev = await aud.get('/api/audit/events?action=token.created&size=500');
    t.check('token.created events never carry the token', ev.status === 200 && ev.json.total >= 2 && !ev.text.includes('fzt_'), ev.text.slice(0, 200));
  }

  // -----------------------------------------------------------------------
  console.log('# 三权分立 (separation of duties)');
  {
    const cases = [
      [['sys_admin', 'audit_admin'], ['系统管理员', '审计管理员']],
      [['sec_admin', 'officer'], ['安全管理员', '执法人员']],
      [['sys_admin', 'sec_admin'], ['系统管理员', '安全管理员']],
      [['audit_admin', 'leader'], ['审计管理员', '领导']],
      [['supervisor', 'sys_admin'], ['系统管理员', '监督员']],
    ];
    let i = 0;
    for (const [roles, names] of cases) {
      const r = await admin.post('/api/users', { username: `sod_${++i}`, name: '兼任测试', unit_id: 1, roles });
      t.check(`create with ${roles.join('+')}: 400 separation_of_duties naming ${names.join('、')}`,
        r.status === 400 && err(r).code === 'separation_of_duties' && names.every((n) => err(r).message.includes(n)), short(r));
    }
    const none = await admin.get('/api/users?q=sod_');
    t.check('none of them was created', none.json?.total === 0, none.text.slice(0, 200));
    const okCase = await admin.post('/api/users', { username: 'case_two', name: '两个办案角色', unit_id: 1, roles: ['officer', 'unit_head'] });
    t.check('case-handling roles combine: officer+unit_head → 201', okCase.status === 201, short(okCase));
    const alice = (await admin.get('/api/users?q=alice')).json.rows[0];
    let r = await admin.put(`/api/users/${alice.id}`, { roles: ['officer', 'sys_admin'] });
    t.check('update into officer+sys_admin: 400 separation_of_duties naming both', r.status === 400 && err(r).code === 'separation_of_duties' &&
      err(r).message.includes('系统管理员') && err(r).message.includes('执法人员'), short(r));
    const secId = (await admin.get('/api/users?q=secadm')).json.rows.find((u) => u.username === 'secadm').id;
    r = await admin.put(`/api/users/${secId}`, { roles: ['sec_admin', 'audit_admin'] });
    t.check('update sec_admin into sec_admin+audit_admin: 400 separation_of_duties', r.status === 400 && err(r).code === 'separation_of_duties', short(r));
    const a2 = await admin.get(`/api/users/${alice.id}`);
    t.check('the refused update left the roles alone', JSON.stringify(a2.json.roles) === JSON.stringify(['officer']), JSON.stringify(a2.json.roles));

    let c = run(['user', 'add', '--data', data, '--username', 'cli_sod', '--roles', 'sys_admin,audit_admin'], { timeout: 30000 });
    t.check('CLI user add --roles sys_admin,audit_admin refuses, naming both roles', c.code !== 0 && /三权分立/.test(c.err) && /系统管理员/.test(c.err) && /审计管理员/.test(c.err), `${c.code} ${c.out}${c.err}`);
    c = run(['user', 'add', '--data', data, '--username', 'cli_sod2', '--roles', 'sec_admin,officer'], { timeout: 30000 });
    t.check('CLI user add --roles sec_admin,officer refuses', c.code !== 0 && /安全管理员/.test(c.err) && /执法人员/.test(c.err), `${c.code} ${c.out}${c.err}`);
    const lst = await admin.get('/api/users?q=cli_sod');
    t.check('the CLI created nobody', lst.json?.total === 0, lst.text.slice(0, 200));

    // A custom role must not be a way around it: the 系统管理员 granting himself audit powers.
    r = await admin.post('/api/roles', { key: 'audit_viewer', name: '审计查看', data_scope: 'all', permissions: ['audit:log:view', 'audit:log:export'] });
    const roleOk = r.status === 201;
    const adminId = adminS.me.id;
    r = await admin.put(`/api/users/${adminId}`, { roles: ['sys_admin', 'audit_viewer'] });
    const peek = await admin.get('/api/audit/events?size=1');
    t.check('nobody changes their own roles (403), so the 系统管理员 cannot take audit powers',
      roleOk && r.status === 403 && peek.status === 403, `role ${roleOk}; update ${short(r)}; audit read ${peek.status}`);
    if (r.status === 200) await admin.put(`/api/users/${adminId}`, { roles: ['sys_admin'] });
    r = await admin.post('/api/users', { username: 'sod_custom', name: '混合', unit_id: 1, roles: ['sys_admin', 'audit_viewer'] });
    t.check('a custom role with audit permissions next to 系统管理员: 400 separation_of_duties naming both',
      r.status === 400 && err(r).code === 'separation_of_duties' && /系统管理员/.test(err(r).message) && /审计查看/.test(err(r).message), short(r));

    // Nor can a user administrator grant roles beyond his own powers.
    const unitX = (await admin.post('/api/units', unitBody('分局'))).json.id;
    await admin.post('/api/roles', { key: 'branch_user_admin', name: '分局用户管理员', data_scope: 'unit_below', permissions: ['system:user:view', 'system:user:edit'] });
    const ua = await makeUser(adminS, { username: 'branch_ua', roles: ['branch_user_admin'], unit_id: unitX });
    const uac = C(ua);
    r = await uac.post('/api/users', { username: 'branch_root', name: '分局超管', unit_id: unitX, roles: ['sys_admin'] });
    t.check('a unit-scoped user administrator cannot create a 系统管理员 (role beyond his own permissions)', r.status === 400 || r.status === 403, short(r));
    r = await uac.put(`/api/users/${ua.me.id}`, { roles: ['sys_admin'] });
    const self = await admin.get(`/api/users/${ua.me.id}`);
    t.check('a unit-scoped user administrator cannot give himself 系统管理员', (r.status === 400 || r.status === 403) && !self.json.roles.includes('sys_admin'), `${short(r)} → roles ${JSON.stringify(self.json.roles)}`);
  }

  // -----------------------------------------------------------------------
  console.log('# personal data: masked, full with system:user:sensitive, sealed at rest');
  {
    const PHONE = '13812345678', IDNO = '11010519491231002X';
    let r = await admin.post('/api/users', { username: 'pii1', name: '张三', unit_id: 1, roles: ['officer'], phone: PHONE, id_number: IDNO });
    const id = r.json?.user?.id;
    t.check('create with phone and id_number: 201, masked in the answer', r.status === 201 && r.json.user.phone === '138****5678' && r.json.user.id_number === '110105********002X', short(r));
    r = await admin.get(`/api/users/${id}`);
    t.check('系统管理员 sees 138****5678 and 110105********002X', r.json?.phone === '138****5678' && r.json?.id_number === '110105********002X', short(r));
    r = await admin.get('/api/users?q=pii1');
    t.check('... in the list too', r.json?.rows?.[0]?.phone === '138****5678' && r.json.rows[0].id_number === '110105********002X', short(r));
    await admin.post('/api/roles', { key: 'pii_viewer', name: '身份信息查看', data_scope: 'all', permissions: ['system:user:view', 'system:user:sensitive'] });
    const viewer = C(await makeUser(adminS, { username: 'piiv', roles: ['pii_viewer'] }));
    r = await viewer.get(`/api/users/${id}`);
    t.check('a role with system:user:sensitive sees the full values', r.json?.phone === PHONE && r.json?.id_number === IDNO, short(r));
    r = await viewer.get('/api/users?q=pii1');
    t.check('... in the list too', r.json?.rows?.[0]?.phone === PHONE && r.json.rows[0].id_number === IDNO, short(r));
    const hp = sql(`SELECT hex(phone_enc) FROM users WHERE id = ${id}`), hi = sql(`SELECT hex(id_number_enc) FROM users WHERE id = ${id}`);
    t.check('phone_enc holds no plaintext (hex check)', hp.length > 0 && !hp.includes(hexOf(PHONE)) && !hp.includes(hexOf('12345678')), hp);
    t.check('id_number_enc holds no plaintext (hex check)', hi.length > 0 && !hi.includes(hexOf(IDNO)) && !hi.includes(hexOf('194912310')), hi);
    t.check('no row matches the plaintext phone (CAST AS TEXT LIKE)', sql(`SELECT count(*) FROM users WHERE CAST(phone_enc AS TEXT) LIKE '%${PHONE}%'`) === '0', 'found');
    t.check('no row matches the plaintext ID number', sql(`SELECT count(*) FROM users WHERE CAST(id_number_enc AS TEXT) LIKE '%${IDNO}%'`) === '0', 'found');
    t.check('the event chain carries masked values only', sql(`SELECT count(*) FROM events WHERE payload LIKE '%${PHONE}%' OR payload LIKE '%${IDNO}%'`) === '0' &&
      Number(sql(`SELECT count(*) FROM events WHERE action = 'user.created' AND payload LIKE '%138****5678%'`)) >= 1, 'plaintext in events, or no masked copy');
    // A catalog's "sensitive" text field (执法人员.身份证号) is sealed at rest too.
    r = await admin.post('/api/catalogs/officers', { name: '周执法', unit: 1, id_number: IDNO, cert_no: 'PII-CERT-1',
      cert_expires_on: '2030-12-31', cert_status: '有效' });
    const hc = sql(`SELECT hex(f_id_number) FROM cat_officers WHERE f_cert_no = 'PII-CERT-1'`);
    t.check('catalog sensitive field: stored sealed, no plaintext in the column', r.status === 201 && hc.length > 0 &&
      !hc.includes(hexOf(IDNO)) && sql(`SELECT count(*) FROM cat_officers WHERE CAST(f_id_number AS TEXT) LIKE '%${IDNO}%'`) === '0', `${r.status} ${hc}`);
    const om = await admin.get(`/api/catalogs/officers/${r.json?.id}`);
    t.check('… and read back masked by a reader without system:user:sensitive', om.status === 200 &&
      om.json?.fields?.id_number !== IDNO && /^\d{4,6}\*+/.test(om.json?.fields?.id_number || ''), om.text.slice(0, 200));
    r = await admin.post('/api/users', { username: 'pii2', name: '李四', unit_id: 1, roles: ['officer'], id_number: '11010519491231002x' });
    const v2 = r.status === 201 ? await viewer.get(`/api/users/${r.json.user.id}`) : r;
    t.check('a lower-case check letter x is accepted and stored as X', v2.json?.id_number === IDNO, short(v2));
    r = await admin.post('/api/users', { username: 'pii3', name: '王五', unit_id: 1, roles: ['officer'], id_number: '110105194912310021' });
    t.check('the test\'s GB 11643 check agrees with the example', idCheck(IDNO.slice(0, 17)) === 'X', idCheck(IDNO.slice(0, 17)));
    t.check('wrong check digit: 400 with fields.id_number naming the reason (校验码)', r.status === 400 && /校验码/.test(err(r).fields?.id_number || ''), short(r));
    const feb30 = `11010519490230123${idCheck('11010519490230123')}`;
    r = await admin.post('/api/users', { username: 'pii4', name: '赵六', unit_id: 1, roles: ['officer'], id_number: feb30 });
    t.check('impossible birth date (2月30日, right check digit): 400 fields.id_number names the date', r.status === 400 && /出生日期/.test(err(r).fields?.id_number || ''), short(r));
    r = await admin.post('/api/users', { username: 'pii5', name: '钱七', unit_id: 1, roles: ['officer'], phone: '电话号码' });
    t.check('bad phone: 400 fields.phone', r.status === 400 && err(r).fields?.phone, short(r));
    r = await admin.put(`/api/users/${id}`, { phone: '13900001111' });
    const v3 = await viewer.get(`/api/users/${id}`);
    t.check('an updated phone is masked for admin, full for the sensitive role', r.status === 200 && r.json.user.phone === '139****1111' && v3.json.phone === '13900001111', `${short(r)} / ${v3.json?.phone}`);
  }

  // -----------------------------------------------------------------------
  console.log('# forced password change and the password policy');
  {
    let r = await admin.post('/api/users', { username: 'fresh1', name: '新人', unit_id: 1, roles: ['officer'], password: 'Fresh-Init-Passw0rd1' });
    const fresh = await rawLogin(base, 'fresh1', 'Fresh-Init-Passw0rd1');
    const f = fresh.client;
    t.check('first login: 200 with user.must_change_password = true', fresh.status === 200 && fresh.json.user.must_change_password === true, short(fresh));
    r = await f.get('/api/auth/me');
    t.check('GET /api/auth/me works and says must_change_password', r.status === 200 && r.json.must_change_password === true, short(r));
    const routes = (await admin.get('/api/system/routes')).json.rows;
    const allowed = new Set(['GET /api/auth/me', 'POST /api/auth/logout', 'POST /api/auth/password']);
    const publicR = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics', 'POST /api/auth/login',
      'GET /api/public/publications', 'GET /api/public/publications/{id}', 'GET /api/public/catalogs/{name}']);
    for (const rt of routes) {
      const k = `${rt.method} ${rt.pattern}`;
      if (allowed.has(k) || publicR.has(k)) continue;
      const p = rt.pattern.replace(/\{code\}/, '532624000000').replace(/\{\w+\}/g, '1');
      const res = await f.req(rt.method, p, rt.method === 'GET' || rt.method === 'DELETE' ? undefined : {});
      t.check(`must change password: ${k} → 403 password_change_required`, res.status === 403 && err(res).code === 'password_change_required', short(res));
    }
    const second = (await rawLogin(base, 'fresh1', 'Fresh-Init-Passw0rd1')).client;
    const bad = [
      ['Ab1!xyz', /至少 10/, 'too short'],
      ['abcdefghijkl', /3 类/, 'too few character classes'],
      ['Xfresh1-Passw0rd', /用户名/, 'contains the user name'],
    ];
    for (const [np, re, what] of bad) {
      r = await f.post('/api/auth/password', { old_password: 'Fresh-Init-Passw0rd1', new_password: np });
      t.check(`new password ${what}: 400 validation_failed, fields.new_password names the rule`, r.status === 400 && err(r).code === 'validation_failed' && re.test(err(r).fields?.new_password || ''), short(r));
    }
    await sec.put('/api/security/policy', { password_min_length: 14 });
    r = await f.post('/api/auth/password', { old_password: 'Fresh-Init-Passw0rd1', new_password: 'Abcdef-12345x' });
    t.check('the minimum length comes from the security policy (14)', r.status === 400 && /至少 14/.test(err(r).fields?.new_password || ''), short(r));
    await sec.put('/api/security/policy', { password_min_length: policy.password_min_length });
    r = await f.post('/api/auth/password', { old_password: 'Not-The-Passw0rd1', new_password: 'Brand-New-Passw0rd1' });
    t.check('wrong old password: 400 fields.old_password', r.status === 400 && err(r).fields?.old_password, short(r));
    r = await f.post('/api/auth/password', { old_password: 'Fresh-Init-Passw0rd1', new_password: 'Fresh-Init-Passw0rd1' });
    t.check('new password equal to the old one: 400 fields.new_password', r.status === 400 && err(r).fields?.new_password, short(r));
    r = await f.post('/api/auth/password', { old_password: 'Fresh-Init-Passw0rd1', new_password: 'Brand-New-Passw0rd1' });
    t.check('a valid change: 200', r.status === 200, short(r));
    r = await f.get('/api/units');
    t.check('after the change the routes work', r.status === 200, short(r));
    r = await f.get('/api/auth/me');
    t.check('... and must_change_password is false', r.json?.must_change_password === false && r.json.user.must_change_password === false, short(r));
    r = await second.get('/api/auth/me');
    t.check('the user\'s other sessions ended with the change (401)', r.status === 401, short(r));
    const uid = fresh.json.user.id;
    sql(`UPDATE users SET pw_changed_at = pw_changed_at - ${(policy.password_max_age_days + 1) * 86400000} WHERE id = ${uid}`);
    r = await f.get('/api/units');
    const me = await f.get('/api/auth/me');
    t.check(`a password older than ${policy.password_max_age_days} days must be changed (403 password_change_required)`,
      r.status === 403 && err(r).code === 'password_change_required' && me.json?.must_change_password === true, `${short(r)} / ${me.json?.must_change_password}`);
    r = await f.post('/api/auth/password', { old_password: 'Brand-New-Passw0rd1', new_password: 'Brand-New-Passw0rd2' });
    t.check('... and changing it restores access', r.status === 200 && (await f.get('/api/units')).status === 200, short(r));
  }

  // -----------------------------------------------------------------------
  console.log('# password reset by the administrator');
  {
    const s = await makeUser(adminS, { username: 'reset1', roles: ['officer'] });
    const sc = C(s);
    let r = await admin.post(`/api/users/${s.me.id}/reset-password`);
    const init = r.json?.initial_password;
    t.check('reset: 200 with a new initial_password, user must change', r.status === 200 && typeof init === 'string' && init.length >= 10 && r.json.user?.must_change_password === true, short(r));
    r = await sc.get('/api/auth/me');
    t.check('the user\'s existing session ended (401)', r.status === 401, short(r));
    r = await rawLogin(base, 'reset1', PW);
    t.check('the old password no longer works (401)', r.status === 401 && err(r).code === 'bad_credentials', short(r));
    r = await rawLogin(base, 'reset1', init);
    t.check('the initial password signs in with must_change_password', r.status === 200 && r.json.user.must_change_password === true, short(r));
    const c = r.client;
    r = await c.get('/api/units');
    t.check('... and must change it first (403 password_change_required)', r.status === 403 && err(r).code === 'password_change_required', short(r));
    r = await c.post('/api/auth/password', { old_password: init, new_password: 'After-Reset-Passw0rd1' });
    t.check('... after which it works', r.status === 200 && (await c.get('/api/units')).status === 200, short(r));
    const ev = await aud.get(`/api/audit/events?action=user.updated&subject_kind=user&subject_id=${s.me.id}&size=50`);
    t.check('the reset is in the audit trail (user.updated, password_reset: true, actor admin)', ev.json?.rows?.some((e) => e.payload.password_reset === true && e.actor === 'admin'), ev.text.slice(0, 300));
  }

  // -----------------------------------------------------------------------
  console.log('# disabling an account');
  {
    const s = await makeUser(adminS, { username: 'gone1', roles: ['officer'] });
    let r = await admin.put(`/api/users/${s.me.id}`, { disabled: true });
    t.check('disable: 200 with disabled = true', r.status === 200 && r.json.user.disabled === true, short(r));
    r = await C(s).get('/api/auth/me');
    t.check('the disabled user\'s sessions end (401)', r.status === 401, short(r));
    r = await rawLogin(base, 'gone1', PW);
    t.check('the right password for a disabled account: 403 account_disabled', r.status === 403 && err(r).code === 'account_disabled', short(r));
    const wrongKnown = await rawLogin(base, 'gone1', 'Wrong-Passw0rd-1');
    const wrongNone = await rawLogin(base, 'nosuch-user-y', 'Wrong-Passw0rd-1');
    t.check('a wrong password for a disabled account is the ordinary 401', wrongKnown.status === 401 && wrongKnown.text === wrongNone.text, short(wrongKnown));
    r = await admin.put(`/api/users/${s.me.id}`, { disabled: false });
    t.check('enabled again: signs in', r.status === 200 && (await rawLogin(base, 'gone1', PW)).status === 200, short(r));
  }

  // -----------------------------------------------------------------------
  console.log('# deleting what is still in use');
  {
    const u1 = (await admin.post('/api/units', unitBody('有人的单位'))).json.id;
    await admin.post('/api/users', { username: 'member1', name: '成员', unit_id: u1, roles: ['officer'] });
    let r = await admin.del(`/api/units/${u1}`);
    t.check('unit with a user: 409 in_use, count 1, Chinese message', r.status === 409 && err(r).code === 'in_use' && err(r).count === 1 && /用户/.test(err(r).message), short(r));
    const u2 = (await admin.post('/api/units', unitBody('有下级的单位'))).json.id;
    await admin.post('/api/units', unitBody('下级', u2));
    r = await admin.del(`/api/units/${u2}`);
    t.check('unit with a child unit: 409 in_use, count 1', r.status === 409 && err(r).code === 'in_use' && err(r).count === 1, short(r));
    const u3 = (await admin.post('/api/units', unitBody('空单位'))).json.id;
    r = await admin.del(`/api/units/${u3}`);
    t.check('an empty unit deletes: 200, then 404', r.status === 200 && (await admin.get(`/api/units/${u3}`)).status === 404, short(r));
    await admin.post('/api/regions', { code: '532624102', name: '有单位的镇' });
    await admin.post('/api/units', unitBody('镇政府', 1, '532624102000'));
    r = await admin.del('/api/regions/532624102000');
    t.check('region with a unit: 409 in_use, count 1', r.status === 409 && err(r).code === 'in_use' && err(r).count === 1, short(r));
    await admin.post('/api/regions', { code: '532624103', name: '有村的镇' });
    const v = await admin.post('/api/regions', { code: '532624103001', name: '某村' });
    r = await admin.del('/api/regions/532624103000');
    t.check('region with a child region: 409 in_use, count 1', v.status === 201 && r.status === 409 && err(r).code === 'in_use' && err(r).count === 1, `${v.status} ${short(r)}`);
    r = await admin.del('/api/regions/532624000000');
    t.check('the county region (units under it): 409 in_use', r.status === 409 && err(r).code === 'in_use' && err(r).count >= 1, short(r));
    r = await admin.del('/api/regions/532624103001');
    t.check('an empty region deletes: 200', r.status === 200, short(r));
    const roles = (await admin.get('/api/roles')).json.rows;
    const officer = roles.find((x) => x.key === 'officer');
    r = await admin.del(`/api/roles/${officer.id}`);
    t.check('a built-in role cannot be deleted: 409', r.status === 409, short(r));
    r = await admin.put(`/api/roles/${officer.id}`, { permissions: ['system:unit:view', 'system:user:view'] });
    t.check('a built-in role cannot be changed: 409', r.status === 409, short(r));
    const pv = roles.find((x) => x.key === 'pii_viewer');
    r = await admin.del(`/api/roles/${pv.id}`);
    t.check('a custom role still held by users: 409', r.status === 409, short(r));
  }

  // -----------------------------------------------------------------------
  console.log('# audit trail, export and login log');
  {
    let r = await aud.get('/api/audit/events?actor=admin&size=500');
    const acts = new Set((r.json?.rows || []).map((e) => e.action));
    t.check('?actor=admin: only admin\'s events, including user.created, unit.created, token.created',
      r.status === 200 && r.json.rows.every((e) => e.actor === 'admin') && ['user.created', 'unit.created', 'token.created', 'user.updated'].every((a) => acts.has(a)), [...acts].join(','));
    r = await aud.get('/api/audit/events?action=auth.login_failed&size=500');
    const actors = new Set((r.json?.rows || []).map((e) => e.actor));
    t.check('?action=auth.login_failed shows the failures (lock1, ghost-user, nosuch-user-x) with the IP',
      r.status === 200 && r.json.total >= 2 * N + 2 && ['lock1', 'ghost-user', 'nosuch-user-x'].every((a) => actors.has(a)) && r.json.rows.every((e) => e.payload.ip === '127.0.0.1'), `${r.json?.total} ${[...actors].join(',')}`);
    r = await aud.get('/api/audit/events?action=auth.locked&size=50');
    t.check('?action=auth.locked records the locks', r.json?.rows?.some((e) => e.actor === 'lock1') && r.json.rows.some((e) => e.actor === 'ghost-user'), r.text.slice(0, 200));
    r = await aud.get('/api/audit/events?action=user.unlocked&size=50');
    t.check('user.unlocked is recorded with the 安全管理员 as actor', r.json?.rows?.some((e) => e.actor === 'secadm' && e.subject_id === String(lockUser.json.user.id)), r.text.slice(0, 200));
    r = await aud.get('/api/audit/events?action=policy.updated&size=50');
    t.check('policy.updated is recorded', r.json?.total >= 1 && r.json.rows[0].actor === 'secadm', r.text.slice(0, 200));
    const today = localMinutes(Date.now()).slice(0, 10);
    r = await aud.get(`/api/audit/events?from=${today}&to=${today}&size=1`);
    const r2 = await aud.get('/api/audit/events?from=2000-01-01&to=2000-01-02&size=1');
    t.check('from/to as YYYY-MM-DD filter by day', r.json?.total > 0 && r2.json?.total === 0, `${r.json?.total} / ${r2.json?.total}`);
    r = await aud.get('/api/audit/events?from=yesterday');
    t.check('a bad from: 400 fields.from', r.status === 400 && err(r).fields?.from, short(r));

    r = await aud.get('/api/audit/export?format=csv');
    const firstLine = r.buf.subarray(3).toString('utf8').split(/\r?\n/)[0];
    t.check('export csv: text/csv, attachment', r.status === 200 && /^text\/csv/.test(r.headers.get('content-type') || '') && /attachment/.test(r.headers.get('content-disposition') || ''),
      `${r.status} ${r.headers.get('content-type')} ${r.headers.get('content-disposition')}`);
    t.check('export csv starts with a UTF-8 BOM', r.buf[0] === 0xef && r.buf[1] === 0xbb && r.buf[2] === 0xbf, r.buf.subarray(0, 4).toString('hex'));
    t.check('export csv header row: 序号,时间,操作人,动作,…', firstLine === '序号,时间,操作人,动作,对象类型,对象编号,原状态,新状态,内容,哈希', firstLine);
    t.check('export csv has the events (user.created …) and masked data only', r.text.includes('user.created') && r.text.includes('auth.login_failed') && !r.text.includes('13812345678'), r.text.slice(0, 200));
    const fl = await aud.get('/api/audit/export?format=csv&action=user.created');
    const lines = fl.buf.subarray(3).toString('utf8').split(/\r?\n/).filter((l) => l);
    const evc = (await aud.get('/api/audit/events?action=user.created&size=1')).json.total;
    t.check('export honours the filters (one line per user.created event)', lines.length === evc + 1 && lines.slice(1).every((l) => l.includes('user.created')), `${lines.length - 1} lines vs ${evc} events`);
    r = await aud.get('/api/audit/export?format=xlsx');
    t.check('export xlsx: a zip (PK) with the spreadsheet content type', r.status === 200 && r.buf.subarray(0, 2).toString('latin1') === 'PK' &&
      r.headers.get('content-type') === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', `${r.status} ${r.headers.get('content-type')} ${r.buf.subarray(0, 4).toString('hex')}`);
    r = await aud.get('/api/audit/export?format=pdf');
    t.check('export format=pdf: 400 fields.format', r.status === 400 && err(r).fields?.format, short(r));

    r = await aud.get('/api/audit/logins?username=lock1&size=100');
    const rows = r.json?.rows || [];
    t.check('login log lists failed and successful logins with IP and reason',
      r.status === 200 && rows.some((x) => !x.ok && x.reason === '密码错误') && rows.some((x) => !x.ok && /锁定/.test(x.reason)) && rows.some((x) => x.ok) &&
      rows.every((x) => x.ip === '127.0.0.1' && x.username === 'lock1' && /^\d{4}-/.test(x.at)), JSON.stringify(rows.slice(0, 3)));
    r = await aud.get('/api/audit/logins?username=ghost-user&size=100');
    t.check('login log: unknown user names are recorded as such', r.json?.rows?.length === N + 1 && r.json.rows.every((x) => !x.ok), JSON.stringify(r.json?.rows?.slice(0, 2)));
    r = await aud.get('/api/audit/logins?size=5');
    t.check('login log pages: {total, rows}', r.status === 200 && r.json.total > 5 && r.json.rows.length === 5, short(r));
  }

  // -----------------------------------------------------------------------
  console.log('# TOTP');
  {
    const s = C(await makeUser(adminS, { username: 'otp1', roles: ['officer'] }));
    let r = await s.post('/api/auth/totp/setup');
    const secret = r.json?.secret || '';
    const uri = r.json?.otpauth_uri || '';
    t.check('setup: 200 {secret (base32), otpauth_uri}', r.status === 200 && /^[A-Z2-7]{16,}=*$/.test(secret), short(r));
    const q = new URLSearchParams(uri.split('?')[1] || '');
    t.check('otpauth_uri = otpauth://totp/fazhi:otp1?secret=…&issuer=fazhi&digits=6&period=30', uri.startsWith('otpauth://totp/fazhi:otp1?') &&
      q.get('secret') === secret && q.get('issuer') === 'fazhi' && q.get('digits') === '6' && q.get('period') === '30', uri);
    const S = stepNow();
    const valid = new Set([totp(secret, S - 1), totp(secret, S), totp(secret, S + 1), totp(secret, S + 2)]);
    let wrong = '000000';
    for (let i = 0; valid.has(wrong); i++) wrong = String(i).padStart(6, '0');
    r = await s.post('/api/auth/totp/enable', { code: wrong });
    t.check('enable with a wrong code: 400 fields.code', r.status === 400 && err(r).fields?.code, short(r));
    r = await s.post('/api/auth/totp/enable', { code: totp(secret, S) });
    const codes = r.json?.recovery_codes || [];
    t.check('enable with the right code (RFC 6238 computed here): 200, 10 distinct recovery codes', r.status === 200 && codes.length === 10 && new Set(codes).size === 10, short(r));
    r = await s.get('/api/auth/me');
    t.check('me: totp_enabled', r.json?.user?.totp_enabled === true, short(r));
    r = await s.post('/api/auth/totp/setup');
    t.check('setup again while enabled: 409', r.status === 409, short(r));
    r = await rawLogin(base, 'otp1', PW);
    t.check('login without a code: 401 totp_required', r.status === 401 && err(r).code === 'totp_required', short(r));
    const next = totp(secret, S + 1);
    r = await rawLogin(base, 'otp1', PW, next);
    t.check('login with the right code: 200', r.status === 200, short(r));
    r = await rawLogin(base, 'otp1', PW, next);
    t.check('the same code again (same 30-s step): 401', r.status === 401, short(r));
    r = await rawLogin(base, 'otp1', 'Wrong-Passw0rd-9', totp(secret, S + 1));
    t.check('wrong password with a code: 401 bad_credentials', r.status === 401 && err(r).code === 'bad_credentials', short(r));
    r = await rawLogin(base, 'otp1', PW, codes[0]);
    t.check('a recovery code signs in', r.status === 200, short(r));
    r = await rawLogin(base, 'otp1', PW, codes[0]);
    t.check('... once only: the same recovery code again is 401', r.status === 401, short(r));
    r = await rawLogin(base, 'otp1', PW, codes[1].toUpperCase());
    t.check('recovery codes are case-insensitive', r.status === 200, short(r));
    r = await s.post('/api/auth/totp/disable', { password: 'Wrong-Passw0rd-9' });
    t.check('disable with a wrong password: 400', r.status === 400, short(r));
    r = await s.post('/api/auth/totp/disable', { password: PW });
    t.check('disable with the password: 200, then login needs no code', r.status === 200 && (await rawLogin(base, 'otp1', PW)).status === 200, short(r));

    // Replay under concurrency: one code, several simultaneous logins, one success.
    const s2 = C(await makeUser(adminS, { username: 'otp2', roles: ['officer'] }));
    const sec2 = (await s2.post('/api/auth/totp/setup')).json.secret;
    const S2 = stepNow();
    await s2.post('/api/auth/totp/enable', { code: totp(sec2, S2) });
    const code2 = totp(sec2, S2 + 1);
    const par = await Promise.all([0, 1, 2, 3].map(() => rawLogin(base, 'otp2', PW, code2)));
    t.check('one code sent by 4 simultaneous logins signs in exactly once', par.filter((x) => x.status === 200).length === 1, par.map((x) => x.status).join(','));

    // A policy requiring TOTP for a role.
    const lead = C(await makeUser(adminS, { username: 'lead1', roles: ['leader'] }));
    r = await sec.put('/api/security/policy', { totp_required_roles: ['leader'] });
    t.check('policy: totp_required_roles = [leader]', r.status === 200 && JSON.stringify(r.json.totp_required_roles) === '["leader"]', short(r));
    r = await lead.get('/api/units');
    t.check('leader without TOTP: 403 totp_setup_required', r.status === 403 && err(r).code === 'totp_setup_required', short(r));
    r = await lead.get('/api/system/routes');
    t.check('... on every non-self route (/api/system/routes too)', r.status === 403 && err(r).code === 'totp_setup_required', short(r));
    r = await lead.get('/api/auth/me');
    t.check('... but me works and says totp_setup_required', r.status === 200 && r.json.totp_setup_required === true, short(r));
    r = await C(await makeUser(adminS, { username: 'off9', roles: ['officer'] })).get('/api/units');
    t.check('other roles are not affected', r.status === 200, short(r));
    const ls = (await lead.post('/api/auth/totp/setup')).json?.secret;
    r = await lead.post('/api/auth/totp/enable', { code: ls ? totp(ls) : '000000' });
    t.check('leader enrols (setup + enable allowed while pending)', r.status === 200, short(r));
    r = await lead.get('/api/units');
    t.check('after enrolment the leader\'s routes work', r.status === 200, short(r));
    r = await lead.post('/api/auth/totp/disable', { password: PW });
    t.check('disabling TOTP while the role requires it: 409', r.status === 409, short(r));
    await sec.put('/api/security/policy', { totp_required_roles: [] });
  }
} catch (e) {
  t.fail('identity tests (main server)', e.stack || e.message);
} finally {
  const e = await srv.stop();
  t.check('main server stops cleanly', e.code === 0, `exit ${e.code ?? e.sig}: ${srv.stderr().slice(-400)}`);
  const v = run(['verify', '--data', data]);
  t.check('the event chain verifies after the run', v.code === 0 && /^OK \d+ /.test(v.out), v.out + v.err);
}

// =========================================================================
// Per-IP throttle: a fresh server, since login_log counts every attempt
// from 127.0.0.1 in the last minute.
// =========================================================================
console.log('# per-IP login throttle (fresh server)');
{
  const d2 = initData(['--region-code', '532624']);
  const sql2 = sqlOn(d2);
  srv = await startServer(d2);
  try {
    const adminS = await loginAdmin(srv.base);
    const s = C(await makeUser(adminS, { username: 'secadm', roles: ['sec_admin'] }));
    let r = await s.put('/api/security/policy', { ip_throttle_per_min: 2 });
    t.check('ip_throttle_per_min below its minimum: 400 naming the field', r.status === 400 && err(r).fields?.ip_throttle_per_min, short(r));
    r = await s.put('/api/security/policy', { ip_throttle_per_min: 5 });
    const limit = r.json?.ip_throttle_per_min;
    t.check('ip_throttle_per_min = 5', r.status === 200 && limit === 5, short(r));
    const seen = [];
    let hit = null;
    for (let i = 0; i < limit + 2 && !hit; i++) {
      const x = await rawLogin(srv.base, `nobody-${i}`, 'Wrong-Passw0rd-1');
      seen.push(x.status);
      if (x.status === 429) hit = x;
    }
    const logged = Number(sql2("SELECT count(*) FROM login_log WHERE ip = '127.0.0.1' AND ok = 0"));
    t.check(`after ${limit} attempts in a minute from one IP: 429 too_many_requests`, hit && err(hit).code === 'too_many_requests' && /[\u4e00-\u9fff]/.test(err(hit).message) &&
      logged === limit && seen.slice(0, -1).every((x) => x === 401), `${seen.join(',')}; ${logged} logged`);
    r = await rawLogin(srv.base, 'admin', ADMIN_PW);
    t.check('a correct password is throttled too (429)', r.status === 429, short(r));
    t.check('throttled attempts are not logged (no self-extending lockout)', Number(sql2("SELECT count(*) FROM login_log WHERE ip = '127.0.0.1' AND ok = 0")) === limit, 'count grew');
    const other = await loginFrom('127.0.0.2', srv.port, 'admin', ADMIN_PW);
    t.check('another client IP is not throttled (127.0.0.2 signs in)', other.status === 200, `${other.status} ${other.text.slice(0, 200)}`);
    r = await rawLogin(srv.base, 'admin', ADMIN_PW, undefined, { 'X-Forwarded-For': '203.0.113.9' });
    t.check('X-Forwarded-For from a peer not in trusted_proxies is ignored (still throttled)', r.status === 429, short(r));
  } catch (e) {
    t.fail('throttle tests', e.stack || e.message);
  } finally {
    const e = await srv.stop();
    t.check('throttle server stops cleanly', e.code === 0, `exit ${e.code ?? e.sig}`);
  }
  // Behind nginx on this host: the client is the address nginx appended last.
  srv = await startServer(d2, ['--trusted-proxies', '10.0.0.5, 127.0.0.1']);
  try {
    const r = await rawLogin(srv.base, 'xff-user', 'Wrong-Passw0rd-1', undefined, { 'X-Forwarded-For': '198.51.100.7, 203.0.113.9' });
    const ip = sql2("SELECT ip FROM login_log WHERE username = 'xff-user'");
    t.check('from a trusted proxy: the last X-Forwarded-For address is the client (login log, throttle)',
      r.status === 401 && ip === '203.0.113.9', `${r.status} ip=${ip}`);
    const bad = serveFails(d2, ['--trusted-proxies', 'nginx.local']);
    t.check('trusted_proxies that is not an IP address: serve refuses naming the key', bad.code !== 0 && /trusted_proxies/.test(bad.err), bad.err);
  } finally {
    await srv.stop();
  }
}

clearTimeout(watchdog);
process.exit(t.summary());
