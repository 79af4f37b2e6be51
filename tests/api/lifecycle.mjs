// Process-level API tests: configuration errors, schema refusal, crash
// durability (SIGKILL under write load), tamper detection, online backup,
// keep-alive after errors, slow clients, ETag/gzip, dev-mode UI directory.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { initData, loginAdmin, makeUser, run, serveFails, startServer, tally, tmpDir } from './lib.mjs';

const t = tally();
const sql = (data, q) => execFileSync('sqlite3', [path.join(data, 'fazhi.db'), q], { encoding: 'utf8' }).trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Checkpoints are written by an 审计管理员; s is that user's Session.
async function postCheckpoint(s, note) {
  const r = await s.post('/api/chain/checkpoints', { note });
  return { status: r.status, json: r.json };
}

async function auditor(base) {
  return makeUser(await loginAdmin(base), { username: 'auditor', roles: ['audit_admin'] });
}

// Sends raw bytes on one socket and collects what comes back until `until`
// matches or the socket closes or ms passes.
function rawExchange(port, chunks, { until, ms = 3000, gapMs = 0 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    let closed = false;
    const finish = () => { clearTimeout(timer); s.destroy(); resolve({ text: buf, closed }); };
    const timer = setTimeout(finish, ms);
    s.on('data', (d) => { buf += d.toString('latin1'); if (until && until(buf)) finish(); });
    s.on('close', () => { closed = true; finish(); });
    s.on('error', () => {});
    s.on('connect', async () => {
      for (const c of chunks) { s.write(c); if (gapMs) await sleep(gapMs); }
    });
  });
}

console.log('# configuration and start-up refusals');
{
  const data = initData();
  fs.appendFileSync(path.join(data, 'fazhi.conf'), '\nlisten_port = 9\n');
  let r = serveFails(data);
  t.check('unknown key in fazhi.conf: refuses and names key and line', r.code !== 0 && /listen_port/.test(r.err) && /第 \d+ 行/.test(r.err), r.err);
  const conf = fs.readFileSync(path.join(data, 'fazhi.conf'), 'utf8').replace('listen_port = 9', 'threads = many');
  fs.writeFileSync(path.join(data, 'fazhi.conf'), conf);
  r = serveFails(data);
  t.check('bad value in fazhi.conf: refuses and names the key', r.code !== 0 && /threads/.test(r.err), r.err);
  fs.writeFileSync(path.join(data, 'fazhi.conf'), conf.replace('threads = many', ''));
  r = serveFails(data, [], { FAZHI_CONN_TIMEOUT_S: '0' });
  t.check('bad environment value: refuses and names the variable', r.code !== 0 && /FAZHI_CONN_TIMEOUT_S/.test(r.err), r.err);
  r = serveFails(data, ['--no-such-flag', '1']);
  t.check('unknown flag: refuses and names it', r.code !== 0 && /--no-such-flag/.test(r.err), r.err);
  r = serveFails(data, ['--region-code', '12345']);
  t.check('bad region code: refuses and names region_code', r.code !== 0 && /region_code/.test(r.err), r.err);
  r = run(['init', '--data', data]);
  t.check('init on an initialised dir refuses', r.code !== 0 && /已初始化/.test(r.err), r.err);
  const empty = tmpDir();
  r = serveFails(empty);
  t.check('serve on an uninitialised dir refuses with a hint', r.code !== 0 && /fazhi init/.test(r.err), r.err);
  sql(data, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)");
  r = serveFails(data);
  t.check('data dir from a newer schema: serve refuses and says so', r.code !== 0 && /更新版本/.test(r.err) && /999/.test(r.err), r.err);
  r = run(['verify', '--data', data]);
  t.check('data dir from a newer schema: verify refuses too', r.code !== 0 && /更新版本/.test(r.err), r.err);
  const keyStat = fs.statSync(path.join(data, 'fazhi.key'));
  t.check('init creates the key file with mode 0600', (keyStat.mode & 0o777) === 0o600, (keyStat.mode & 0o777).toString(8));
}

