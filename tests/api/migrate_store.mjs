// `fazhi migrate-store`: a county's SQLite data copied into an empty
// PostgreSQL database. Data is made through the API on SQLite (users, a unit,
// 政府信息公开申请 cases with steps, clocks and a sealed ID number, an
// attachment, a versioned catalog row, comments), copied, and then a server
// on PostgreSQL must answer exactly as the SQLite one did: login with the same
// password (and the same session), the case list and total, each case's
// detail and timeline, search by a 2-character term, the catalog, the
// attachment bytes; `fazhi verify` prints the same line on both; new writes
// continue the ids, the case numbers and the chain. Refusals: a target that
// is not empty, a bad --to / --from, a source chain that does not verify, and
// a copy that fails half-way leaves the target empty (all or nothing).
//
// Needs FAZHI_TEST_PG (a cluster from scripts/pg-cluster.sh); without it the
// suite is skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_INIT_PW, ADMIN_PW, login, loginAdmin, makeUser, run, startServer, tally, tmpDir } from './lib.mjs';

const t = tally();
const PG = process.env.FAZHI_TEST_PG;
if (!PG) {
  console.log('# skipped: FAZHI_TEST_PG is not set (a throwaway cluster from scripts/pg-cluster.sh)');
  process.exit(t.summary());
}

const OFFICER_PW = 'Secret-Passw0rd-26';
const KIND = 'disclosure_request';
let dbSeq = 0;
function createdb() {
  const name = `mig${process.pid}_${++dbSeq}`;
  const r = spawnSync('bash', [path.resolve('scripts/pg-cluster.sh'), 'createdb', PG, name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`createdb ${name}: ${r.stderr}`);
  return r.stdout.trim();
}
const psql = (url, q) => execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url, '-c', q],
  { encoding: 'utf8', timeout: 30000 }).trim();
const sqlite = (data, q) => execFileSync('sqlite3', [path.join(data, 'fazhi.db'), q], { encoding: 'utf8' }).trim();

// A SQLite data dir whatever FAZHI_TEST_PG says (lib's initData would put it on PostgreSQL).
function initSqlite() {
  const dir = tmpDir();
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'admin-password');
  fs.writeFileSync(pwfile, `${ADMIN_INIT_PW}\n`, { mode: 0o600 });
  const r = run(['init', '--data', data, '--admin-password-file', pwfile, '--region-code', '532624']);
  if (r.code !== 0) throw new Error(`fazhi init failed: ${r.err}`);
  return data;
}

// A copy of the data dir whose fazhi.conf points at url (the SQLite file left out).
function pointAt(data, url) {
  const copy = path.join(tmpDir(), 'data');
  fs.cpSync(data, copy, { recursive: true, filter: (p) => !/fazhi\.db(-wal|-shm)?$/.test(p) });
  const conf = path.join(copy, 'fazhi.conf');
  fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace(/^#?\s*store\s*=.*$/m, `store = ${url}`));
  return copy;
}

async function upload(s, id, bytes, name, category) {
  const fd = new FormData();
  fd.append('category', category);
  fd.append('file', new Blob([bytes], { type: 'application/octet-stream' }), name);
  const r = await fetch(`${s.base}/api/cases/${KIND}/${id}/attachments`, {
    method: 'POST', headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf }, body: fd,
  });
  return { status: r.status, json: await r.json().catch(() => undefined) };
}

// The first path at which two JSON values differ ('' when equal).
function firstDiff(a, b, p = '') {
  if (JSON.stringify(a) === JSON.stringify(b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDiff(a[k], b[k], `${p}.${k}`);
      if (d) return d;
    }
  }
  return `${p || '.'}: ${JSON.stringify(a)?.slice(0, 150)} vs ${JSON.stringify(b)?.slice(0, 150)}`;
}

