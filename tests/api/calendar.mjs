// `fazhi calendar` from the shell (issue 4): the yearly working-day counts
// of DOMAIN §5 (251, 248, 248) through `calendar count`, `calendar add`
// printing only the date, `calendar show` month grids, and `calendar import`
// (all or nothing, errors naming the line or field, a year far outside the
// loaded range, negative durations), including an import made while the
// server runs (the server notices it). Nothing here is timed.
import fs from 'node:fs';
import path from 'node:path';
import { initData, loginAdmin, run, startServer, tally, tmpDir } from './lib.mjs';

const t = tally();
const tmp = tmpDir('fazhi-cal-');
const file = (name, text) => { const p = path.join(tmp, name); fs.writeFileSync(p, text); return p; };
const ok = (r, out) => r.code === 0 && r.out === out;
const show = (r) => `exit ${r.code} out ${JSON.stringify(r.out)} err ${JSON.stringify(r.err)}`;

console.log('# working-day counts (DOMAIN §5), shipped schedules');
for (const [from, to, n] of [['2023-12-31', '2024-12-31', 251], ['2024-12-31', '2025-12-31', 248], ['2025-12-31', '2026-12-31', 248]]) {
  const r = run(['calendar', 'count', from, to]);
  t.check(`calendar count ${from} ${to} prints ${n}`, ok(r, `${n}\n`) && r.err === '', show(r));
}

console.log('# calendar add prints only YYYY-MM-DD');
for (const [args, want] of [
  [['2024-09-20', '20wd'], '2024-10-23'], // across 9/29 班, 国庆, 10/12 班
  [['2025-01-27', '5wd'], '2025-02-10'], // across 春节 2025 and 2/8 班
  [['2026-02-14', '1wd'], '2026-02-24'], // 春节 2026, nine days
  [['2024-09-16', '15d', '--roll'], '2024-10-08'], // lands on 国庆, rolls
  [['2024-09-16', '15d'], '2024-10-01'], // no rolling asked
  [['2024-09-14', '15d', '--roll'], '2024-09-29'], // a 班 Sunday does not roll
  [['2024-01-31', '1m'], '2024-02-29'], // end of month, leap year
  [['2024-08-31', '3m', '--roll'], '2024-12-02'], // 11/30 is a Saturday
]) {
  const r = run(['calendar', 'add', ...args]);
  t.check(`calendar add ${args.join(' ')} = ${want}`, ok(r, `${want}\n`) && r.err === '', show(r));
}
{
  const r = run(['calendar', 'add', '2026-12-30', '5wd']);
  t.check('into 2027: the date on stdout, "暂定" on stderr', ok(r, '2027-01-06\n') && /2027 年的节假日安排未加载.*暂定/.test(r.err), show(r));
}

console.log('# bad command lines: exit 2, the reason in Chinese');
for (const [args, re] of [
  [['add', '2024-02-30', '5wd'], /日期“2024-02-30”无效/],
  [['add', '2024-09-20', '-5wd'], /期限不能为负数/],
  [['add', '2024-09-20', '5x'], /期限“5x”无效/],
  [['add', '2024-09-20', '5wd', '--roll'], /--roll 只用于/],
  [['add', '2024-09-20'], /参数不足/],
  [['count', '2024-01-01', '2024-13-01'], /止日“2024-13-01”无效/],
  [['show', '1700'], /年份“1700”无效/],
  [['frobnicate'], /未知子命令/],
]) {
  const r = run(['calendar', ...args]);
  t.check(`calendar ${args.join(' ')}: exit 2`, r.code === 2 && r.out === '' && re.test(r.err), show(r));
}

{
  const env = { ...process.env };
  delete env.FAZHI_DATA;
  const r = run(['calendar', 'import', 'whatever.csv'], { env });
  t.check('calendar import without a data dir: exit 2', r.code === 2 && /需要数据目录 --data DIR/.test(r.err), show(r));
}

console.log('# calendar show');
{
  const r = run(['calendar', 'show', '2024']);
  const feb = r.out.split('\n').find((l) => l.includes('12休13休14休15休16休17休18班'));
  t.check('2024: header with 251, February with 春节 and the 班 Sunday', r.code === 0 && r.out.includes('全年工作日 251 天') && !!feb, show(r));
  t.check('weekends are marked *', / 6\* {2}7\*/.test(r.out), r.out.slice(0, 600));
  const r2 = run(['calendar', 'show', '2027']);
  t.check('2027: provisional', r2.code === 0 && r2.out.includes('暂定'), show(r2));
}

