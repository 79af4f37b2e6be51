// 指标 (issue 7): the values kept incrementally as every write job commits
// must equal a full recompute from the record. A fixed-seed random walk over
// penalty and disclosure cases in two units (steps that succeed, steps that
// are refused and roll back, 转办 between the units, decisions dated in the
// past so 公示 clocks are overdue or late, clocks made overdue by the
// scheduler, attachments of the records the steps list), then
// `fazhi indicators recompute --check` must report no difference; a tampered
// value is found (exit 1, named) and `fazhi indicators recompute` repairs it.
// The 全过程记录 column (records_missing) of every case equals the count of
// its detail's missing_records; a tampered column is found by --check (which
// re-derives the records from the events and attachments) and repaired by
// `recompute --records`.
import fs from 'node:fs';
import path from 'node:path';
import { initData, loginAdmin, makeUser, run, sql, startServer, tally, tmpDir } from './lib.mjs';

const t = tally();
const SEED = Number(process.env.FAZHI_IND_SEED || 20261129);
const STEPS = Number(process.env.FAZHI_IND_STEPS || 1000);

// mulberry32: a small deterministic PRNG.
let s = SEED >>> 0;
const rnd = () => {
  s = (s + 0x6d2b79f5) >>> 0;
  let x = s;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
};
const pick = (a) => a[Math.floor(rnd() * a.length)];

const now = new Date();
const ymd = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const daysAgo = (n) => ymd(new Date(now.getFullYear(), now.getMonth(), now.getDate() - n));
const today = daysAgo(0);