// What the checks compare, read through the API of one server.
async function snapshot(admin, officer, ids, attId) {
  const get = async (s, p) => { const r = await s.get(p); return { status: r.status, json: r.json }; };
  const out = {
    list: await get(officer, `/api/cases/${KIND}`),
    listFiltered: await get(officer, `/api/cases/${KIND}?state=closed`),
    cases: {},
    search: await get(officer, `/api/search?q=${encodeURIComponent('统计')}`),
    catalog: await get(admin, `/api/catalogs/laws?q=${encodeURIComponent('迁移')}`),
    users: await get(admin, '/api/users'),
    units: await get(admin, '/api/units'),
  };
  for (const id of ids) out.cases[id] = await get(officer, `/api/cases/${KIND}/${id}`);
  const a = await fetch(`${officer.base}/api/attachments/${attId}`, { headers: { Cookie: officer.cookie } });
  out.attachment = { status: a.status, sm3: Buffer.from(await a.arrayBuffer()).toString('hex') };
  return out;
}

const today = (() => {
  const n = new Date();
  return `${n.getFullYear()}-${String(n.getMonth() + 1).padStart(2, '0')}-${String(n.getDate()).padStart(2, '0')}`;
})();

const data = initSqlite();
let srv = await startServer(data);
let ids = [], attId = 0, unitId = 0, lawId = 0;
let before;
try {
  console.log('# data made through the API on SQLite');
  const admin = await loginAdmin(srv.base);
  const u = await admin.post('/api/units', { name: '县司法局', type: '部门', legal_status: '行政机关', region_code: '532624', parent_id: 1 });
  t.check('fixture: unit created', u.status === 201, u.text);
  unitId = u.json?.id;
  const officer = await makeUser(admin, { username: 'mig_officer', name: '迁移专员', roles: ['officer'], unit_id: unitId });
  const head = await makeUser(admin, { username: 'mig_head', name: '负责人', roles: ['unit_head'], unit_id: unitId });
  const bodies = [
    { applicant: { name: '张三', kind: '自然人', id_number: '11010519491231002X' }, applicant_type: '自然人', channel: '网络',
      received_on: today, content: '申请公开本县2025年行政处罚统计数据' },
    { applicant: { name: '李四', kind: '自然人' }, received_on: today, content: '申请公开2025年预算执行情况' },
    { applicant: { name: '某某公司', kind: '法人' }, applicant_type: '商业企业', channel: '邮寄', received_on: today,
      content: '申请公开环境监测报告' },
  ];
  for (const b of bodies) {
    const r = await officer.post(`/api/cases/${KIND}`, b);
    t.check(`fixture: case created (${b.content.slice(4, 12)})`, r.status === 201, r.text);
    ids.push(r.json?.id);
  }
  const step = async (s, id, action, body = {}) => {
    const r = await s.post(`/api/cases/${KIND}/${id}/actions/${action}`, body);
    t.check(`fixture: case ${id} ${action}`, r.status === 200, r.text);
  };
  await step(officer, ids[0], 'register', { comment: '材料齐全' });
  await step(officer, ids[0], 'consult_third_party', { third_party: '某某公司' });
  await step(officer, ids[0], 'third_party_replied');
  await step(head, ids[0], 'extend', { extension_reason: '需要检索的信息量大' });
  const att = await upload(officer, ids[0], Buffer.from('答复书：已通过政府网站公开。\n'), '答复书.txt', '答复书');
  t.check('fixture: attachment uploaded', att.status === 201, JSON.stringify(att.json));
  attId = att.json?.id;
  await step(officer, ids[0], 'answer', { outcome: '予以公开', outcome_detail: '已通过政府网站公开' });
  await step(officer, ids[0], 'close');
  const cm = await officer.post(`/api/cases/${KIND}/${ids[0]}/comments`, { text: '办理规范' });
  t.check('fixture: comment', cm.status === 200, cm.text);
  await step(officer, ids[1], 'register');
  const law = await admin.post('/api/catalogs/laws', { title: '中华人民共和国迁移测试法', level: '法律', promulgated_on: '2020-01-01', articles: 2, body: '第一条 旧文。' });
  t.check('fixture: catalog row', law.status === 201, law.text);
  lawId = law.json?.id;
  const law2 = await admin.put(`/api/catalogs/laws/${lawId}`, { body: '第一条 新文。', articles: 3 });
  t.check('fixture: catalog row edited (a second version)', law2.status === 200, law2.text);
  before = await snapshot(admin, officer, ids, attId);
  t.check('fixture: SQLite answers (list of 3, search hit, attachment)', before.list.json?.total === 3 &&
    before.search.json?.rows?.length >= 1 && before.attachment.status === 200, JSON.stringify(before.list.json).slice(0, 200));
  before.officer = officer;
} finally {
  const e = await srv.stop();
  t.check('SQLite server stops cleanly', e.code === 0, `exit ${e.code ?? e.sig}: ${srv.stderr().slice(-400)}`);
}