console.log('# calendar import into a data directory');
const data = initData(['--region-code', '532624']);
const both = file('both.csv', 'date,kind,name\n2027-01-01,休,元旦\n2027-02-06,休,春节\n2027-02-06,班,春节调休上班\n');
const badDate = file('bad-date.json', JSON.stringify({ year: 2027, holidays: [{ name: '春节', from: '2027-02-06', to: '2027-02-31' }] }));
const far = file('far.csv', 'date,kind,name\n2099-01-01,休,元旦\n');
const good = file('2027-test.json', JSON.stringify({ year: 2027, source: '测试用安排，非官方', holidays: [{ name: '元旦', date: '2027-01-01' }] }));
for (const [f, re, what] of [
  [both, /第 4 行：2027-02-06 同时被标为休和班（另见 第 3 行）/, 'a date both 休 and 班'],
  [badDate, /holidays\[0\]\.to：日期“2027-02-31”无效/, 'a malformed date (JSON field)'],
  [far, /2099 年远在已加载的日历（2024–2026 年）之外/, 'a year far outside the loaded range'],
]) {
  const r = run(['calendar', 'import', f, '--data', data]);
  t.check(`import refuses ${what}, naming it`, r.code === 1 && re.test(r.err) && /未导入任何内容/.test(r.err), show(r));
}
{
  const r = run(['calendar', 'add', '2026-12-30', '5wd', '--data', data]);
  t.check('nothing was imported: 2027 still provisional in the data dir', ok(r, '2027-01-06\n') && /暂定/.test(r.err), show(r));
  const c = run(['calendar', 'import', good, '--check']);
  t.check('--check validates without a data dir', c.code === 0 && c.out.includes('检查通过') && c.out.includes('全年工作日 260 天'), show(c));
  const i = run(['calendar', 'import', good, '--data', data]);
  t.check('a good file imports', i.code === 0 && i.out.includes('已导入 1 个年份'), show(i));
  const a = run(['calendar', 'add', '2026-12-30', '5wd', '--data', data]);
  t.check('the data dir now skips 元旦 2027, not provisional', ok(a, '2027-01-07\n') && a.err === '', show(a));
  const n = run(['calendar', 'count', '2026-12-31', '2027-12-31', '--data', data]);
  t.check('2027 in the data dir: 260 working days', ok(n, '260\n'), show(n));
  const s = run(['calendar', 'add', '2026-12-30', '5wd']);
  t.check('without --data the shipped schedules still apply', ok(s, '2027-01-06\n'), show(s));
}

console.log('# an import while the server runs is seen by the server');
const srv = await startServer(data);
try {
  const admin = await loginAdmin(srv.base);
  let r = await admin.get('/api/calendar/compute?date=2027-12-30&add=2wd');
  t.check('before: 2028 is provisional on the server', r.status === 200 && r.json.provisional === true, r.text);
  const y2028 = file('2028-test.csv', '# source: 测试用安排，非官方\ndate,kind,name\n2028-01-03,休,元旦\n');
  const i = run(['calendar', 'import', y2028, '--data', data]);
  t.check('the CLI imports 2028 beside the running server', i.code === 0, show(i));
  r = await admin.get('/api/calendar/compute?date=2027-12-30&add=2wd');
  // 12/31 Fri (1); 2028-01-03 Mon is the test holiday; Tue 1/4 (2).
  t.check('after: the server uses it at once', r.status === 200 && r.json.result === '2028-01-04' && r.json.provisional === false, r.text);
  r = await admin.get('/api/calendar/years');
  t.check('the server lists 2024-2028', r.status === 200 && r.json.total === 5 && r.json.rows[4].imported_by === 'cli', r.text.slice(0, 300));
} finally {
  const e = await srv.stop();
  t.check('server stops cleanly', e.code === 0, `exit ${e.code ?? e.sig}: ${srv.stderr().slice(-500)}`);
}
const v = run(['verify', '--data', data]);
t.check('the chain verifies (imports are events)', v.code === 0 && /^OK \d+ /.test(v.out), v.out + v.err);
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(t.summary());
