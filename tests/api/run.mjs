// Data-driven API tests: every tests/api/cases/*.json file is a list of
// request -> expected status / JSON fields / headers, run in order against a
// real `fazhi serve` on a fresh data dir and a free loopback port.
// Case format (docs/testing.md):
//   {"name", "method", "path", "headers"?, "json"? | "raw"? | "raw_hex"?,
//    "expect": {"status", "json"?: {"a.b": value | {"re": "..."} | {"type": "..."}},
//               "headers"?: {"name": value | {"re": ...}}, "absent_headers"?: [...],
//               "body_contains"?: "text", "body_lacks"?: "text" | ["text", ...]},
//    "save"?: {"var": "json.path"},
//    "as"?: "session name" (sends its cookie, and X-CSRF-Token on unsafe methods
//           unless "csrf": false), "bearer"?: "token",
//    "login"?: "session name" (the case is a login request; on 200 its cookie
//              and csrf_token are kept under that name)}
// "${var}" in path, headers or bodies is replaced by a saved value.
// Before the files run, session "admin" is signed in (password already changed
// to ${admin_pw}).
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_PW, cookieOf, initData, jpath, loginAdmin, run, startServer, tally } from './lib.mjs';

const dir = path.resolve('tests/api/cases');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const t = tally();

function subst(v, vars) {
  if (typeof v === 'string' && /^\$\{\w+\}$/.test(v)) return vars[v.slice(2, -1)];
  if (typeof v === 'string') return v.replace(/\$\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
  if (Array.isArray(v)) return v.map((x) => subst(x, vars));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [subst(k, vars), subst(x, vars)]));
  return v;
}

function matches(actual, want) {
  if (want && typeof want === 'object' && !Array.isArray(want)) {
    if ('re' in want) return typeof actual === 'string' && new RegExp(want.re).test(actual);
    if ('type' in want) return (Array.isArray(actual) ? 'array' : typeof actual) === want.type;
    if ('gte' in want || 'lte' in want)
      return typeof actual === 'number' && !(actual < want.gte) && !(actual > want.lte);
  }
  return JSON.stringify(actual) === JSON.stringify(want);
}