const data = initData(['--region-code', '532624']);
const srv = await startServer(data);
const check = (label) => {
  const r = run(['indicators', 'recompute', '--check', '--data', data]);
  t.check(`recompute --check: no difference ${label}`, r.code === 0 && /^OK/.test(r.out), `exit ${r.code}: ${r.out}${r.err}`);
  return r;
};
try {
  const admin = await loginAdmin(srv.base);
  const u2 = await admin.post('/api/units', { name: '指标乙局', type: '执法主体', legal_status: '行政机关', region_code: '532624', parent_id: 1 });
  if (u2.status !== 201) throw new Error(`unit: ${u2.text}`);
  const units = [1, u2.json.id];
  const officers = {}, heads = {};
  for (const u of units) {
    officers[u] = await makeUser(admin, { username: `ind_off_${u}`, roles: ['officer'], unit_id: u });
    heads[u] = await makeUser(admin, { username: `ind_head_${u}`, roles: ['unit_head'], unit_id: u });
  }
  const reviewer = await makeUser(admin, { username: 'ind_rev', roles: ['reviewer'], unit_id: 1 });
  const sup = await makeUser(admin, { username: 'ind_sup', roles: ['supervisor'], unit_id: 1 });
  for (const [c, body] of [
    ['laws', { title: '中华人民共和国测试管理法', level: '法律', promulgated_on: '2020-01-01', articles: 60, body: '第四十条 违反本法规定的，处五万元以下罚款。' }],
    ['officers', { name: '张执法', unit: 1, cert_no: 'IND-A', cert_field: '测试管理', cert_issued_on: '2020-01-01', cert_expires_on: '2099-12-31', cert_status: '有效' }],
    ['officers', { name: '李执法', unit: 1, cert_no: 'IND-B', cert_field: '测试管理', cert_issued_on: '2020-01-01', cert_expires_on: '2099-12-31', cert_status: '有效' }],
    ['discretion', { code: 'T450-001', violation: '未按规定进行测试', circumstance: '一般', conditions: '一般情节', fine_min: 500000, fine_max: 2000000, warning: true, legal_max: 5000000, penalty_basis: '《中华人民共和国测试管理法》第四十条', basis: '《中华人民共和国测试管理法》第十二条', power_code: 'QT-450' }],
  ]) {
    const r = await admin.post(`/api/catalogs/${c}`, body);
    if (r.status !== 201) throw new Error(`${c}: ${r.status} ${r.text}`);
  }

  // What each action of the walk sends (fields its form needs).
  const decidedOn = () => pick([today, daysAgo(1), daysAgo(2), daysAgo(30), daysAgo(60)]);
  const forms = {
    penalty: {
      file: () => ({}),
      investigate: () => ({ investigator1_cert: 'IND-A', investigator2_cert: 'IND-B' }),
      inform: () => ({ circumstance: '一般', informed_on: today, proposed_fine: 800000, major_case: rnd() < 0.3 }),
      to_decision: () => ({}),
      submit_review: () => ({}),
      review_approve: () => ({ review_opinion: '同意' }),
      decide: () => ({ decision: '处罚', decided_on: decidedOn(), legal_basis: '《中华人民共和国测试管理法》第四十条', fine: 800000 }),
      publish: () => ({}),
      serve: () => ({ served_on: today, service_method: '直接送达' }),
      cancel: () => ({ cancel_reason: '证据不足' }),
      not_file: () => ({ not_filed_reason: '不属于本机关管辖' }),
      undo: () => ({}),
    },
    disclosure_request: {
      register: () => ({}),
      ask_correction: () => ({ correction_note: '请补充' }),
      receive_correction: () => ({}),
      consult_third_party: () => ({ third_party: '某公司' }),
      third_party_replied: () => ({}),
      extend: () => ({ extension_reason: '涉及面广' }),
      answer: () => ({ outcome: '予以公开', outcome_detail: '已提供' }),
      close: () => ({}),
      withdrawn: () => ({}),
      transfer: (c) => ({ to_unit: units.find((u) => u !== c.unit_id), comment: '转办' }),
      undo: () => ({}),
    },
  };
  // The records (attachment categories) the penalty steps list, and one
  // that no step lists.
  const penaltyDef = JSON.parse(fs.readFileSync('defs/penalty.json', 'utf8'));
  const recordCats = [...new Set(penaltyDef.actions.flatMap((a) => a.records || []))];
  const upload = async (s, c, category) => {
    const fd = new FormData();
    fd.append('category', category);
    fd.append('file', new Blob([Buffer.from(`%PDF-1.4\n% ${category}\n%%EOF\n`)], { type: 'application/pdf' }), 'r.pdf');
    const r = await fetch(`${srv.base}/api/cases/${c.kind}/${c.id}/attachments`, {
      method: 'POST', headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf }, body: fd,
    });
    await r.text();
    return r.status;
  };
  let uploads = 0;
  const cases = [];
  const create = async (kind) => {
    const u = pick(units);
    const body = kind === 'penalty'
      ? { party: { name: '某甲', kind: '自然人' }, facts: '未按规定进行测试', violation_code: 'T450-001', violation_on: daysAgo(30) }
      : { applicant: '某乙', received_on: today, content: '申请公开某信息' };
    const r = await officers[u].post(`/api/cases/${kind}`, body);
    if (r.status === 201) cases.push({ kind, id: r.json.id });
    return r.status;
  };
  let ok = 0, refused = 0;
  for (let i = 0; i < STEPS; i++) {
    const roll = rnd();
    if (cases.length < 6 || roll < 0.06) {
      (await create(rnd() < 0.6 ? 'penalty' : 'disclosure_request')) === 201 ? ok++ : refused++;
      continue;
    }
    if (roll < 0.09) {
      // The scheduler pass after a clock's due date moved into the past
      // (as if days went by): running → overdue, in the same job as the
      // indicator delta.
      const c = pick(cases);
      sql(data, `UPDATE clocks SET due_date = '${daysAgo(1)}', warn_date = '${daysAgo(3)}' WHERE subject_kind = 'case:${c.kind}' AND subject_id = '${c.id}' AND state = 'running'`);
      const r = await admin.post('/api/system/scheduler/run', {});
      r.status === 200 ? ok++ : refused++;
      continue;
    }
    if (roll < 0.13) {
      // A record attached (mostly one some step lists), in its own write.
      const pen = cases.filter((x) => x.kind === 'penalty');
      if (pen.length) {
        const c = pick(pen);
        const v = await sup.get(`/api/cases/${c.kind}/${c.id}`);
        const st = await upload(officers[v.json.unit_id], c, rnd() < 0.9 ? pick(recordCats) : '其他材料');
        if (st === 201) uploads++;
        else t.fail(`step ${i} upload to penalty#${c.id}`, String(st));
        continue;
      }
    }
    const c = pick(cases);
    const view = await sup.get(`/api/cases/${c.kind}/${c.id}`);
    if (view.status !== 200) throw new Error(`case ${c.kind}#${c.id}: ${view.status}`);
    const unit = view.json.unit_id;
    c.unit_id = unit;
    const table = forms[c.kind];
    // Mostly a step the case's state allows now (so cases get far), else
    // any step (refused: the job rolls back, indicators with it).
    const open = [];
    for (const u of [officers[unit], heads[unit], reviewer]) {
      const v = await u.get(`/api/cases/${c.kind}/${c.id}`);
      for (const a of v.json?.actions || []) if (table[a.name] && !open.includes(a.name)) open.push(a.name);
    }
    const action = open.length && rnd() < 0.85 ? pick(open) : pick(Object.keys(table));
    const who = action === 'review_approve' ? reviewer
      : ['decide', 'extend', 'transfer'].includes(action) || (action === 'undo' && rnd() < 0.3) ? heads[unit] : officers[unit];
    const r = await who.post(`/api/cases/${c.kind}/${c.id}/actions/${action}`, table[action](c));
    if (r.status === 200) ok++;
    else if ([400, 403, 404, 409].includes(r.status)) refused++;
    else t.fail(`step ${i} ${c.kind}#${c.id} ${action}`, `${r.status} ${r.text.slice(0, 200)}`);
    if (i === Math.floor(STEPS / 2)) check('half-way, with the server running');
  }
  t.check(`the walk took steps (${ok} done, ${refused} refused)`, ok > STEPS / 4 && refused > 0, `${ok} / ${refused}`);
  t.check(`records were attached (${uploads})`, uploads > STEPS / 50, String(uploads));
  // The 全过程记录 column of every case is its detail's missing_records count.
  let agree = 0, lacking = 0;
  for (const c of cases) {
    const v = await sup.get(`/api/cases/${c.kind}/${c.id}`);
    const col = Number(sql(data, `SELECT records_missing FROM case_${c.kind} WHERE id = ${c.id}`));
    if (v.json.missing_records.length === col) agree++;
    else t.fail(`${c.kind}#${c.id}: records_missing ${col} = missing_records ${v.json.missing_records.length}`);
    if (col > 0) lacking++;
  }
  t.check(`records_missing = the detail's missing_records count for all ${agree} cases (${lacking} lack records)`,
    agree === cases.length && lacking > 0, `${agree} / ${cases.length}, ${lacking}`);
  const n = Number(sql(data, 'SELECT count(*) FROM indicator_facts'));
  t.check(`facts were kept (${n})`, n > 5, String(n));
  const states = sql(data, "SELECT count(*) FROM clocks WHERE state IN ('stopped_late', 'overdue')");
  t.check(`some clocks late or overdue (${states})`, Number(states) > 0, states);
  const y = now.getFullYear();
  const list = await officers[1].get(`/api/indicators?year=${y}`);
  t.check('GET /api/indicators answers', list.status === 200 && list.json.indicators.length >= 4, list.text.slice(0, 300));
  // The county total of each indicator equals the facts behind it (drill-down as a supervisor sees it all).
  for (const ind of list.json.indicators) {
    if (ind.source) {
      // Counted from a registry (officers), not from cases: no case list behind it.
      const d = await sup.get(`/api/indicators/${ind.name}/cases?year=${y}`);
      t.check(`${ind.name} (from the ${ind.source} registry): the case drill-down is refused naming why`, d.status === 400, `${d.status}`);
      continue;
    }
    for (const part of ['numerator', 'denominator']) {
      const d = await sup.get(`/api/indicators/${ind.name}/cases?year=${y}&part=${part}&size=500`);
      const want = part === 'numerator' ? ind.county.num : ind.county.den;
      t.check(`${ind.name} ${part}: the drill-down lists as many cases as the number (${want})`,
        d.status === 200 && d.json.total === want, `${d.status} ${d.json?.total} != ${want}`);
    }
    const v = ind.county.den ? ind.county.num / ind.county.den : null;
    t.check(`${ind.name}: value = num / den, null when den = 0`, ind.county.value === v, JSON.stringify(ind.county));
  }
  // The county's trend is read from the county's monthly roll-up: it must be
  // the sum of its units' months; after a unit moves to another county (its
  // values follow it to that county's roll-up), the county's trend is the
  // remaining unit's, and the values still equal a full recompute.
  const trendOf = async (q) => {
    const r = await officers[1].get(`/api/indicators/trend?year=${y}${q}`);
    if (r.status !== 200) throw new Error(`trend${q}: ${r.status} ${r.text}`);
    return Object.fromEntries(r.json.indicators.filter((i) => !i.source).map((i) => [i.name, i.months.map((m) => [m.num, m.den])]));
  };
  const sumOf = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k].map((m, i) => [m[0] + b[k][i][0], m[1] + b[k][i][1]])]));
  const [whole, t1, t2] = [await trendOf(''), await trendOf('&unit=1'), await trendOf(`&unit=${units[1]}`)];
  t.check('the county trend is the sum of its two units\' months', JSON.stringify(whole) === JSON.stringify(sumOf(t1, t2)),
    `${JSON.stringify(whole)} != ${JSON.stringify(sumOf(t1, t2))}`);
  t.check('the walk left months with values in the second unit', Object.values(t2).some((ms) => ms.some((m) => m[1] > 0)));
  // 执法人员 stocks (持证率, 培训学时达标率) come from the officer stock
  // timeline kept with the registry writes (engine/officer_stock.h). After
  // every write they must equal the per-officer computation of the 执法人员状况
  // page (/api/enforcement/officers/status, which reads every officer): the
  // whole county (unit 1 and below) and the second unit alone, this year and
  // last year, and this month's point of the trend; certificates expiring
  // yesterday / today / tomorrow, issued tomorrow, suspended, an officer
  // moving unit, training hours entered and corrected.
  const stockOf = async (year) => {
    const r = await officers[1].get(`/api/indicators?year=${year}`);
    const tr = await officers[1].get(`/api/indicators/trend?year=${year}&unit=${units[1]}`);
    if (r.status !== 200 || tr.status !== 200) throw new Error(`indicators ${year}: ${r.status} ${tr.status}`);
    const one = async (unit) => {
      const u = await officers[1].get(`/api/indicators?year=${year}&unit=${unit}`);
      const row = (n) => u.json.indicators.find((i) => i.name === n).units[0] || { num: 0, den: 0 };
      return [row('officer_certified'), row('officer_training')].map((x) => [x.num, x.den]);
    };
    const county = ['officer_certified', 'officer_training'].map((n) => r.json.indicators.find((i) => i.name === n).county).map((x) => [x.num, x.den]);
    const m = (n) => tr.json.indicators.find((i) => i.name === n).months;
    const month = year === y ? now.getMonth() : 11;
    const trend = ['officer_certified', 'officer_training'].map((n) => [m(n)[month].num, m(n)[month].den]);
    return { county, unit2: await one(units[1]), trend };
  };
  const statusOf = async (year, unit) => {
    const r = await sup.get(`/api/enforcement/officers/status?year=${year}&unit=${unit}&size=1`);
    if (r.status !== 200) throw new Error(`status: ${r.status} ${r.text}`);
    const s = r.json.summary;
    return [[s.certified_rate.numerator, s.certified_rate.denominator], [s.training_rate.numerator, s.training_rate.denominator]];
  };
  const tomorrow = ymd(new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1));
  const compareStock = async (label) => {
    for (const year of [y, y - 1]) {
      const got = await stockOf(year);
      const want = { county: await statusOf(year, 1), unit2: await statusOf(year, units[1]) };
      want.trend = want.unit2;
      t.check(`officer stocks ${year} ${label}: the timeline equals the officers read one by one`,
        JSON.stringify(got) === JSON.stringify(want), `${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    }
  };
  const newOfficer = async (unit, cert, status, issued, expires) => {
    const r = await admin.post('/api/catalogs/officers', { name: `存量${cert}`, unit, cert_no: cert, cert_field: '测试管理', cert_issued_on: issued, cert_expires_on: expires, cert_status: status });
    if (r.status !== 201) throw new Error(`officer ${cert}: ${r.status} ${r.text}`);
    return r.json.id ?? r.json.row_id;
  };
  const training = async (cert, course, hours) => {
    const r = await admin.post('/api/catalogs/officer_trainings', { cert_no: cert, course, hours, year: y, held_on: today });
    if (r.status !== 201) throw new Error(`training ${cert}: ${r.status} ${r.text}`);
    return r.json.id ?? r.json.row_id;
  };
  await compareStock('before');
  const s1 = await newOfficer(units[1], 'STK-1', '有效', '2020-01-01', daysAgo(1));
  const s2 = await newOfficer(units[1], 'STK-2', '有效', '2020-01-01', today);
  await newOfficer(units[1], 'STK-3', '有效', '2020-01-01', tomorrow);
  await newOfficer(1, 'STK-4', '有效', tomorrow, '2099-12-31');
  const s5 = await newOfficer(1, 'STK-5', '暂扣', '2020-01-01', '2099-12-31');
  await compareStock('after new officers (expired yesterday, expiring today and tomorrow, issued tomorrow, suspended)');
  const tr2 = await training('STK-2', '存量培训一', 30);
  await training('STK-3', '存量培训二', 60);
  await training('IND-A', '存量培训三', 60);
  await compareStock('after trainings');
  let r = await admin.put(`/api/catalogs/officer_trainings/${tr2}`, { hours: 60 });
  t.check('a training corrected (30 -> 60 hours)', r.status === 200, `${r.status} ${r.text}`);
  await compareStock('after a training corrected');
  r = await admin.put(`/api/catalogs/officers/${s5}`, { cert_status: '有效', unit: units[1] });
  t.check('a suspended officer reinstated and moved to the second unit', r.status === 200, `${r.status} ${r.text}`);
  r = await admin.put(`/api/catalogs/officers/${s2}`, { unit: 1 });
  t.check('an officer moved back to unit 1', r.status === 200, `${r.status} ${r.text}`);
  r = await admin.put(`/api/catalogs/officers/${s1}`, { cert_expires_on: '2030-06-30' });
  t.check('an expired certificate renewed', r.status === 200, `${r.status} ${r.text}`);
  await compareStock('after moves and a renewal');
  const got = await stockOf(y);
  t.check('the stocks moved with the writes (unit 2: 3 officers, 3 certified)', JSON.stringify(got.unit2[0]) === '[3,3]', JSON.stringify(got));
  check('after the officer registry writes');
  for (const code of ['532625', '532624']) {
    if (code === '532625') {
      const reg = await admin.post('/api/regions', { code: '532625000000', name: '指标邻县' });
      if (reg.status !== 201) throw new Error(`region: ${reg.status} ${reg.text}`);
    }
    const mv = await admin.put(`/api/units/${units[1]}`, { region_code: `${code}000000` });
    t.check(`指标乙局 moves to ${code}`, mv.status === 200, `${mv.status} ${mv.text}`);
    const after = await trendOf('');
    const want = code === '532624' ? whole : t1;
    t.check(`… the county trend is ${code === '532624' ? 'both units\' again' : 'the remaining unit\'s'}`,
      JSON.stringify(after) === JSON.stringify(want), `${JSON.stringify(after)} != ${JSON.stringify(want)}`);
    check(`after 指标乙局 moved to ${code}`);
  }
} finally {
  const e = await srv.stop();
  t.check('server stops cleanly', e.code === 0, `exit ${e.code ?? e.sig}: ${srv.stderr().slice(-500)}`);
}
check('after the walk');
// A value nobody maintained is found and named, then repaired.
sql(data, "UPDATE indicator_values SET num = num + 1 WHERE indicator = (SELECT min(indicator) FROM indicator_values)");
sql(data, "INSERT INTO indicator_facts (indicator, kind, case_id, unit_id, period, in_num, in_den) VALUES ('ghost', 'penalty', 999999, 1, '2026', 1, 1)");
const bad = run(['indicators', 'recompute', '--check', '--data', data]);
t.check('a tampered value: --check exits 1 naming the differences', bad.code === 1 && /差异（指标值）/.test(bad.out) && /ghost/.test(bad.out) && /^FAIL \d+ 处差异/m.test(bad.out),
  `exit ${bad.code}: ${bad.out}${bad.err}`);
const fix = run(['indicators', 'recompute', '--data', data]);
t.check('recompute rewrites facts and values', fix.code === 0 && /此前 [1-9]\d* 处差异/.test(fix.out), `exit ${fix.code}: ${fix.out}${fix.err}`);
check('after the repair');
// An officer stock row nobody maintained: --check names it, the recompute
// rewrites it.
sql(data, 'UPDATE officer_stock SET certified = certified + 1 WHERE unit_id = (SELECT max(unit_id) FROM officer_stock)');
const badStock = run(['indicators', 'recompute', '--check', '--data', data]);
t.check('a tampered officer stock row: --check exits 1 naming it', badStock.code === 1 && /差异（执法人员存量）：单位 \d+ 自 /.test(badStock.out),
  `exit ${badStock.code}: ${badStock.out}${badStock.err}`);
const fixStock = run(['indicators', 'recompute', '--data', data]);
t.check('recompute rewrites the officer stock', fixStock.code === 0, `exit ${fixStock.code}: ${fixStock.out}${fixStock.err}`);
check('after the officer stock repair');
// A 全过程记录 column nobody maintained (a case lacking records shown as
// complete): --check re-derives the records from the events and attachments
// and names the case; --records re-derives the column.
const lackingId = sql(data, 'SELECT min(id) FROM case_penalty WHERE records_missing > 0');
sql(data, `UPDATE case_penalty SET records_missing = 0 WHERE id = ${lackingId}`);
const badRec = run(['indicators', 'recompute', '--check', '--data', data]);
t.check('a tampered records column: --check exits 1 naming the case',
  badRec.code === 1 && new RegExp(`差异（全过程记录）：案件 penalty#${lackingId} 的记录列 records_missing 已存 尚缺 0 项；按办理事件与附件重算 尚缺 [1-9]`).test(badRec.out)
  && /全过程记录列 1 处/.test(badRec.out), `exit ${badRec.code}: ${badRec.out}${badRec.err}`);
const fixRec = run(['indicators', 'recompute', '--records', '--data', data]);
t.check('recompute --records re-derives the column', fixRec.code === 0 && /全过程记录列改正 1 件案件/.test(fixRec.out),
  `exit ${fixRec.code}: ${fixRec.out}${fixRec.err}`);
t.check('… to what the record says', Number(sql(data, `SELECT records_missing FROM case_penalty WHERE id = ${lackingId}`)) > 0);
check('after the records repair');
const before = sql(data, 'SELECT count(*) FROM indicator_facts');
const nodefs = run(['indicators', 'recompute', '--data', data, '--defs', path.join(tmpDir(), 'no-such-defs')]);
t.check('recompute with a missing definitions directory: refused (exit 1, names it), nothing dropped',
  nodefs.code === 1 && /定义目录 .*no-such-defs 不存在/.test(nodefs.err) && sql(data, 'SELECT count(*) FROM indicator_facts') === before,
  `exit ${nodefs.code}: ${nodefs.out}${nodefs.err}`);
const both = run(['indicators', 'recompute', '--check', '--records', '--data', data]);
t.check('--check with --records: usage, exit 2', both.code === 2, both.err);
// A county replaces its list of indicators (here: drops 按期办结率): the next
// start sees other definitions than the stored values were computed with and
// recomputes them before serving; going back recomputes again.
const countOf = (ind) => Number(sql(data, `SELECT count(*) FROM indicator_values WHERE indicator = '${ind}'`));
const defsDir = path.join(tmpDir(), 'defs');
fs.cpSync('defs', defsDir, { recursive: true });
fs.rmSync(path.join(defsDir, 'ind_penalty_handling.json'));
t.check('按期办结率 has values before the list changes', countOf('penalty_handling_on_time') > 0);
for (const [label, extra, want] of [['without 按期办结率', ['--defs', defsDir], 0], ['with the shipped list again', [], 1]]) {
  const s2 = await startServer(data, extra);
  const e2 = await s2.stop();
  t.check(`a start ${label} recomputes the values first`, e2.code === 0 && /指标定义已变更，已按新定义重算 \d+ 条指标事实/.test(s2.stderr()),
    s2.stderr().slice(-800));
  t.check(`… and 按期办结率 ${want ? 'has values again' : 'has no values left'}`, (countOf('penalty_handling_on_time') > 0) === !!want);
  const r2 = run(['indicators', 'recompute', '--check', '--data', data, ...extra]);
  t.check(`recompute --check ${label}: no difference`, r2.code === 0 && /^OK/.test(r2.out), `exit ${r2.code}: ${r2.out}${r2.err}`);
}
const s3 = await startServer(data);
await s3.stop();
t.check('a start with unchanged definitions recomputes nothing', !/指标定义已变更/.test(s3.stderr()), s3.stderr().slice(-500));
const usage = run(['indicators', '--data', data]);
t.check('indicators without recompute: usage, exit 2', usage.code === 2 && /recompute/.test(usage.err), usage.err);
const v = run(['verify', '--data', data]);
t.check('chain verifies', v.code === 0, v.out + v.err);
process.exit(t.summary());
