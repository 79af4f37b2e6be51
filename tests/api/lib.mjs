// Helpers for the API tests: a throwaway data dir, a free loopback port, a
// real `fazhi serve` process that is always stopped, and small HTTP helpers.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const BIN = process.env.FAZHI_BIN || path.resolve('build/fazhi');
const children = new Set();

function killAll() {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* already gone */ }
  }
}
// Temp dirs made by tmpDir are removed when the test process ends (after its
// servers are killed); FAZHI_KEEP_TMP=1 keeps them for a post-mortem.
const dirs = new Set();
function cleanup() {
  killAll();
  if (process.env.FAZHI_KEEP_TMP) return;
  for (const d of dirs) {
    try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ }
  }
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

export function tmpDir(prefix = 'fazhi-test-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.add(d);
  return d;
}

export function run(args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 60000, ...opts });
  return { code: r.status, out: r.stdout || '', err: r.stderr || '' };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// The first 系统管理员's password, given to `fazhi init` through a file.
export const ADMIN_INIT_PW = 'Init-Passw0rd-2026';
export const ADMIN_PW = 'Xian-Fazhi-2026!';

// When FAZHI_TEST_PG names a throwaway cluster (scripts/pg-cluster.sh, started
// by scripts/test.sh), every data dir gets its own fresh PostgreSQL database:
// the suites then run unchanged on the PostgreSQL backend.
let pgSeq = 0;
export function storeArgs() {
  const dir = process.env.FAZHI_TEST_PG;
  if (!dir) return [];
  const name = `t${process.pid}_${++pgSeq}`;
  const r = spawnSync('bash', [path.resolve('scripts/pg-cluster.sh'), 'createdb', dir, name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`createdb ${name}: ${r.stderr}`);
  return ['--store', r.stdout.trim()];
}

// Where a data dir's database is (its fazhi.conf `store`), and a way for tests
// to read or move time in it directly: the sqlite3 CLI or psql.
export function storeOf(data) {
  const m = /^store\s*=\s*(\S+)/m.exec(fs.readFileSync(path.join(data, 'fazhi.conf'), 'utf8'));
  return m ? m[1] : '';
}
export function sql(data, q) {
  const st = storeOf(data);
  if (st.startsWith('postgres')) {
    // The tests' own SQL is SQLite's; hex() is the one function they use that
    // PostgreSQL spells differently.
    const pq = q.replace(/\bhex\(([a-z_]+)\)/g, "upper(encode($1, 'hex'))");
    return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', st, '-c', pq],
      { encoding: 'utf8', timeout: 30000 }).trim();
  }
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(data, 'fazhi.db'), q],
    { encoding: 'utf8', timeout: 30000 }).trim();
}

// opts.sqlite: SQLite even when FAZHI_TEST_PG is set (to compare the two).
export function initData(extra = [], opts = {}) {
  const dir = tmpDir();
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'admin-password');
  fs.writeFileSync(pwfile, `${ADMIN_INIT_PW}\n`, { mode: 0o600 });
  const r = run(['init', '--data', data, '--admin-password-file', pwfile, ...(opts.sqlite ? [] : storeArgs()), ...extra]);
  if (r.code !== 0) throw new Error(`fazhi init failed: ${r.err}`);
  return data;
}

// A signed-in client: cookie + CSRF token, with helpers that send them.
export class Session {
  constructor(base, cookie, csrf, me) { Object.assign(this, { base, cookie, csrf, me }); }
  async req(method, p, body, headers = {}) {
    const h = { Cookie: this.cookie, ...headers };
    if (!['GET', 'HEAD'].includes(method)) h['X-CSRF-Token'] = this.csrf;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const r = await fetch(this.base + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json; try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, json, text, headers: r.headers };
  }
  get(p) { return this.req('GET', p); }
  post(p, b = {}) { return this.req('POST', p, b); }
  put(p, b = {}) { return this.req('PUT', p, b); }
  del(p) { return this.req('DELETE', p); }
}

export function cookieOf(res) {
  const sc = res.headers.get('set-cookie') || '';
  const m = /fz_session=([0-9a-f]+)/.exec(sc);
  return m ? `fz_session=${m[1]}` : '';
}

// Logs in; when the password must be changed first, changes it to
// newPassword. Resolves to a Session (throws on failure).
export async function login(base, username, password, newPassword) {
  const r = await fetch(`${base}/api/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  const j = await r.json();
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(j)}`);
  const s = new Session(base, cookieOf(r), j.csrf_token, j.user);
  if (j.user.must_change_password && newPassword) {
    const c = await s.post('/api/auth/password', { old_password: password, new_password: newPassword });
    if (c.status !== 200) throw new Error(`password change ${username}: ${c.status} ${c.text}`);
    s.me = (await s.get('/api/auth/me')).json.user;
  }
  return s;
}

// The first admin, signed in with the changed password.
export function loginAdmin(base) {
  return login(base, 'admin', ADMIN_INIT_PW, ADMIN_PW);
}

// Creates a user (as admin) and returns a signed-in Session for it.
export async function makeUser(admin, { username, roles, unit_id = 1, name }) {
  const c = await admin.post('/api/users', { username, name: name || username, unit_id, roles });
  if (c.status !== 201) throw new Error(`create ${username}: ${c.status} ${c.text}`);
  return login(admin.base, username, c.json.initial_password, 'Secret-Passw0rd-26');
}

// Starts `fazhi serve`; resolves once /healthz answers, or rejects with the
// server's stderr if it exits first.
export async function startServer(data, extraArgs = [], env = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, ['serve', '--data', data, '--listen', `127.0.0.1:${port}`, '--access-log', 'off', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    // On PostgreSQL every server's log is kept: scripts/test.sh fails the run
    // when one shows an SQL error (a dialect difference the suite missed).
    if (process.env.FAZHI_TEST_PG) fs.appendFileSync(path.join(process.env.FAZHI_TEST_PG, 'servers.log'), d);
  });
  child.stdout.on('data', () => {});
  const exited = new Promise((resolve) => child.on('exit', (code, sig) => { children.delete(child); resolve({ code, sig }); }));
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const done = await Promise.race([exited.then((e) => e), new Promise((r) => setTimeout(() => r(null), 50))]);
    if (done) throw new Error(`server exited (${done.code ?? done.sig}): ${stderr}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch { /* not yet listening */ }
  }
  return {
    base, port, child, exited,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 10000);
      const e = await exited;
      clearTimeout(t);
      return e;
    },
  };
}

// Expects a server start to fail; returns {code, stderr}.
export function serveFails(data, extraArgs = [], env = {}) {
  return run(['serve', '--data', data, '--listen', '127.0.0.1:1', ...extraArgs],
    { env: { ...process.env, ...env }, timeout: 15000 });
}

// Minimal test bookkeeping shared by the runners.
export function tally() {
  let passed = 0, failed = 0;
  return {
    ok(name) { passed++; console.log(`  ok   ${name}`); },
    fail(name, why) { failed++; console.log(`  FAIL ${name}: ${why}`); },
    check(name, cond, why) { cond ? this.ok(name) : this.fail(name, why); },
    get failed() { return failed; },
    summary() { console.log(`${passed} passed, ${failed} failed`); return failed === 0 ? 0 : 1; },
  };
}

// Looks up "a.b.0.c" in a JSON value.
export function jpath(obj, p) {
  return p.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}
