// `fazhi import --history 1` (issue 9): a historic case's step history, from
// its date fields and its step-date columns (立案日期, 结案日期 …), as one
// chained case.history event per filled date, in date order, after its
// case.imported. Checked through the API's timeline, `fazhi verify`,
// `fazhi indicators recompute --check`, the indicator values and the
// 全过程记录 column against the same cases imported without history, the
// 法制审核 queue and 撤回; bad dates refuse the whole file. Runs on
// PostgreSQL too (FAZHI_TEST_PG).
import fs from 'node:fs';
import path from 'node:path';
import { initData, loginAdmin, makeUser, run, sql, startServer, tally, tmpDir } from './lib.mjs';

const t = tally();
const dir = tmpDir();
const file = (name, lines) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, lines.join('\n') + '\n');
  return f;
};
const BASIS = '《中华人民共和国测试管理法》第四十条';
// The step-date columns come before the fields and out of date order on
// purpose (结案日期 first; 送达日期 of 罚〔2024〕2号 is before its 决定日期, as a
// ledger may say): the events are written in date order all the same.
const HEAD = '编号,状态,结案日期,立案日期,当事人,违法事实,违法行为发生日期,发现日期,告知日期,已告知听证权利,' +
  '涉及重大公共利益或案情疑难复杂,法制审核意见,决定,决定日期,处罚依据,罚款（元）,送达日期,缴纳日期,听证日期';
const ROWS = [
  `罚〔2024〕1号,closed,2024-03-10,2024-01-08,李四,超范围经营,2024-01-02,2024-01-05,2024-02-01,是,是,同意,处罚,2024-02-20,${BASIS},500,2024-02-22,2024-03-01,`,
  `罚〔2024〕2号,executing,,2024-04-03,某某商贸有限公司,无证经营,2024-04-01,2024-04-01,2024-04-10,是,否,,处罚,2024-05-06,${BASIS},2000,2024-05-02,,`,
  // In 法制审核, a hearing still to come (2099): kept as the field, no step yet.
  `罚〔2024〕3号,reviewing,,2024-06-03,王五,占道经营,2024-06-01,,2024-06-20,是,是,,,,,,,,2099-01-05`,
  // No date at all: no history.
  '罚〔2024〕4号,registered,,,赵六,噪声扰民,,,,,,,,,,,,,',
];
const EXPECT = {
  '罚〔2024〕1号': [['2024-01-02', 'violation_on'], ['2024-01-05', 'discovered_on'], ['2024-01-08', 'file'],
    ['2024-02-01', 'informed_on'], ['2024-02-20', 'decided_on'], ['2024-02-22', 'served_on'], ['2024-03-01', 'paid_on'],
    ['2024-03-10', 'close']],
  // Same day: column order (违法行为发生日期 before 发现日期).
  '罚〔2024〕2号': [['2024-04-01', 'violation_on'], ['2024-04-01', 'discovered_on'], ['2024-04-03', 'file'],
    ['2024-04-10', 'informed_on'], ['2024-05-02', 'served_on'], ['2024-05-06', 'decided_on']],
  '罚〔2024〕3号': [['2024-06-01', 'violation_on'], ['2024-06-03', 'file'], ['2024-06-20', 'informed_on']],
  '罚〔2024〕4号': [],
};
const NHIST = Object.values(EXPECT).reduce((n, l) => n + l.length, 0);
const good = file('history.csv', [HEAD, ...ROWS]);
// The same cases without the step-date columns, for the run without history.
const plain = file('plain.csv', [HEAD.split(',').slice(0, 2).concat(HEAD.split(',').slice(4)).join(','),
  ...ROWS.map((r) => { const c = r.split(','); return c.slice(0, 2).concat(c.slice(4)).join(','); })]);

const data = initData(['--region-code', '532624']);
const caseEvents = () => Number(sql(data, "SELECT count(*) FROM events WHERE subject_kind = 'case:penalty'"));

console.log('# refused: step-date columns without --history, bad dates, --history on a catalog');
{
  let r = run(['import', '--data', data, 'penalty', good]);
  t.check('a step-date column without --history is refused, naming it (it would be dropped)',
    r.code !== 0 && /列「立案日期」「结案日期」是办理步骤的日期/.test(r.err) && /--history 1/.test(r.err), r.out + r.err);
  const bad = file('bad.csv', [HEAD,
    ROWS[0].replace('2024-01-08', '2024-13-08'),                      // 立案日期 not a date
    ROWS[1].replace(',,2024-04-03,', ',2099-01-01,2024-04-03,'),      // 结案日期 in the future
    ROWS[2].replace('2024-06-20', '2024-02-30'),                      // 告知日期 (a field) not a date
    ROWS[3]]);
  r = run(['import', '--data', data, 'penalty', bad, '--history', '1']);
  t.check('bad dates: exit 1, each named by row and column with the reason',
    r.code === 1 && /第 2 行，列「立案日期」：「2024-13-08」不是有效日期/.test(r.err) &&
    /第 3 行，列「结案日期」：2099-01-01 晚于今天/.test(r.err) && /第 4 行，列「告知日期」/.test(r.err) &&
    /FAIL 3 处错误，未导入任何记录/.test(r.err), r.err);
  t.check('nothing of the bad file was written', caseEvents() === 0, String(caseEvents()));
  r = run(['import', '--data', data, 'officers', good, '--history', '1']);
  t.check('--history on a catalog is refused', r.code === 2 && /--history 只用于导入历史案件/.test(r.err), r.err);
}