console.log('# crash durability: SIGKILL while 16 clients write');
{
  const data = initData();
  let srv = await startServer(data, ['--threads', '4']);
  const aud = await auditor(srv.base);
  const acked = [];
  let stop = false;
  const client = async (id) => {
    for (let i = 0; !stop && i < 100000; i++) {
      try {
        const r = await postCheckpoint(aud, `client ${id} write ${i}`);
        if (r.status === 201) acked.push(r.json);
      } catch { return; } // connection died with the server
    }
  };
  const clients = Array.from({ length: 16 }, (_, i) => client(i));
  await sleep(1500);
  srv.child.kill('SIGKILL');
  stop = true;
  await Promise.all(clients);
  await srv.exited;
  t.check('clients got acknowledged writes before the kill', acked.length > 50, `only ${acked.length}`);
  srv = await startServer(data);
  aud.base = srv.base;
  let missing = 0, wrong = 0;
  for (const a of acked) {
    const r = await aud.get(`/api/audit/events/${a.seq}`);
    if (r.status !== 200) { missing++; continue; }
    if (r.json.hash !== a.hash) wrong++;
  }
  t.check(`every acknowledged write (${acked.length}) is present after restart`, missing === 0 && wrong === 0, `${missing} missing, ${wrong} differ`);
  const after = await postCheckpoint(aud, 'after restart');
  t.check('the session and writes survive the crash', after.status === 201, JSON.stringify(after));
  await srv.stop();
  const v = run(['verify', '--data', data]);
  // Writes committed but not yet acknowledged at the kill may also be there.
  const count = Number(/^OK (\d+) /.exec(v.out)?.[1]);
  t.check('fazhi verify passes after the crash', v.code === 0 && count >= acked.length + 1, v.out + v.err);
}

console.log('# tamper evidence');
{
  const data = initData();
  const srv = await startServer(data);
  const aud = await auditor(srv.base);
  for (let i = 0; i < 5; i++) await postCheckpoint(aud, `存证 ${i}`);
  await srv.stop();
  let v = run(['verify', '--data', data]);
  t.check('verify prints OK <count> <head>', v.code === 0 && /^OK \d+ [0-9a-f]{64}\n/.test(v.out), v.out + v.err);
  const last = Number(/^OK (\d+)/.exec(v.out)?.[1]);
  const backup = path.join(tmpDir(), 'pristine.db');
  fs.copyFileSync(path.join(data, 'fazhi.db'), backup);
  sql(data, `UPDATE events SET payload = '{"note":"改过的"}' WHERE seq = ${last - 2}`);
  v = run(['verify', '--data', data]);
  t.check('an edited payload is caught at its seq', v.code !== 0 && new RegExp(`^FAIL seq ${last - 2}: .*篡改`).test(v.out), v.out + v.err);
  fs.copyFileSync(backup, path.join(data, 'fazhi.db'));
  sql(data, "UPDATE events SET actor = 'admin' WHERE seq = 2");
  v = run(['verify', '--data', data]);
  t.check('an edited actor is caught', v.code !== 0 && /^FAIL seq 2:/.test(v.out), v.out);
  fs.copyFileSync(backup, path.join(data, 'fazhi.db'));
  sql(data, `DELETE FROM events WHERE seq = ${last - 3}`);
  v = run(['verify', '--data', data]);
  t.check('a deleted middle event is caught', v.code !== 0 && new RegExp(`^FAIL seq ${last - 2}: .*不连续`).test(v.out), v.out);
  fs.copyFileSync(backup, path.join(data, 'fazhi.db'));
  sql(data, `DELETE FROM events WHERE seq = ${last}`);
  v = run(['verify', '--data', data]);
  t.check('a deleted last event is caught by the ledger head', v.code !== 0 && /链头/.test(v.out), v.out);
  fs.copyFileSync(backup, path.join(data, 'fazhi.db'));
  v = run(['verify', '--data', data]);
  t.check('the restored copy verifies again', v.code === 0, v.out);
}