const data = initData(['--region-code', '532624']);
const srv = await startServer(data);
// ${today}: the server's local date, for steps whose legal limits run from it.
const now = new Date();
const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
// ${year}: the server's current year (a number); ${in30days}: today + 30 days.
const ymd = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const in30days = ymd(new Date(now.getFullYear(), now.getMonth(), now.getDate() + 30));
const vars = { base: srv.base, admin_pw: ADMIN_PW, today, year: now.getFullYear(), in30days };
// ${days_ago_N}, ${days_later_N}, ${years_ago_N}: dates relative to today, so
// that cases about periods (追责时效, 加处罚款, 听证通知) do not rot.
for (const n of [1, 2, 30, 60, 90]) {
  vars[`days_ago_${n}`] = ymd(new Date(now.getFullYear(), now.getMonth(), now.getDate() - n));
  vars[`days_later_${n}`] = ymd(new Date(now.getFullYear(), now.getMonth(), now.getDate() + n));
}
// ${same_year_30}: whether the date 30 days ago is in this year (cases that
// need a late and an in-time decision in one year carry "skip_unless").
vars.same_year_30 = vars.days_ago_30.slice(0, 4) === String(now.getFullYear()) ? 'yes' : '';
for (const n of [1, 3, 6]) vars[`years_ago_${n}`] = ymd(new Date(now.getFullYear() - n, now.getMonth(), now.getDate()));
// Months for the 指标 period cases: ${ym_today} / ${ym_30} ("2026-11"),
// ${month_now} (1-12), ${mi_now} (0-11), ${quarter_now} (1-4) and
// ${diff_month_30}: whether 30 days ago falls in another month.
vars.ym_today = today.slice(0, 7);
vars.ym_30 = vars.days_ago_30.slice(0, 7);
vars.month_now = now.getMonth() + 1;
vars.mi_now = now.getMonth();
vars.quarter_now = Math.floor(now.getMonth() / 3) + 1;
vars.diff_month_30 = vars.ym_30 !== vars.ym_today ? 'yes' : '';
vars.years_ago_3_ym = vars.years_ago_3.slice(0, 7);
const sessions = {};
const admin = await loginAdmin(srv.base);
sessions.admin = { cookie: admin.cookie, csrf: admin.csrf };
try {
  for (const f of files) {
    const spec = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    console.log(`# ${f}: ${spec.name || ''}`);
    for (const c0 of spec.cases) {
      const c = subst(c0, vars);
      const name = `${f} ${c.name}`;
      if (c.skip_unless && !vars[c.skip_unless]) { t.ok(`${name} (skipped: ${c.skip_unless})`); continue; }
      const headers = { ...(c.headers || {}) };
      const method = c.method || (c.login ? 'POST' : 'GET');
      if (c.as) {
        const sess = sessions[c.as];
        if (!sess) { t.fail(name, `no session ${c.as}`); continue; }
        headers.Cookie = sess.cookie;
        if (!['GET', 'HEAD'].includes(method) && c.csrf !== false) headers['X-CSRF-Token'] = sess.csrf;
      }
      if (c.bearer) headers.Authorization = `Bearer ${c.bearer}`;
      if (c.login && !c.path) c.path = '/api/auth/login';
      let body;
      if ('json' in c) { body = JSON.stringify(c.json); headers['Content-Type'] ??= 'application/json'; }
      if ('raw' in c) body = c.raw;
      if ('raw_hex' in c) body = Buffer.from(c.raw_hex, 'hex');
      if ('repeat_bytes' in c) body = Buffer.alloc(c.repeat_bytes, 0x20);
      let res, text, json;
      try {
        res = await fetch(srv.base + c.path, { method, headers, body, redirect: 'manual' });
        text = await res.text();
        try { json = JSON.parse(text); } catch { json = undefined; }
      } catch (e) {
        t.fail(name, `request failed: ${e.message}`);
        continue;
      }
      const problems = [];
      const ex = c.expect || {};
      if (ex.status !== undefined && res.status !== ex.status) problems.push(`status ${res.status} != ${ex.status} (${text.slice(0, 200)})`);
      for (const [p, want] of Object.entries(ex.json || {})) {
        const got = jpath(json, p);
        if (!matches(got, want)) problems.push(`${p} = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
      for (const [h, want] of Object.entries(ex.headers || {})) {
        const got = res.headers.get(h);
        if (!matches(got, want)) problems.push(`header ${h} = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
      for (const h of ex.absent_headers || []) if (res.headers.has(h)) problems.push(`header ${h} present`);
      if (ex.body_contains && !text.includes(ex.body_contains)) problems.push(`body lacks ${JSON.stringify(ex.body_contains)}`);
      for (const s of [].concat(ex.body_lacks || [])) if (text.includes(s)) problems.push(`body contains ${JSON.stringify(s)}`);
      if (problems.length) t.fail(name, problems.join('; '));
      else t.ok(name);
      for (const [k, p] of Object.entries(c.save || {})) vars[k] = jpath(json, p);
      if (c.login && res.status === 200) sessions[c.login] = { cookie: cookieOf(res), csrf: json.csrf_token };
    }
  }
} finally {
  const e = await srv.stop();
  t.check('server stops cleanly on SIGTERM', e.code === 0, `exit ${e.code ?? e.sig}: ${srv.stderr().slice(-500)}`);
  const v = run(['verify', '--data', data]);
  t.check('chain verifies after the run', v.code === 0 && /^OK \d+ [0-9a-f]{64}/.test(v.out), v.out + v.err);
  // Every transition of the run kept the indicators incrementally: a full
  // recompute must find nothing to change.
  const ic = run(['indicators', 'recompute', '--check', '--data', data]);
  t.check('indicators: incremental values equal a full recompute', ic.code === 0 && /^OK/.test(ic.out), ic.out + ic.err);
}
process.exit(t.summary());