const v1 = run(['verify', '--data', data]);
const okLine = (out) => (/^OK \d+ [0-9a-f]{64}$/m.exec(out) || [''])[0];
t.check('SQLite chain verifies', v1.code === 0 && okLine(v1.out), v1.out + v1.err);

console.log('# refusals before anything is written');
{
  let r = run(['migrate-store', '--to', 'postgresql://fazhi@127.0.0.1:1/x']);
  t.check('no --from: exit 1, says so', r.code === 1 && /缺少 --from/.test(r.err), r.err);
  r = run(['migrate-store', '--from', `sqlite:${data}`]);
  t.check('no --to: exit 1, says so', r.code === 1 && /缺少 --to/.test(r.err), r.err);
  r = run(['migrate-store', '--from', `sqlite:${data}`, '--to', 'mysql://fazhi@127.0.0.1/x']);
  t.check('a --to that is not PostgreSQL: exit 1, names it', r.code === 1 && /--to 无效/.test(r.err) && /PostgreSQL/.test(r.err), r.err);
  r = run(['migrate-store', '--from', data, '--to', 'postgresql://fazhi@127.0.0.1:1/x']);
  t.check('a --from that is not sqlite:DIR: exit 1', r.code === 1 && /--from 无效/.test(r.err), r.err);
  r = run(['migrate-store', '--from', `sqlite:${data}`, '--to', 'postgresql://fazhi@127.0.0.1:1/nothing']);
  t.check('an unreachable target: exit 1, says it cannot connect', r.code === 1 && /无法连接/.test(r.err), r.err);
  r = run(['migrate-store', '--from', `sqlite:${tmpDir()}`, '--to', createdb()]);
  t.check('a source dir without fazhi.db: exit 1', r.code === 1 && /fazhi\.db/.test(r.err), r.err);

  // A tampered source chain (on a copy) is refused before the target is touched.
  const bad = path.join(tmpDir(), 'data');
  fs.cpSync(data, bad, { recursive: true });
  sqlite(bad, "UPDATE events SET payload = '{\"x\":1}' WHERE seq = (SELECT max(seq) FROM events)");
  const url = createdb();
  r = run(['migrate-store', '--from', `sqlite:${bad}`, '--to', url]);
  t.check('a source chain that does not verify: exit 1, says so', r.code === 1 && /源库事件链校验失败/.test(r.err) && /拒绝迁移/.test(r.err), r.err);
  t.check('… and the target is not touched', psql(url, "SELECT count(*) FROM pg_tables WHERE tablename = 'events'") === '0', '');
}

const url = createdb();
console.log('# a copy that fails half-way writes nothing');
{
  // Definitions without disclosure_request: its table cannot be created on the target.
  const defs = tmpDir('fazhi-defs-');
  for (const f of fs.readdirSync('defs')) {
    // (and without the indicators over it, which would not validate)
    if (f.endsWith('.json') && f !== 'disclosure_request.json'
      && !fs.readFileSync(path.join('defs', f), 'utf8').includes('"procedure": "disclosure_request"')) fs.copyFileSync(path.join('defs', f), path.join(defs, f));
  }
  const r = run(['migrate-store', '--from', `sqlite:${data}`, '--to', url, '--defs', defs]);
  t.check('missing definition: exit 1, names the table and defs', r.code === 1 && /case_disclosure_request/.test(r.err) && /defs/.test(r.err), r.err);
  t.check('… and nothing was written (no events, units, users, definition tables)',
    psql(url, "SELECT (SELECT count(*) FROM events) || ',' || (SELECT count(*) FROM units) || ',' || (SELECT count(*) FROM users)"
      + " || ',' || (SELECT count(*) FROM pg_tables WHERE tablename IN ('cat_laws', 'case_${KIND}'))") === '0,0,0,0', '');
}