console.log('# online backup while serving');
{
  const data = initData();
  const srv = await startServer(data);
  const aud = await auditor(srv.base);
  let stop = false;
  const writer = (async () => { while (!stop) await postCheckpoint(aud, 'load during backup'); })();
  await sleep(200);
  const file = path.join(tmpDir(), 'backup.db');
  const b = run(['backup', '--data', data, file]);
  stop = true;
  await writer;
  const m = /^OK (\S+) sm3=([0-9a-f]{64}) bytes=(\d+)/.exec(b.out);
  t.check('backup prints OK, the SM3 digest and the size', b.code === 0 && m, b.out + b.err);
  if (m) {
    const dgst = execFileSync('openssl', ['dgst', '-sm3', '-r', file], { encoding: 'utf8' }).split(' ')[0];
    t.check('the printed digest is the SM3 of the copy', dgst === m[2], `${dgst} vs ${m[2]}`);
  }
  const again = run(['backup', '--data', data, file]);
  t.check('backup refuses to overwrite a file', again.code !== 0 && /已存在/.test(again.err), again.err);
  const restored = path.join(tmpDir(), 'restored');
  fs.mkdirSync(restored);
  fs.copyFileSync(file, path.join(restored, 'fazhi.db'));
  fs.copyFileSync(path.join(data, 'fazhi.conf'), path.join(restored, 'fazhi.conf'));
  const v = run(['verify', '--data', restored]);
  t.check('the backup is a consistent, verifiable chain', v.code === 0 && /^OK \d+ /.test(v.out), v.out + v.err);
  await srv.stop();
}

