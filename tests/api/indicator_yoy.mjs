// 同比, rank, quarter, grouping and composite of an indicator on two years of
// hand-checkable data (issue 7). Historic penalty cases are imported
// (`fazhi import`, which maintains the indicators like any step) into three
// units; 重大执法决定法制审核率 depends only on the imported fields:
//   denominator: decided, and 重大 (or 听证 / 集体讨论); numerator: + 审核同意.
//
//            2024 (decided)                 2025 (decided)
//   甲 执法主体  2 重大 同意              → 2/2   Q1: 2 重大 同意; Q3: 1 重大 同意, 1 重大 not reviewed → 3/4
//   乙 执法主体  1 重大 同意, 1 不同意     → 1/2   Q3: 2 重大 同意                                        → 2/2
//   丙 乡镇      —                                Q1: 1 重大 修改后同意, 1 not 重大 (not counted)        → 1/1
// 2025: 乙 and 丙 1.0 (rank 1, tied), 甲 0.75 (rank 3); county 6/7, 2024 3/4.
import fs from 'node:fs';
import path from 'node:path';
import { initData, loginAdmin, makeUser, run, startServer, tally, tmpDir } from './lib.mjs';

const t = tally();
const data = initData(['--region-code', '532624']);
const srv = await startServer(data);
const IND = 'penalty_legal_review';
try {
  const admin = await loginAdmin(srv.base);
  const units = {};
  for (const [key, name, type] of [['jia', '同比甲局', '执法主体'], ['yi', '同比乙局', '执法主体'], ['bing', '同比丙镇', '乡镇']]) {
    const r = await admin.post('/api/units', { name, type, legal_status: '行政机关', region_code: '532624', parent_id: 1 });
    t.check(`unit ${name} created`, r.status === 201, r.text);
    units[key] = r.json.id;
  }
  const dir = tmpDir();
  const head = '状态,当事人,违法事实,涉及重大公共利益或案情疑难复杂,法制审核意见,决定,决定日期,处罚依据';
  const row = (major, opinion, day) => `decided,某某,历史案件,${major ? '是' : '否'},${opinion},处罚,${day},《中华人民共和国测试管理法》第四十条`;
  const rows = {
    jia: [row(1, '同意', '2024-03-02'), row(1, '同意', '2024-09-10'), row(1, '同意', '2025-01-15'), row(1, '同意', '2025-02-20'),
      row(1, '同意', '2025-08-01'), row(1, '', '2025-09-30')],
    yi: [row(1, '同意', '2024-05-05'), row(1, '不同意', '2024-06-06'), row(1, '同意', '2025-07-07'), row(1, '同意', '2025-09-09')],
    bing: [row(1, '修改后同意', '2025-03-03'), row(0, '', '2025-03-04')],
  };
  for (const [key, list] of Object.entries(rows)) {
    const f = path.join(dir, `${key}.csv`);
    fs.writeFileSync(f, [head, ...list].join('\n') + '\n');
    const r = run(['import', '--data', data, 'penalty', f, '--unit-id', String(units[key])]);
    t.check(`import ${key}: ${list.length} historic cases`, r.code === 0, r.out + r.err);
  }
  const leader = await makeUser(admin, { username: 'yoy_leader', roles: ['leader'] });
  const get = async (q) => {
    const r = await leader.get(`/api/indicators?${q}`);
    t.check(`GET /api/indicators?${q}`, r.status === 200, r.text.slice(0, 300));
    return r.json.indicators.find((i) => i.name === IND);
  };
  const rowOf = (ind, id) => ind.units.find((u) => u.unit_id === id) || {};

  const y25 = await get('year=2025');
  t.check('2025 county: 6 / 7, 同比 against 2024: 3 / 4', y25.county.num === 6 && y25.county.den === 7 && y25.county.prev_value === 0.75,
    JSON.stringify(y25.county));
  const [a, b, c] = [rowOf(y25, units.jia), rowOf(y25, units.yi), rowOf(y25, units.bing)];
  t.check('甲 2025: 3 / 4 = 0.75, not met, rank 3, 同比 1.0', a.num === 3 && a.den === 4 && a.value === 0.75 && a.met === false &&
    a.rank === 3 && a.prev_value === 1, JSON.stringify(a));
  t.check('乙 2025: 2 / 2, rank 1, 同比 0.5', b.value === 1 && b.rank === 1 && b.prev_value === 0.5, JSON.stringify(b));
  t.check('丙 2025: 1 / 1 (the case not 重大 is not counted), rank 1 (tied), no 同比 (nothing in 2024)',
    c.num === 1 && c.den === 1 && c.rank === 1 && c.prev_value === null, JSON.stringify(c));
  t.check('three units ranked', y25.ranked_units === 3, String(y25.ranked_units));

  const y24 = await get('year=2024');
  t.check('2024: 甲 2 / 2 rank 1, 乙 1 / 2 rank 2, 丙 has no row (never 100%)',
    rowOf(y24, units.jia).value === 1 && rowOf(y24, units.jia).rank === 1 && rowOf(y24, units.yi).value === 0.5 &&
    rowOf(y24, units.yi).rank === 2 && !y24.units.some((u) => u.unit_id === units.bing), JSON.stringify(y24.units));

  const q1 = await get('year=2025&quarter=1');
  t.check('2025 Q1: 甲 2 / 2, 丙 1 / 1, 乙 none; 同比 against 2024 Q1: 甲 1 / 1',
    rowOf(q1, units.jia).num === 2 && rowOf(q1, units.jia).prev_value === 1 && rowOf(q1, units.bing).den === 1 &&
    !q1.units.some((u) => u.unit_id === units.yi), JSON.stringify(q1.units));
  const q3 = await get('year=2025&quarter=3');
  t.check('2025 Q3: 甲 1 / 2 rank 2, 乙 2 / 2 rank 1; county 3 / 4, 同比 against 2024 Q3: 1 / 1',
    rowOf(q3, units.jia).value === 0.5 && rowOf(q3, units.jia).rank === 2 && rowOf(q3, units.yi).rank === 1 &&
    q3.county.num === 3 && q3.county.den === 4 && q3.county.prev_value === 1, JSON.stringify(q3));
  const span = await get('from=2024-06&to=2025-03');
  t.check('custom 2024-06 … 2025-03: 甲 2024-09 + 2025-01 + 2025-02 = 3 / 3, 乙 2024-06 不同意 = 0 / 1, 丙 1 / 1',
    rowOf(span, units.jia).num === 3 && rowOf(span, units.jia).den === 3 && rowOf(span, units.yi).num === 0 &&
    rowOf(span, units.yi).den === 1 && rowOf(span, units.bing).den === 1, JSON.stringify(span.units));

  const byType = await get('year=2025&group=unit_type');
  const g = Object.fromEntries(byType.groups.map((x) => [x.key, x]));
  t.check('by 单位类型 2025: 执法主体 5 / 6 rank 2 (同比 3 / 4), 乡镇 1 / 1 rank 1',
    g['执法主体']?.num === 5 && g['执法主体']?.den === 6 && g['执法主体']?.rank === 2 && g['执法主体']?.prev_value === 0.75 &&
    g['乡镇']?.num === 1 && g['乡镇']?.rank === 1, JSON.stringify(byType.groups));

  const all = await leader.get('/api/indicators?year=2025');
  const comp = Object.fromEntries(all.json.composite.units.map((u) => [u.unit_id, u.score]));
  t.check('composite 2025 (only this indicator has values): 甲 75, 乙 100, 丙 100',
    comp[units.jia] === 75 && comp[units.yi] === 100 && comp[units.bing] === 100, JSON.stringify(all.json.composite));
  t.check('county composite: 6 / 7 of the target = 85.71', all.json.composite.county === 85.71, String(all.json.composite.county));

  // The rows come a page at a time, ranked over all of them (ties by unit id),
  // with the list's total; ranks and the composite's ranks do not depend on the page.
  const p1 = await leader.get('/api/indicators?year=2025&size=2');
  const p2 = await leader.get('/api/indicators?year=2025&size=2&page=2');
  const i1 = p1.json.indicators.find((i) => i.name === IND), i2 = p2.json.indicators.find((i) => i.name === IND);
  t.check('page 1 of 2 rows: 乙 then 丙 (both rank 1, by unit id), total 3',
    p1.json.page === 1 && p1.json.size === 2 && i1.total === 3 && i1.ranked_units === 3 &&
    JSON.stringify(i1.units.map((u) => [u.unit_id, u.rank])) === JSON.stringify([[units.yi, 1], [units.bing, 1]]), JSON.stringify(i1));
  t.check('page 2: 甲 alone, rank 3; the county total is the same on every page',
    JSON.stringify(i2.units.map((u) => [u.unit_id, u.rank, u.num, u.den])) === JSON.stringify([[units.jia, 3, 3, 4]]) &&
    i2.total === 3 && i2.county.num === 6 && i2.county.den === 7, JSON.stringify(i2));
  t.check('composite page 1: 乙 100 rank 1, 丙 100 rank 1; page 2: 甲 75 rank 3; total and ranked 3',
    JSON.stringify(p1.json.composite.units.map((u) => [u.unit_id, u.score, u.rank])) === JSON.stringify([[units.yi, 100, 1], [units.bing, 100, 1]]) &&
    JSON.stringify(p2.json.composite.units.map((u) => [u.unit_id, u.score, u.rank])) === JSON.stringify([[units.jia, 75, 3]]) &&
    p1.json.composite.total === 3 && p2.json.composite.ranked === 3 && p2.json.composite.county === 85.71, JSON.stringify([p1.json.composite, p2.json.composite]));
  const past = await leader.get('/api/indicators?year=2025&size=2&page=3');
  t.check('a page past the end: no rows, the totals still there',
    past.status === 200 && past.json.indicators.find((i) => i.name === IND).units.length === 0 &&
    past.json.indicators.find((i) => i.name === IND).total === 3 && past.json.composite.units.length === 0, past.text.slice(0, 300));
  const mine = await leader.get(`/api/indicators?year=2025&unit=${units.jia}`);
  t.check('unit=甲: its composite row ranked among all three (3 of 3)',
    JSON.stringify(mine.json.composite.units.map((u) => [u.unit_id, u.rank])) === JSON.stringify([[units.jia, 3]]) &&
    mine.json.composite.ranked === 3 && mine.json.composite.total === 1, JSON.stringify(mine.json.composite));
  for (const [q, field] of [['size=0', 'size'], ['size=201', 'size'], ['page=0', 'page'], ['size=x', 'size']]) {
    const bad = await leader.get(`/api/indicators?year=2025&${q}`);
    t.check(`${q}: 400 naming ${field}`, bad.status === 400 && bad.json?.error?.fields?.[field] !== undefined, `${bad.status} ${bad.text}`);
  }
  // Whole quarters across a year end are read from the quarterly roll-ups: the
  // same sums as the months of the two years' trends (the county's monthly roll-up).
  const tr = async (year) => (await leader.get(`/api/indicators/trend?year=${year}`)).json.indicators.find((i) => i.name === IND).months;
  const [m24, m25] = [await tr(2024), await tr(2025)];
  const spanQ = await get('from=2024-07&to=2025-06');
  const sum = (ms, f) => ms.reduce((n, m) => n + m[f], 0);
  const wantNum = sum(m24.slice(6), 'num') + sum(m25.slice(0, 6), 'num'), wantDen = sum(m24.slice(6), 'den') + sum(m25.slice(0, 6), 'den');
  t.check(`2024-07 … 2025-06 (two half-years of quarters) = the months of the trends: ${wantNum} / ${wantDen}`,
    spanQ.county.num === wantNum && spanQ.county.den === wantDen && wantDen > 0, JSON.stringify(spanQ.county));
  // The county's trend (read from the county's monthly roll-up) is the sum of its units'.
  const whole = await leader.get('/api/indicators/trend?year=2025');
  const parts = await Promise.all([units.jia, units.yi, units.bing].map((u) => leader.get(`/api/indicators/trend?year=2025&unit=${u}`)));
  const months = (r) => r.json.indicators.find((i) => i.name === IND).months;
  t.check('county trend 2025 = the sum of the three units\' months; December cumulative 6 / 7',
    months(whole).every((m, k) => m.num === parts.reduce((n, r) => n + months(r)[k].num, 0) && m.den === parts.reduce((n, r) => n + months(r)[k].den, 0)) &&
    months(whole)[11].cum_num === 6 && months(whole)[11].cum_den === 7, JSON.stringify(months(whole)));

  const trend = await leader.get(`/api/indicators/trend?year=2025&unit=${units.jia}`);
  const m = trend.json.indicators.find((i) => i.name === IND).months;
  t.check('trend 甲 2025: Jan 1 / 1, Sep 0 / 1, cumulative by Sep 3 / 4, by Dec 3 / 4',
    m[0].num === 1 && m[0].den === 1 && m[8].num === 0 && m[8].den === 1 && m[8].cum_num === 3 && m[8].cum_den === 4 &&
    m[11].cum_value === 0.75, JSON.stringify(m));
  const drill = await leader.get(`/api/indicators/${IND}/cases?year=2025&unit=${units.jia}&part=denominator`);
  const num = await leader.get(`/api/indicators/${IND}/cases?year=2025&unit=${units.jia}&part=numerator`);
  t.check('drill-down 甲 2025: 4 cases behind the denominator, 3 behind the numerator', drill.json.total === 4 && num.json.total === 3,
    `${drill.json.total} / ${num.json.total}`);
} finally {
  const e = await srv.stop();
  t.check('server stops cleanly', e.code === 0, `exit ${e.code ?? e.sig}: ${srv.stderr().slice(-500)}`);
}
const chk = run(['indicators', 'recompute', '--check', '--data', data]);
t.check('recompute --check: no difference', chk.code === 0 && /^OK/.test(chk.out), chk.out + chk.err);
process.exit(t.summary());
