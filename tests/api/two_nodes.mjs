// Two `fazhi serve` processes on one PostgreSQL database behave as one system
// (issue 10): a login on node A is valid on node B; writes alternating between
// the nodes, many at once, leave one unbroken chain; a scheduler pass asked of
// both nodes at once does its work once; and when PostgreSQL restarts while
// clients write, requests get 503 (never 500, never a crash), the nodes
// reconnect, and every write that was acknowledged is there afterwards.
// Needs FAZHI_TEST_PG (a cluster made by scripts/pg-cluster.sh).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { initData, loginAdmin, makeUser, run, serveFails, Session, sql, startServer, tally } from './lib.mjs';

const t = tally();
const PG = process.env.FAZHI_TEST_PG;
if (!PG) {
  console.log('  skip: FAZHI_TEST_PG is not set (scripts/test.sh starts a cluster)');
  process.exit(t.summary());
}

const on = (s, base) => new Session(base, s.cookie, s.csrf, s.me);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
const newCase = (s) => s.post('/api/cases/disclosure_request', {
  applicant: `申请人${++seq}`, received_on: '2026-11-27', content: `关于第${seq}号道路养护经费的公开申请`,
});

async function main() {
  const data = initData();
  const down = serveFails(data, ['--store', 'postgresql://fazhi@127.0.0.1:1/nowhere']);
  t.check('database unreachable at start: serve refuses with the connection error',
    down.code !== 0 && /无法连接 PostgreSQL/.test(down.err) && /127\.0\.0\.1/.test(down.err), down.err);
  // Identity changes must be seen by the other node at once in this test.
  const args = ['--auth-cache-ms', '0'];
  const A = await startServer(data, args);
  const B = await startServer(data, args);
  try {
    // ---- sessions live in the store
    const adminA = await loginAdmin(A.base);
    const adminB = on(adminA, B.base);
    let r = await adminB.get('/api/auth/me');
    t.check('a login on node A is valid on node B', r.status === 200 && r.json?.user?.username === 'admin', `${r.status} ${r.text}`);
    const offA = await makeUser(adminA, { username: 'tn_officer', roles: ['officer'] });
    const offB = on(offA, B.base);
    r = await offB.get('/api/auth/me');
    t.check('a user created on A signs in and is known on B', r.status === 200 && r.json?.user?.username === 'tn_officer', `${r.status}`);

    // ---- alternating writes, eight at a time, each case registered on the other node
    const N = 40;
    const made = [];
    for (let i = 0; i < N; i += 8) {
      const batch = [];
      for (let k = i; k < i + 8; k++) batch.push(newCase(k % 2 ? offB : offA));
      made.push(...await Promise.all(batch));
    }
    t.check(`${N} cases created alternately on A and B: all 201`, made.every((x) => x.status === 201),
      made.filter((x) => x.status !== 201).map((x) => `${x.status} ${x.text}`).slice(0, 3).join('; '));
    const nos = new Set(made.map((x) => x.json?.no));
    t.check('every case number is distinct', nos.size === N, `${nos.size} distinct of ${N}`);
    const reg = await Promise.all(made.map((x, k) =>
      (k % 2 ? offA : offB).post(`/api/cases/disclosure_request/${x.json?.id}/actions/register`, { comment: '材料齐全' })));
    t.check('each registered on the other node: all 200', reg.every((x) => x.status === 200),
      reg.filter((x) => x.status !== 200).map((x) => `${x.status} ${x.text}`).slice(0, 3).join('; '));
    // The same step again, on both nodes at once: exactly one wins.
    const id0 = made[0].json?.id;
    const race = await Promise.all([offA, offB].map((s) =>
      s.post(`/api/cases/disclosure_request/${id0}/actions/consult_third_party`, { comment: '同时办理', third_party: '某建设公司' })));
    const st = race.map((x) => x.status).sort();
    t.check('one step taken on A and B at the same moment: one 200, one 409', st[0] === 200 && st[1] === 409,
      race.map((x) => `${x.status} ${x.text}`).join('; '));
    const la = await offA.get('/api/cases/disclosure_request?size=100'), lb = await offB.get('/api/cases/disclosure_request?size=100');
    t.check('both nodes list the same cases', la.json?.total === N && lb.json?.total === N, `${la.json?.total} / ${lb.json?.total}`);

    // ---- the chain
    let v = run(['verify', '--data', data]);
    const nEvents = Number(sql(data, 'SELECT count(*) FROM events'));
    t.check('the chain verifies after the alternating writes', v.code === 0 && v.out.startsWith(`OK ${nEvents} `), v.out + v.err);
    const gaps = sql(data, 'SELECT count(*) FROM events e WHERE lseq > 1 AND NOT EXISTS'
      + ' (SELECT 1 FROM events p WHERE p.ledger = e.ledger AND p.lseq = e.lseq - 1 AND p.hash = e.prev_hash)');
    t.check('every event links to the one before it in its ledger', gaps === '0', `${gaps} events without their predecessor`);

    // ---- the scheduler: every clock due long ago, a pass asked of both nodes at once
    const nClocks = Number(sql(data, "SELECT count(*) FROM clocks WHERE state = 'running'"));
    sql(data, "UPDATE clocks SET warn_date = '2020-01-02', due_date = '2020-01-03' WHERE state = 'running'");
    const passes = await Promise.all([adminA, adminB].map((s) => s.post('/api/system/scheduler/run', {})));
    t.check('a scheduler pass asked of A and B at once: both answer 200', passes.every((x) => x.status === 200),
      passes.map((x) => `${x.status} ${x.text}`).join('; '));
    const overdue = Number(sql(data, "SELECT count(*) FROM events WHERE action = 'clock.overdue'"));
    const dup = sql(data, "SELECT count(*) FROM (SELECT subject_id FROM events WHERE action IN ('clock.overdue', 'clock.warned')"
      + ' GROUP BY subject_kind, subject_id HAVING count(*) > 1) x');
    t.check(`the ${nClocks} overdue clocks are marked once each, not twice`, nClocks > 0 && overdue === nClocks && dup === '0',
      `${overdue} overdue events for ${nClocks} clocks; ${dup} clocks marked twice`);
    const notes = sql(data, 'SELECT count(*) FROM (SELECT clock_id, user_id, kind FROM notifications'
      + ' GROUP BY clock_id, user_id, kind HAVING count(*) > 1) x');
    t.check('no notification is written twice', notes === '0', `${notes} duplicated`);
    const lease = sql(data, "SELECT count(*) FROM leases WHERE name = 'scheduler' AND until_ms > 0");
    t.check('the periodic scheduler runs on one node: one lease holder', lease === '1', lease);

    // ---- a logout on A ends the session on B
    await adminA.post('/api/auth/logout', {});
    r = await adminB.get('/api/auth/me');
    t.check('a logout on A ends the session on B', r.status === 401, `${r.status}`);

    // ---- PostgreSQL restarts while clients write
    const acked = [], statuses = {};
    let stop = false;
    const writer = async (k) => {
      while (!stop) {
        let x;
        try { x = await newCase(k % 2 ? offB : offA); } catch (e) { x = { status: 'neterr' }; }
        statuses[x.status] = (statuses[x.status] || 0) + 1;
        if (x.status !== 201 && x.status !== 503) statuses[`${x.status} ${x.text}`.slice(0, 200)] = 1;
        if (x.status === 201) acked.push(x.json.id);
        if (x.status !== 201) await sleep(50);
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    await sleep(700);
    // Down for a second, so that some requests must fail.
    // (Not spawnSync: the writers must keep going while it runs.)
    const rs = await new Promise((resolve) => {
      const c = spawn('bash', [path.resolve('scripts/pg-cluster.sh'), 'restart', PG, '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      c.stderr.on('data', (d) => { stderr += d; });
      c.on('exit', (status) => resolve({ status, stderr }));
    });
    await sleep(1000);
    stop = true;
    await Promise.all(writers);
    t.check('the cluster restarted', rs.status === 0, rs.stderr);
    const bad = Object.keys(statuses).filter((s) => s !== '201' && s !== '503');
    t.check('while PostgreSQL is down, requests answer 503 (and 201 before and after), nothing else',
      bad.length === 0 && statuses['503'] > 0, JSON.stringify(statuses));
    t.check('both nodes are still running', A.child.exitCode === null && B.child.exitCode === null, 'a node exited');
    // The nodes reconnect: new writes succeed on both (allow a moment).
    let after = [];
    for (let i = 0; i < 20; i++) {
      after = await Promise.all([newCase(offA), newCase(offB)]);
      if (after.every((x) => x.status === 201)) break;
      await sleep(250);
    }
    t.check('after the restart both nodes write again', after.every((x) => x.status === 201), after.map((x) => x.status).join(','));
    acked.push(...after.filter((x) => x.status === 201).map((x) => x.json.id));
    const present = Number(sql(data, `SELECT count(*) FROM case_disclosure_request WHERE id IN (${acked.join(',') || 0})`));
    t.check(`every acknowledged write is there (${acked.length} acknowledged, ${statuses['503'] || 0} refused with 503)`,
      present === acked.length && acked.length > 0, `${present} of ${acked.length}`);
    v = run(['verify', '--data', data]);
    t.check('the chain verifies after the restart', v.code === 0 && /^OK \d+ /.test(v.out), v.out + v.err);

    // ---- a node of another county on the same database writes its own ledger
    const C = await startServer(data, [...args, '--region-code', '532625']);
    try {
      const offC = on(offA, C.base);
      const [ra, rc] = await Promise.all([newCase(offA), newCase(offC)]);
      t.check('nodes of two counties write at the same time', ra.status === 201 && rc.status === 201, `${ra.status} ${rc.status}`);
    } finally {
      await C.stop();
    }
    const ledgers = sql(data, 'SELECT ledger FROM ledgers WHERE lseq > 0 ORDER BY ledger').split('\n');
    v = run(['verify', '--data', data]);
    t.check('two ledgers, each chained on its own, both verify', ledgers.length === 2 && ledgers.includes('532625000000') &&
      v.code === 0, `${ledgers} ${v.out}${v.err}`);
    // Tampering is found on PostgreSQL as on SQLite.
    sql(data, "UPDATE events SET payload = replace(payload, '材料齐全', '材料不全') WHERE seq = (SELECT min(seq) FROM events WHERE payload LIKE '%材料齐全%')");
    v = run(['verify', '--data', data]);
    t.check('an event edited in the database: verify fails and names it', v.code !== 0 && /FAIL seq \d+/.test(v.out) && /篡改/.test(v.out), v.out + v.err);
  } finally {
    await A.stop();
    await B.stop();
  }
}

main().catch((e) => t.fail('two-node tests', e.stack || e)).finally(() => process.exit(t.summary()));