console.log('# migrate-store into the empty database');
const started = Date.now();
const m = run(['migrate-store', '--from', `sqlite:${data}`, '--to', url], { timeout: 300000 });
const took = Date.now() - started;
t.check('exit 0 with a summary', m.code === 0 && /迁移完成/.test(m.out) && /数据表 \d+ 张，共 \d+ 行/.test(m.out) &&
  /两边事件链校验一致/.test(m.out) && /用时 [\d.]+ 秒/.test(m.out), m.out + m.err);
t.check('its OK line is the one `fazhi verify` prints on SQLite', okLine(m.out) === okLine(v1.out), `${okLine(m.out)} vs ${okLine(v1.out)}`);
t.check('the search index was rebuilt', /检索索引 main：[1-9]\d* 篇文档/.test(m.out), m.out);
t.check('bytea kept: the sealed ID number has the same bytes', psql(url, `SELECT encode(f_applicant__idno, 'hex') FROM case_${KIND} WHERE id = ${ids[0]}`)
  === sqlite(data, `SELECT lower(hex(f_applicant__idno)) FROM case_${KIND} WHERE id = ${ids[0]}`), '');
{
  const tables = sqlite(data, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
    + " AND name NOT LIKE 'fts%' AND name <> 'schema_migrations' ORDER BY name").split('\n');
  const diff = tables.filter((tb) => sqlite(data, `SELECT count(*) FROM ${tb}`) !== psql(url, `SELECT count(*) FROM ${tb}`));
  t.check(`every table (${tables.length}) has the same number of rows`, tables.length > 20 && diff.length === 0, diff.join(','));
  const q = 'SELECT digest || stored_at FROM def_versions ORDER BY digest';
  t.check('def_versions: the source\'s rows as they were', sqlite(data, q) === psql(url, q), '');
  const rp = 'SELECT role_id || perm FROM role_perms ORDER BY role_id, perm';
  t.check('role_perms: the source\'s rows, not the seeds again', sqlite(data, rp) === psql(url, rp), '');
}
console.log(`# migrate-store: ${(/共 (\d+) 行/.exec(m.out) || [])[1]} rows, ${(/事件 (\d+) 个/.exec(m.out) || [])[1]} events in ${took} ms`
  + ` (wall, both verifies included; it reports ${(/用时 ([\d.]+) 秒/.exec(m.out) || [])[1]} s)`);

const pgData = pointAt(data, url);
const v2 = run(['verify', '--data', pgData]);
t.check('`fazhi verify` on PostgreSQL prints the same OK line', v2.code === 0 && okLine(v2.out) === okLine(v1.out),
  `${v2.out}${v2.err} vs ${v1.out}`);