console.log('# connections: keep-alive after errors, slow clients, caching');
{
  const data = initData();
  const srv = await startServer(data, ['--conn-timeout-s', '1', '--max-body-kb', '1']);
  const bad = '{"note":\n,}';
  const big = 'x'.repeat(4000);
  const req = (body) => `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const two = await rawExchange(srv.port, [req(bad), req(big), 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
    { until: (b) => b.includes('{"status":"ok"}'), gapMs: 50 });
  t.check('after a 400 and a 413 the same connection serves the next request',
    /HTTP\/1.1 400/.test(two.text) && /HTTP\/1.1 413/.test(two.text) && two.text.includes('{"status":"ok"}') && !/Connection: close/i.test(two.text), two.text.slice(0, 600));
  const slow = await rawExchange(srv.port, ['GET /healthz HTTP/1.1\r\nHo'], { ms: 4000 });
  t.check('a client that stalls mid-request is disconnected after the timeout', slow.closed && !slow.text.includes('200 OK'), JSON.stringify(slow));
  const first = await fetch(`${srv.base}/`);
  const etag = first.headers.get('etag');
  const second = await fetch(`${srv.base}/`, { headers: { 'If-None-Match': etag } });
  t.check('If-None-Match with the ETag gives 304', second.status === 304, `${second.status}`);
  const html = await first.text();
  const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  const gz = await rawExchange(srv.port, [`GET ${js} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n`],
    { until: (b) => b.includes('\r\n\r\n') });
  t.check('JS assets are served pre-gzipped with long caching', /Content-Encoding: gzip/i.test(gz.text) && /immutable/.test(gz.text), gz.text.slice(0, 400));
  await srv.stop();
}

console.log('# identity changes apply at once despite the identity cache');
{
  const data = initData();
  const srv = await startServer(data); // default auth_cache_ms (2000)
  const admin = await loginAdmin(srv.base);
  const tok = await admin.post('/api/tokens', { name: '缓存测试', unit_id: 1, permissions: ['system:unit:view'] });
  const bearer = (p) => fetch(srv.base + p, { headers: { Authorization: `Bearer ${tok.json.token}` } });
  let r = await bearer('/api/units');
  r = await bearer('/api/units'); // now cached
  t.check('a token works (and is cached)', r.status === 200, `${r.status}`);
  await admin.post(`/api/tokens/${tok.json.id}/revoke`);
  r = await bearer('/api/units');
  t.check('a revoked token is refused at once', r.status === 401, `${r.status}`);
  const u = await makeUser(admin, { username: 'cached1', roles: ['officer'] });
  r = await u.get('/api/units');
  t.check('an officer sees units (cached)', r.status === 200, `${r.status}`);
  await admin.put(`/api/users/${u.me.id}`, { roles: ['leader'] });
  r = await u.get('/api/users');
  t.check('a role change applies at once (leader cannot list users)', r.status === 403, `${r.status}`);
  await admin.put(`/api/users/${u.me.id}`, { disabled: true });
  r = await u.get('/api/units');
  t.check('a disabled user is refused at once', r.status === 401, `${r.status}`);
  const v = await makeUser(admin, { username: 'cached2', roles: ['officer'] });
  await v.get('/api/units');
  await v.post('/api/auth/logout');
  r = await v.get('/api/units');
  t.check('a logged-out session is refused at once', r.status === 401, `${r.status}`);
  await srv.stop();
}

console.log('# definitions: invalid ones and removed or retyped fields stop the server');
{
  const defsDir = path.join(tmpDir(), 'defs');
  fs.mkdirSync(defsDir);
  const orig = JSON.parse(fs.readFileSync(path.resolve('defs/disclosure_request.json'), 'utf8'));
  const put = (doc) => fs.writeFileSync(path.join(defsDir, 'disclosure_request.json'), JSON.stringify(doc, null, 1));
  const data = initData();
  const bad = structuredClone(orig);
  bad.actions[0].to = 'nowhere';
  put(bad);
  let r = serveFails(data, ['--defs', defsDir]);
  t.check('an invalid definition: refuses to start naming file, path and reason',
    r.code !== 0 && /disclosure_request\.json/.test(r.err) && /\$\.actions\[0\]\.to/.test(r.err) && /nowhere/.test(r.err), r.err);
  put(orig);
  let srv = await startServer(data, ['--defs', defsDir]);
  await srv.stop();
  const grown = structuredClone(orig);
  grown.fields.push({ name: 'remark', label: '备注', type: 'string' });
  put(grown);
  srv = await startServer(data, ['--defs', defsDir]);
  await srv.stop();
  const cols = execFileSync('sqlite3', [path.join(data, 'fazhi.db'), 'PRAGMA table_info(case_disclosure_request)'], { encoding: 'utf8' });
  t.check('a new field becomes a new column', /\|f_remark\|TEXT\|/.test(cols), cols.slice(-300));
  put(orig);
  r = serveFails(data, ['--defs', defsDir]);
  t.check('a removed field: refuses to start, says data is kept and what to do',
    r.code !== 0 && /remark/.test(r.err) && /不会被静默丢弃/.test(r.err) && /恢复/.test(r.err), r.err);
  const retyped = structuredClone(grown);
  retyped.fields.find((f) => f.name === 'remark').type = 'int';
  put(retyped);
  r = serveFails(data, ['--defs', defsDir]);
  t.check('a retyped field: refuses to start naming the field and both types',
    r.code !== 0 && /remark/.test(r.err) && /TEXT/.test(r.err) && /INTEGER/.test(r.err), r.err);
  put(grown);
  srv = await startServer(data, ['--defs', defsDir]);
  const e = await srv.stop();
  t.check('with the field restored the server starts again', e.code === 0, `${e.code}`);
  const d = run(['defs', 'check', defsDir]);
  t.check('fazhi defs check accepts the restored directory', d.code === 0 && /^OK 1 /.test(d.out), d.out + d.err);
  // A case keeps the rules it was started under.
  srv = await startServer(data, ['--defs', defsDir]);
  let admin = await loginAdmin(srv.base);
  let off = await makeUser(admin, { username: 'ver_officer', roles: ['officer'] });
  const old = await off.post('/api/cases/disclosure_request', { applicant: '周九', received_on: '2026-11-27', content: '旧规则下的申请' });
  await srv.stop();
  const v2 = structuredClone(grown);
  v2.clocks[0].limit = '15wd';
  put(v2);
  srv = await startServer(data, ['--defs', defsDir]);
  off.base = srv.base;
  let r2 = await off.post(`/api/cases/disclosure_request/${old.json.id}/actions/register`, {});
  t.check('a case started under the old definition runs its old 20-working-day clock',
    r2.status === 200 && r2.json.clocks[0].limit === '20wd' && r2.json.def_digest === old.json.def_digest, JSON.stringify(r2.json?.clocks?.[0]));
  const fresh = await off.post('/api/cases/disclosure_request', { applicant: '吴十', received_on: '2026-11-27', content: '新规则下的申请' });
  r2 = await off.post(`/api/cases/disclosure_request/${fresh.json.id}/actions/register`, {});
  t.check('a new case runs under the amended definition (15 working days)',
    r2.status === 200 && r2.json.clocks[0].limit === '15wd' && r2.json.def_digest !== old.json.def_digest, JSON.stringify(r2.json?.clocks?.[0]));
  await srv.stop();
}

console.log('# search over the imported statutes and cases (1-, 2- and 4-character Chinese terms)');
{
  const laws = process.env.FAZHI_SHARED ? path.join(process.env.FAZHI_SHARED, 'laws') : path.resolve('..', 'shared', 'laws');
  const data = initData(['--region-code', '532624']);
  const imp = run(['laws', 'import', laws, '--data', data]);
  t.check('fazhi laws import loads the statutes', imp.code === 0 && /^OK 新增 \d+/.test(imp.out), imp.out + imp.err);
  const again = run(['laws', 'import', laws, '--data', data]);
  t.check('importing again changes nothing', again.code === 0 && /新增 0，修订 0/.test(again.out), again.out + again.err);
  const srv = await startServer(data);
  const admin = await loginAdmin(srv.base);
  const off = await makeUser(admin, { username: 'searcher', roles: ['officer'] });
  const titles = async (q) => {
    const r = await off.get(`/api/search?q=${encodeURIComponent(q)}&size=50`);
    return { r, titles: (r.json?.rows || []).map((x) => x.title.replace(/<\/?mark>/g, '')) };
  };
  let x = await titles('罚');
  t.check('1 character (罚) finds 行政处罚法', x.r.status === 200 && x.titles.includes('中华人民共和国行政处罚法'), JSON.stringify(x.titles));
  x = await titles('听证');
  t.check('2 characters (听证) find 行政处罚法 and 行政许可法', x.titles.includes('中华人民共和国行政处罚法') && x.titles.includes('中华人民共和国行政许可法'), JSON.stringify(x.titles));
  t.check('snippets mark the term', /<mark>/.test(JSON.stringify(x.r.json.rows)), JSON.stringify(x.r.json.rows?.[0]));
  x = await titles('法制审核');
  const expect = fs.readdirSync(laws).filter((f) => fs.readFileSync(path.join(laws, f), 'utf8').includes('法制审核')).length;
  t.check(`4 characters (法制审核) find exactly the ${expect} statutes containing it`, x.titles.length === expect && expect > 0, JSON.stringify(x.titles));
  x = await titles('"AND NEAR(*');
  t.check('search syntax in user input is just text (no error)', x.r.status === 200, x.r.text.slice(0, 200));
  const c = await off.post('/api/cases/disclosure_request', { applicant: '王五', received_on: '2026-11-27', content: '申请公开城区噪声监测报告' });
  x = await titles('噪声');
  t.check('a new case is found by its content at once', x.titles.some((s) => s.includes(c.json.no)), JSON.stringify(x.titles));
  const aud = await makeUser(admin, { username: 'aud_search', roles: ['audit_admin'] });
  const hidden = await aud.get(`/api/search?q=${encodeURIComponent('噪声')}`);
  t.check('a caller without case rights does not see the case', hidden.status === 200 && hidden.json.rows.length === 0 && hidden.json.hidden >= 1, hidden.text.slice(0, 200));
  await srv.stop();
}

console.log('# CSV import: all or nothing, every bad row reported');
{
  const data = initData(['--region-code', '532624']);
  const dir = tmpDir();
  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, '\ufeff名称,效力级别,公布日期,条数\n甲法,法律,2020-01-01,10\n,法律,2020-01-02,3\n乙法,宪章,2020-01-03,4\n丙法,法律,2020-02-30,x\n');
  let r = run(['import', '--data', data, 'laws', bad]);
  t.check('bad rows: non-zero exit, every bad row named with its column',
    r.code !== 0 && /第 3 行，列「名称」/.test(r.err) && /第 4 行，列「效力级别」/.test(r.err) && /第 5 行，列「条数」/.test(r.err) && /未导入任何记录/.test(r.err), r.err);
  const count = () => Number(execFileSync('sqlite3', [path.join(data, 'fazhi.db'), "SELECT count(*) FROM sqlite_master WHERE name = 'cat_laws'"], { encoding: 'utf8' }).trim())
    ? Number(execFileSync('sqlite3', [path.join(data, 'fazhi.db'), 'SELECT count(*) FROM cat_laws'], { encoding: 'utf8' }).trim()) : 0;
  t.check('nothing was imported', count() === 0, `${count()}`);
  const hdr = path.join(dir, 'hdr.csv');
  fs.writeFileSync(hdr, '名称,颜色\n甲法,红\n');
  r = run(['import', '--data', data, 'laws', hdr]);
  t.check('an unknown column is refused naming it', r.code !== 0 && /颜色/.test(r.err), r.err);
  const good = path.join(dir, 'good.csv');
  fs.writeFileSync(good, 'title,level,promulgated_on,articles\n甲法,法律,2020-01-01,10\n"乙法，附则",行政法规,2020-01-02,3\n');
  r = run(['import', '--data', data, 'laws', good]);
  t.check('a good file imports every row (headers by name, quoted commas)', r.code === 0 && /导入 2 条/.test(r.out) && count() === 2, r.out + r.err);
  const cases = path.join(dir, 'cases.csv');
  fs.writeFileSync(cases, '编号,状态,申请人,收到日期,申请内容,办理结果\n公开申请〔2023〕1号,已办结,赵六,2023-03-01,申请公开预算,予以公开\n公开申请〔2023〕2号,答复中,钱七,2023-03-02,申请公开决算,\n');
  r = run(['import', '--data', data, 'disclosure_request', cases]);
  t.check('historic cases: a state that is not defined is refused', r.code !== 0 && /第 3 行，列「状态」/.test(r.err), r.err);
  fs.writeFileSync(cases, '编号,状态,申请人,收到日期,申请内容,办理结果\n公开申请〔2023〕1号,已办结,赵六,2023-03-01,申请公开预算,予以公开\n公开申请〔2023〕2号,answered,钱七,2023-03-02,申请公开决算,部分公开\n');
  r = run(['import', '--data', data, 'disclosure_request', cases]);
  t.check('historic cases import with their numbers and states', r.code === 0 && /导入 2 条/.test(r.out), r.out + r.err);
  const st = execFileSync('sqlite3', [path.join(data, 'fazhi.db'), 'SELECT no, state FROM case_disclosure_request ORDER BY id'], { encoding: 'utf8' });
  t.check('the imported cases hold their numbers and states', /公开申请〔2023〕1号\|closed/.test(st) && /公开申请〔2023〕2号\|answered/.test(st), st);
  r = run(['import', '--data', data, 'disclosure_request', cases]);
  t.check('importing the same case numbers again fails and writes nothing', r.code !== 0 && /已存在/.test(r.err), r.err);
  const v = run(['verify', '--data', data]);
  t.check('every imported row is a chained event', v.code === 0, v.out + v.err);
  // Bulk history (bench/gen): a 单位编号 column, and --publish 1 writes the 公示 of
  // every decided case as its publish step would.
  const pen = path.join(dir, 'penalty.csv');
  const head = '编号,状态,单位编号,当事人,违法事实,决定,决定日期,处罚依据,fine\n';
  fs.writeFileSync(pen, head + '罚〔2024〕9号,registered,1,王小明,未取得许可经营,,,,\n罚〔2024〕10号,executed,99,李四,超范围经营,处罚,2024-03-05,《某条例》第十条,500\n');
  r = run(['import', '--data', data, 'penalty', pen, '--publish', '1']);
  t.check('a 单位编号 that is no unit is refused, naming the row', r.code !== 0 && /第 3 行：单位编号 99 不存在/.test(r.err), r.err);
  fs.writeFileSync(pen, head + '罚〔2024〕9号,registered,1,王小明,未取得许可经营,,,,\n罚〔2024〕10号,executed,1,李四,超范围经营,处罚,2024-03-05,《某条例》第十条,500\n');
  r = run(['import', '--data', data, 'penalty', pen, '--publish', '1', '--analyze', '0']);
  t.check('--publish 1 publishes the decided case only', r.code === 0 && /导入 2 条（行政处罚），公示 1 条/.test(r.out), r.out + r.err);
  const pub = execFileSync('sqlite3', [path.join(data, 'fazhi.db'), "SELECT case_no, title FROM publications"], { encoding: 'utf8' });
  t.check('the publication is desensitised like the publish step\'s', /罚〔2024〕10号\|行政处罚决定（李\*）/.test(pub), pub);
  const v2 = run(['verify', '--data', data]);
  t.check('the publications are chained events too', v2.code === 0, v2.out + v2.err);
}

console.log('# list totals stop at 10,000 and say so; smaller totals are exact');
{
  const data = initData(['--region-code', '532624']);
  const dir = tmpDir();
  const csv = path.join(dir, 'many.csv');
  const lines = ['编号,状态,申请人,申请人类型,收到日期,申请内容'];
  for (let i = 1; i <= 10001; i++) lines.push(`公开申请〔2024〕${i}号,已收到,申请人${i},${i % 1000 === 0 ? '科研机构' : '自然人'},2024-05-06,申请公开第${i}项`);
  fs.writeFileSync(csv, lines.join('\n') + '\n');
  const r = run(['import', '--data', data, 'disclosure_request', csv, '--unit-id', '1']);
  t.check('10,001 historic cases import', r.code === 0 && /导入 10001 条/.test(r.out), r.out + r.err);
  const srv = await startServer(data);
  const officer = await makeUser(await loginAdmin(srv.base), { username: 'many_officer', roles: ['officer'] });
  const all = await officer.get('/api/cases/disclosure_request?size=20');
  t.check('10,001 cases: total 10000 with total_capped', all.status === 200 && all.json.total === 10000 && all.json.total_capped === true && all.json.rows.length === 20, JSON.stringify({ total: all.json.total, capped: all.json.total_capped }));
  const few = await officer.get(`/api/cases/disclosure_request?applicant_type=${encodeURIComponent('科研机构')}`);
  t.check('a filtered list of 10: total 10, not capped', few.status === 200 && few.json.total === 10 && few.json.total_capped === false && few.json.rows.length === 10, JSON.stringify({ total: few.json.total, capped: few.json.total_capped }));
  const last = await officer.get('/api/cases/disclosure_request?size=20&page=501');
  const hits = await officer.get(`/api/search?q=${encodeURIComponent('申请')}`);
  t.check('a search matching 10,001 cases: total 10000 with total_capped, newest first',
    hits.status === 200 && hits.json.total === 10000 && hits.json.total_capped === true && hits.json.rows.length === 20 &&
    /10001/.test(hits.json.rows[0].title), JSON.stringify({ total: hits.json.total, capped: hits.json.total_capped, first: hits.json.rows && hits.json.rows[0] && hits.json.rows[0].title }));
  const narrow = await officer.get(`/api/search?q=${encodeURIComponent('第10001项')}`);
  t.check('a narrower search is counted exactly and ranked', narrow.status === 200 && narrow.json.total_capped === false && narrow.json.total >= 1 && /10001/.test(narrow.json.rows[0].title), JSON.stringify({ total: narrow.json.total, first: narrow.json.rows && narrow.json.rows[0] && narrow.json.rows[0].title }));
  t.check('pages past the cap still load', last.status === 200 && last.json.rows.length === 1, `${last.status} ${last.json.rows && last.json.rows.length}`);
  await srv.stop();
}

console.log('# config changes are events; dev-mode UI directory');
{
  const data = initData();
  let srv = await startServer(data);
  await srv.stop();
  fs.appendFileSync(path.join(data, 'fazhi.conf'), '\nconn_limit = 500\n');
  srv = await startServer(data, ['--ui-dir', path.resolve('ui/dist')]);
  const aud = await auditor(srv.base);
  const ev = (await aud.get('/api/audit/events?action=system.config_changed')).json;
  t.check('an edited fazhi.conf is recorded as system.config_changed', ev.total === 1 && /^[0-9a-f]{64}$/.test(ev.rows[0].payload.new_digest), JSON.stringify(ev));
  const page = await fetch(`${srv.base}/system/status`);
  t.check('dev mode serves ui/dist from disk with SPA fallback', page.status === 200 && (await page.text()).includes('<div id="app"'), `${page.status}`);
  const trav = await rawExchange(srv.port, ['GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n'], { until: (b) => b.includes('\r\n\r\n') && b.length > 200 });
  t.check('dev mode never serves files outside the directory', !trav.text.includes('root:x:'), trav.text.slice(0, 300));
  await srv.stop();
}

process.exit(t.summary());