console.log('# the import with history');
{
  const r = run(['import', '--data', data, 'penalty', good, '--history', '1', '--publish', '1']);
  t.check(`4 cases, ${NHIST} history steps, the decided ones published`,
    r.code === 0 && r.out.includes(`OK 导入 4 条（行政处罚），公示 2 条，历史步骤 ${NHIST} 条`), r.out + r.err);
  t.check(`case events: 4 case.imported + ${NHIST} case.history`, caseEvents() === 4 + NHIST, String(caseEvents()));
  const v = run(['verify', '--data', data]);
  t.check('fazhi verify: the chain holds', v.code === 0 && /^OK \d+ [0-9a-f]{64}/.test(v.out), v.out + v.err);
  const c = run(['indicators', 'recompute', '--data', data, '--check']);
  t.check('indicators recompute --check: no difference (facts and 全过程记录 column)', c.code === 0 && /无差异/.test(c.out), c.out + c.err);
}

console.log('# the same cases without history: the same indicator values and 全过程记录 column');
{
  const other = initData(['--region-code', '532624']);
  const r = run(['import', '--data', other, 'penalty', plain, '--publish', '1']);
  t.check('imports without history', r.code === 0 && /OK 导入 4 条/.test(r.out) && !/历史步骤/.test(r.out), r.out + r.err);
  // The periods of the cases' dates (2024); those of the import's own day (登记日 created) are left out:
  // the two imports may fall on either side of a midnight.
  const values = (d) => sql(d, `SELECT indicator, unit_id, period, num, den FROM indicator_values WHERE period NOT LIKE '${new Date().getFullYear()}%' ORDER BY 1, 2, 3`);
  const mine = values(data);
  t.check('indicator values: some for 2024 (the decided and informed cases count)', /2024/.test(mine), mine);
  t.check('indicator values equal with and without history', mine === values(other), `${mine}\n---\n${values(other)}`);
  const col = (d) => sql(d, 'SELECT no, records_missing FROM case_penalty ORDER BY no');
  t.check('records_missing equal with and without history', col(data) === col(other), `${col(data)}\n---\n${col(other)}`);
}

console.log('# the timeline through the API');
const srv = await startServer(data);
try {
  const admin = await loginAdmin(srv.base);
  const sup = await makeUser(admin, { username: 'hist_supervisor', roles: ['supervisor'] });
  const ids = {};
  for (const row of sql(data, 'SELECT id, no FROM case_penalty').split('\n')) {
    const [id, no] = row.split('|');
    ids[no] = Number(id);
  }
  for (const [no, want] of Object.entries(EXPECT)) {
    const d = await sup.get(`/api/cases/penalty/${ids[no]}`);
    const ev = (d.json && d.json.events) || [];
    const mine = ev.filter((e) => e.action.startsWith('case.'));
    const hist = mine.filter((e) => e.action === 'case.history');
    t.check(`${no}: case.imported first, then ${want.length} case.history`,
      d.status === 200 && mine.length === want.length + 1 && mine[0].action === 'case.imported' &&
      mine.slice(1).every((e) => e.action === 'case.history'), JSON.stringify(mine.map((e) => e.action)));
    t.check(`${no}: dates and steps in date order`,
      JSON.stringify(hist.map((e) => [e.payload.on, e.payload.field || e.payload.step])) === JSON.stringify(want),
      JSON.stringify(hist.map((e) => e.payload)));
    t.check(`${no}: history says it is imported (label), no state change`,
      hist.every((e) => e.label === `导入的历史记录：${e.payload.label}` && e.from_state === '' && e.to_state === ''),
      JSON.stringify(hist.slice(0, 2)));
    t.check(`${no}: no record is asked for because of the history`, Array.isArray(d.json.missing_records) &&
      d.json.missing_records.length === 0, JSON.stringify(d.json.missing_records));
  }
  const one = (await sup.get(`/api/cases/penalty/${ids['罚〔2024〕1号']}`)).json;
  const file1 = one.events.find((e) => e.payload && e.payload.step === 'file');
  t.check('a step column\'s event: {on, label: 立案日期, step: file}',
    file1 && file1.payload.on === '2024-01-08' && file1.payload.label === '立案日期' && file1.label === '导入的历史记录：立案日期',
    JSON.stringify(file1));
  const chain = one.events.map((e) => e.seq);
  t.check('the timeline is in chain order', chain.every((s, i) => i === 0 || s > chain[i - 1]), JSON.stringify(chain));

  // 法制审核 queue: the imported case in review has no submission (history is no step into review).
  const q = await sup.get('/api/enforcement/reviews/queue?size=50');
  const qr = q.json && q.json.rows.find((x) => x.id === ids['罚〔2024〕3号']);
  t.check('the 法制审核 queue lists the imported case, not submitted by a history event',
    q.status === 200 && qr && qr.submitted_at === null && qr.submitted_via === null, q.text.slice(0, 400));
  // 撤回 cannot take an imported history step back.
  await admin.post('/api/roles', { key: 'hist_case_all', name: '历史案件夹具', data_scope: 'all',
    permissions: ['case:view', 'case:handle'] });
  const off = await makeUser(admin, { username: 'hist_officer', roles: ['hist_case_all', 'officer'] });
  const u = await off.post(`/api/cases/penalty/${ids['罚〔2024〕2号']}/actions/undo`, {});
  t.check('撤回 after history: refused (409), nothing written', u.status === 409 && caseEvents() === 4 + NHIST, `${u.status} ${u.text}`);
} finally {
  await srv.stop();
}
const v = run(['verify', '--data', data]);
t.check('fazhi verify after the server: OK', v.code === 0, v.out + v.err);

process.exit(t.summary());