console.log('# a server on PostgreSQL answers as the SQLite one did');
srv = await startServer(pgData);
try {
  const carried = await fetch(`${srv.base}/api/auth/me`, { headers: { Cookie: before.officer.cookie } });
  t.check('a session signed in on SQLite is still valid', carried.status === 200, String(carried.status));
  const admin = await login(srv.base, 'admin', ADMIN_PW);
  t.check('admin signs in with the same password', admin.me?.username === 'admin' && !admin.me.must_change_password, JSON.stringify(admin.me));
  const officer = await login(srv.base, 'mig_officer', OFFICER_PW);
  t.check('officer signs in with the same password', officer.me?.username === 'mig_officer', JSON.stringify(officer.me));
  const after = await snapshot(admin, officer, ids, attId);
  t.check('case list: same rows and total', !firstDiff(before.list, after.list) && after.list.json?.total === 3, firstDiff(before.list, after.list));
  t.check('filtered case list: same', !firstDiff(before.listFiltered, after.listFiltered), firstDiff(before.listFiltered, after.listFiltered));
  for (const id of ids) {
    t.check(`case ${id}: detail, clocks, attachments and timeline the same`, !firstDiff(before.cases[id], after.cases[id]),
      firstDiff(before.cases[id], after.cases[id]));
  }
  t.check('timeline of the closed case has every step', after.cases[ids[0]].json?.events?.length >= 8, String(after.cases[ids[0]].json?.events?.length));
  const hitIds = (s) => (s.json?.rows || []).map((h) => `${h.kind}/${h.id}`).sort().join(',');
  t.check('search by a 2-character term finds the same case', after.search.status === 200 && hitIds(after.search) === hitIds(before.search) &&
    hitIds(after.search).includes(`/${ids[0]}`), `${hitIds(after.search)} vs ${hitIds(before.search)}`);
  t.check('catalog search: the same row, current version', !firstDiff(before.catalog, after.catalog) && after.catalog.json?.total >= 1,
    firstDiff(before.catalog, after.catalog));
  const vers = await admin.get(`/api/catalogs/laws/${lawId}/versions`);
  t.check('catalog row keeps both versions', vers.status === 200 && (vers.json?.rows || vers.json)?.length === 2, vers.text.slice(0, 200));
  t.check('users and units: the same', !firstDiff(before.users, after.users) && !firstDiff(before.units, after.units),
    firstDiff(before.users, after.users) || firstDiff(before.units, after.units));
  t.check('attachment: the same bytes', after.attachment.status === 200 && after.attachment.sm3 === before.attachment.sm3, JSON.stringify(after.attachment));

  console.log('# new writes continue where SQLite stopped');
  const c = await officer.post(`/api/cases/${KIND}`, { applicant: { name: '王五', kind: '自然人' }, received_on: today, content: '申请公开迁移后的第一件' });
  t.check('a new case gets the next id and number', c.status === 201 && c.json.id === Math.max(...ids) + 1 &&
    /〔\d{4}〕4号/.test(c.json.no), `${c.status} ${c.text.slice(0, 200)}`);
  const nu = await admin.post('/api/users', { username: 'mig_new', name: '新人', unit_id: unitId, roles: ['officer'] });
  t.check('a new user gets the next id', nu.status === 201 && nu.json.user?.id > Math.max(...after.users.json.rows.map((x) => x.id)), nu.text.slice(0, 200));
  const s2 = await officer.get(`/api/search?q=${encodeURIComponent('迁移')}`);
  t.check('the new case is searchable', (s2.json?.rows || []).some((h) => String(h.id) === String(c.json?.id)), s2.text.slice(0, 200));
} finally {
  const e = await srv.stop();
  t.check('PostgreSQL server stops cleanly', e.code === 0, `exit ${e.code ?? e.sig}: ${srv.stderr().slice(-400)}`);
}
const v3 = run(['verify', '--data', pgData]);
const n1 = Number(okLine(v1.out).split(' ')[1]), n3 = Number(okLine(v3.out).split(' ')[1]);
t.check('the chain on PostgreSQL still verifies and has grown', v3.code === 0 && n3 > n1, v3.out + v3.err);

console.log('# definitions that gained a field since the source last ran');
{
  const defs = tmpDir('fazhi-defs-');
  for (const f of fs.readdirSync('defs')) if (f.endsWith('.json')) fs.copyFileSync(path.join('defs', f), path.join(defs, f));
  const d = JSON.parse(fs.readFileSync(`defs/${KIND}.json`, 'utf8'));
  d.fields.push({ name: 'remark', label: '备注', type: 'string', max: 200 });
  fs.writeFileSync(path.join(defs, `${KIND}.json`), JSON.stringify(d));
  const url2 = createdb();
  const r = run(['migrate-store', '--from', `sqlite:${data}`, '--to', url2, '--defs', defs]);
  t.check('migrate-store with the newer definitions: exit 0', r.code === 0 && okLine(r.out) === okLine(v1.out), r.out + r.err);
  t.check('… the new column is there and recorded in def_columns',
    psql(url2, `SELECT count(*) FROM def_columns WHERE tbl = 'case_${KIND}' AND col = 'f_remark'`) === '1', '');
  const s2 = await startServer(pointAt(data, url2), ['--defs', defs]);
  try {
    const o = await login(s2.base, 'mig_officer', OFFICER_PW);
    const c = await o.get(`/api/cases/${KIND}/${ids[0]}`);
    t.check('… a server with those definitions starts and reads the cases', c.status === 200 && c.json.no === before.cases[ids[0]].json.no, c.text.slice(0, 200));
  } finally {
    await s2.stop();
  }
}

console.log('# a second migrate-store into the same (now used) database');
{
  const r = run(['migrate-store', '--from', `sqlite:${data}`, '--to', url]);
  t.check('refused: exit 1, the target is not empty', r.code === 1 && /不是空库/.test(r.err), r.err);
  const v4 = run(['verify', '--data', pgData]);
  t.check('… and the target is unchanged', okLine(v4.out) === okLine(v3.out), v4.out);
}

process.exit(t.summary());
