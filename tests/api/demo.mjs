// 演示数据 (issue 8): `fazhi demo` on a new data dir writes the demonstration
// county through the engine; the API then shows the speech's figures (units,
// 221 penalty cases, 持证率 54.62% / 87.13%, 培训 43 期, 1234 人参加考试,
// 累计公示 10236 件; 案卷评查 in March 2023 of 60 files of 2022: 11 不合格,
// 5 线索, 处理 13 人, 1 份监察建议) and the previous year's for 同比 (2022
// cases, trainings, disclosure requests, 案卷评查合格率 49/60), the chain
// verifies and is in time order, the incrementally kept
// indicators equal a recompute, a second run on a used dir is refused, and
// the same seed gives the same chain head.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { login, run, sql, startServer, storeArgs, storeOf, tally, tmpDir } from './lib.mjs';

const t = tally();
const PW = 'Demo-Fazhi-2023';
const SEED = '20231231';

function demo(seed = SEED) {
  const data = path.join(tmpDir(), 'data');
  const t0 = Date.now();
  const r = run(['demo', '--data', data, '--year', '2023', '--seed', seed, ...storeArgs()], { timeout: 120000 });
  return { data, r, ms: Date.now() - t0 };
}
function head(data) {
  const v = run(['verify', '--data', data]);
  const m = /^OK (\d+) ([0-9a-f]{64})/.exec(v.out);
  return m ? `${m[1]} ${m[2]}` : `FAILED ${v.out}${v.err}`;
}

const a = demo();
t.check('demo: exit 0 and summary', a.r.code === 0 && /OK 演示数据已生成/.test(a.r.out), `exit ${a.r.code}: ${a.r.err}`);
// The < 60 s target is measured in bench/ (bench/README.md), not asserted: a
// timed check fails on a loaded machine for reasons that are not the code's.
console.log(`  info demo took ${a.ms} ms`);
t.check('demo: prints the logins', /演示账号/.test(a.r.out) && /sfj_jdy/.test(a.r.out) && a.r.out.includes(PW), a.r.out.slice(-400));
const h1 = head(a.data);
t.check('verify: chain OK', !h1.startsWith('FAILED'), h1);
// Every step happens at its own simulated time, in the order it is chained
// (案卷评查 of March 2023 amid that month's cases, not after the year).
const back = sql(a.data, 'SELECT count(*) FROM (SELECT at, lag(at) OVER (ORDER BY lseq) AS prev FROM events) x WHERE at < prev');
t.check('chain in time order: no event earlier than the one before it', back === '0', `${back} events out of order`);

const again = run(['demo', '--data', a.data]);
t.check('demo: refuses a data dir that already has data', again.code === 1 && /不是新初始化的/.test(again.err),
  `exit ${again.code}: ${again.err}`);

// Everything after system.init (whose payload holds the config digest, and
// on PostgreSQL fazhi.conf names each run's own database) is the same.
function content(data) {
  const q = "SELECT action || '|' || at || '|' || actor || '|' || payload FROM events WHERE lseq > 1 ORDER BY lseq";
  const st = storeOf(data), opts = { encoding: 'utf8', timeout: 60000, maxBuffer: 256 << 20 };
  const out = st.startsWith('postgres')
    ? execFileSync('psql', ['-X', '-q', '-A', '-t', st, '-c', q], opts)
    : execFileSync('sqlite3', [path.join(data, 'fazhi.db'), q], opts);
  return crypto.createHash('sha256').update(out).digest('hex');
}
const b = demo();
t.check('determinism: same seed, same events', b.r.code === 0 && content(b.data) === content(a.data), 'events differ');
if (!process.env.FAZHI_TEST_PG) {
  t.check('determinism: same seed, same chain head', head(b.data) === h1, `${head(b.data)} vs ${h1}`);
}
const c = demo('7');
t.check('another seed, another chain', c.r.code === 0 && head(c.data) !== h1, head(c.data));
for (const d of [b.data, c.data]) fs.rmSync(path.dirname(d), { recursive: true, force: true });

// Dates are historic: every case event is between the first history year
// (2019: the 行政检查 results the platform holds since then) and the year's
// tail into the next January/February, none at today's date; the year's and
// the previous year's cases both have their steps.
const range = sql(a.data, "SELECT min(at) || ' ' || max(at) FROM events WHERE action LIKE 'case.%'").split(' ').map(Number);
t.check('events carry historic times', new Date(range[0]).getUTCFullYear() === 2019 &&
  new Date(range[1]).getUTCFullYear() <= 2024, range.map((x) => new Date(x).toISOString()).join(' .. '));
const yearOf = (y) => `at >= ${Date.UTC(y, 0, 1) - 8 * 3600000} AND at < ${Date.UTC(y + 1, 0, 1) - 8 * 3600000}`;
const steps = [2022, 2023].map((y) => sql(a.data, "SELECT count(*) FROM events WHERE subject_kind = 'case:penalty'" +
  ` AND action IN ('case.decide', 'case.publish', 'case.archive') AND ${yearOf(y)}`));
t.check('penalty cases with their steps in 2022 and 2023', steps.every((n) => Number(n) > 100), steps.join(' / '));
const late = sql(a.data, "SELECT count(*) FROM clocks WHERE name = 'publish' AND state = 'stopped_late'");
const ontime = sql(a.data, "SELECT count(*) FROM clocks WHERE name = 'publish' AND state = 'stopped_in_time'");
t.check('公示: most on time, a few late', Number(late) > 0 && Number(ontime) > 10 * Number(late), `${ontime} on time, ${late} late`);
const deleg = sql(a.data, 'SELECT f_category || \':\' || count(DISTINCT f_power_code) FROM cat_power_delegations' +
  ' WHERE valid_to = 0 GROUP BY f_category ORDER BY f_category').split('\n').sort().join(' ');
t.check('赋权: 86 基本目录 / 39 共性 / 1 个性', deleg === '个性:1 共性:39 基本目录:86', deleg);
const sessions = sql(a.data, "SELECT count(DISTINCT f_course) FROM cat_officer_trainings WHERE valid_to = 0 AND f_year = 2023");
const exams = sql(a.data, "SELECT count(*) FROM cat_officer_exams WHERE valid_to = 0 AND f_held_on LIKE '2023-%'");
t.check('培训 43 期, 1234 人参加考试', sessions === '43' && exams === '1234', `${sessions} sessions, ${exams} examinees`);
const sessions22 = sql(a.data, "SELECT count(DISTINCT f_course) || ' ' || count(*) FROM cat_officer_trainings WHERE valid_to = 0 AND f_year = 2022");
t.check('2022: 28 期培训', /^28 \d{3,}$/.test(sessions22), sessions22);
// 累计公示: every publication up to the end of 2023 (行政处罚决定 and 行政检查结果
// since 2019), each with its chained event.
const pubs = sql(a.data, "SELECT count(*) FROM publications WHERE withdrawn_at = 0 AND published_on <= '2023-12-31'");
const pubEvents = sql(a.data, "SELECT count(*) FROM events WHERE action = 'publication.published' AND " +
  `at < ${Date.UTC(2024, 0, 1) - 8 * 3600000}`);
t.check('累计公示 10236 件, each an event', pubs === '10236' && pubEvents === '10236', `${pubs} publications, ${pubEvents} events`);
const pubYears = sql(a.data, "SELECT count(DISTINCT substr(published_on, 1, 4)) FROM publications WHERE published_on <= '2023-12-31'");
t.check('累计公示: published from 2019 to 2023', pubYears === '5', pubYears);

// The annual report (fazhi report annual) reads these figures from the record.
function report(year) {
  const out = path.join(path.dirname(a.data), `report-${year}.html`);
  const r = run(['report', 'annual', '--data', a.data, '--year', String(year), '--format', 'html', '--out', out]);
  return r.code === 0 ? fs.readFileSync(out, 'utf8').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ') : `FAILED ${r.err}`;
}
const r23 = report(2023), r22 = report(2022);
const figure = (text, label) => (new RegExp(`${label}[^：]*：\\s*([^。]*)`).exec(text) || [])[1];
t.check('report 2023: 221 件案件、24 件公开申请', figure(r23, '办理行政执法（行政处罚）案件') === '221 件' &&
  figure(r23, '办理政府信息公开申请') === '24 件', `${figure(r23, '办理行政执法（行政处罚）案件')} / ${figure(r23, '办理政府信息公开申请')}`);
t.check('report 2023: 累计公示 10236 件', figure(r23, '累计公示行政执法决定') === '10236 件', figure(r23, '累计公示行政执法决定'));
t.check('report 2023: 持证率 87.13%, 上年度 54.62%', figure(r23, '执法人员持证率') === '87.13%' &&
  /^54\.62%/.test(figure(r23, '上年度（2022年）持证率') || ''), `${figure(r23, '执法人员持证率')} / ${figure(r23, '上年度（2022年）持证率')}`);
t.check('report 2023: 培训 43 期, 1234 人参加考试', /^43 期、/.test(figure(r23, '行政执法培训') || '') &&
  /^1234 人参加/.test(figure(r23, '行政执法资格考试') || ''), `${figure(r23, '行政执法培训')} / ${figure(r23, '行政执法资格考试')}`);
t.check('report 2022: 187 件案件、19 件公开申请、28 期培训', figure(r22, '办理行政执法（行政处罚）案件') === '187 件' &&
  figure(r22, '办理政府信息公开申请') === '19 件' && /^28 期、/.test(figure(r22, '行政执法培训') || ''),
  `${figure(r22, '办理行政执法（行政处罚）案件')} / ${figure(r22, '办理政府信息公开申请')} / ${figure(r22, '行政执法培训')}`);
// 案卷评查 as the speech counts it: the work done in 2023, i.e. the March 2023
// review of 2022's files (「对…2022年度60件行政执法案卷进行评查…不合格的11件案件进行复盘，
// 移送县纪委监委问题线索5件，处理13人，发出监察建议1份」); none was organised in 2022.
const rv23 = ['案卷评查活动', '评查案卷', '评查结果', '单位陈述申辩', '不合格案卷复盘', '不合格案卷移送问题线索',
  '移送线索处理人数', '发出监察建议'].map((l) => figure(r23, l));
t.check('report 2023: 案卷评查 of 2022\'s 60 files, 11 不合格 复盘, 5 线索, 处理 13 人, 1 份监察建议',
  rv23[0] === '1 次' && rv23[1] === '60 件（2022年度行政执法案卷）' && /不合格 11 件$/.test(rv23[2] || '') &&
  /^[1-9]\d* 件$/.test(rv23[3] || '') && rv23[4] === '11 件' && rv23[5] === '5 件' && /^13 人（/.test(rv23[6] || '') &&
  rv23[7] === '1 份', rv23.join(' | '));
t.check('report 2022: no 案卷评查 organised in 2022', figure(r22, '行政执法案卷评查') === '本年度未组织案卷评查' &&
  !figure(r22, '评查案卷'), `${figure(r22, '行政执法案卷评查')} / ${figure(r22, '评查案卷')}`);

const ind = run(['indicators', 'recompute', '--check', '--data', a.data]);
t.check('indicators: incremental = recompute', ind.code === 0 && /^OK/.test(ind.out), `exit ${ind.code}: ${ind.out}${ind.err}`);

const srv = await startServer(a.data);
try {
  const sup = await login(srv.base, 'sfj_jdy', PW);
  t.check('login: demo account needs no password change', sup.me && !sup.me.must_change_password, JSON.stringify(sup.me));
  const admin = await login(srv.base, 'admin', PW);
  t.check('login: admin with the demo password', admin.me && !admin.me.must_change_password, JSON.stringify(admin.me));

  const units = (await sup.get('/api/units')).json;
  const names = new Set((units?.rows || []).map((u) => u.name));
  const named = ['县综合行政执法局', '县司法局', '县政务服务中心', '县信访局', '县市场监管综合行政执法队',
    '县文化市场综合行政执法队', '县农业综合行政执法队', '县生态环境保护综合行政执法队', '县交通运输综合行政执法队',
    '县应急管理综合行政执法队', '县城市管理综合行政执法队'];
  const missing = named.filter((n) => !names.has(n));
  t.check('units: the speech\'s units', missing.length === 0, `missing ${missing.join('、')}`);
  const townTeams = [...names].filter((n) => /[镇乡]综合行政执法队$/.test(n));
  t.check('units: 11 乡镇综合行政执法队', townTeams.length === 11, townTeams.join('、'));
  const regions = (await admin.get('/api/regions')).json;
  const towns = (regions?.rows || []).filter((r) => r.level === 4);
  t.check('regions: 11 townships with villages', towns.length === 11 &&
    (regions.rows || []).filter((r) => r.level === 5).length >= 44, `${towns.length} townships`);

  // 221 cases of 2023 (行政处罚〔2023〕1–221号) and 187 of 2022 for 同比.
  const cases = await sup.get('/api/cases/penalty?size=1');
  t.check('执法案件 221 件 (2023) + 187 件 (2022)', cases.status === 200 && cases.json.total === 221 + 187,
    `${cases.status} ${cases.text.slice(0, 200)}`);
  const byYear = sql(a.data, "SELECT sum(CASE WHEN no LIKE '%〔2023〕%' THEN 1 ELSE 0 END) || ' ' ||" +
    " sum(CASE WHEN no LIKE '%〔2022〕%' THEN 1 ELSE 0 END) FROM case_penalty");
  t.check('执法案件 221 件 numbered 〔2023〕', byYear === '221 187', byYear);
  const first = cases.json?.rows?.[0];
  t.check('case numbers of the year', first && /〔2023〕/.test(first.no), first && first.no);
  const insp = await sup.get('/api/cases/inspection?size=1&state=published');
  t.check('行政检查 results, all published', insp.status === 200 && insp.json.total > 9000 && !insp.json.total_capped,
    `${insp.status} ${insp.text.slice(0, 200)}`);

  for (const [year, pct] of [[2022, '54.62'], [2023, '87.13']]) {
    const r = await sup.get(`/api/enforcement/officers/status?year=${year}&size=1`);
    t.check(`持证率 ${year}: ${pct}%`, r.status === 200 && r.json.summary.certified_rate.percent === pct,
      `${r.status} ${JSON.stringify(r.json?.summary)}`);
  }
  // 案卷评查: March 2023 over 2022's files (the speech's 60 / 11 / 5 / 13 / 1) and
  // March 2024 over 2023's (part two: 12 不合格 复盘, 4 线索), both closed, all scored.
  const rv = await sup.get('/api/reviews/campaigns');
  const [c23, c22] = rv.json?.rows || [];
  t.check('案卷评查: two closed campaigns, 2022\'s files then 2023\'s, all scored', rv.status === 200 &&
    rv.json.total === 2 && [c22, c23].every((c) => c && c.state === 'closed' && c.files >= 40 && c.scored === c.files) &&
    /^2022/.test(c22.name) && c22.period_from === '2022-01-01' && /^2023-03-/.test(c22.created_at) &&
    /^2023/.test(c23.name) && c23.period_from === '2023-01-01' && /^2024-03-/.test(c23.created_at),
    `${rv.status} ${rv.text.slice(0, 400)}`);
  const d22 = c22 ? (await sup.get(`/api/reviews/campaigns/${c22.id}`)).json?.results : null;
  const fu22 = d22?.followup || {};
  t.check('案卷评查 2022 files: 60, 11 不合格 all 复盘, 5 referred, 13 people, 1 监察建议', d22 && d22.files === 60 &&
    d22.fail === 11 && d22.excellent + d22.pass === 49 && fu22.retrospected === 11 && fu22.referred === 5 &&
    fu22.sanctioned + fu22.first_form === 13 && fu22.advice === 1, JSON.stringify(d22 && { ...d22, units: undefined }));
  const d23 = c23 ? (await sup.get(`/api/reviews/campaigns/${c23.id}`)).json?.results : null;
  t.check('案卷评查 2023 files: 12 不合格 all 复盘, 4 referred', d23 && d23.fail === 12 &&
    d23.followup?.retrospected === 12 && d23.followup?.referred === 4, JSON.stringify(d23 && { ...d23, units: undefined }));
  const stated = c22 ? (await sup.get(`/api/reviews/campaigns/${c22.id}/files`)).json?.rows || [] : [];
  t.check('案卷评查 2022 files: 陈述申辩 by the units, each reviewed', stated.filter((f) => f.statement?.text).length >= 2 &&
    stated.every((f) => f.state === 'scored'), JSON.stringify(stated.find((f) => f.statement?.text) || stated[0]).slice(0, 300));
  const disc = await sup.get('/api/cases/disclosure_request?size=1');
  t.check('政府信息公开申请 24 件 (2023) + 19 件 (2022)', disc.status === 200 && disc.json.total === 24 + 19,
    `${disc.status} ${disc.text.slice(0, 200)}`);
  // 同比: every indicator has its 2022 value beside 2023's, 案卷评查合格率 too: it counts the files of the
  // reviewed year (2022's 60 files, reviewed in March 2023: 49 合格或优秀).
  const ind23 = await sup.get('/api/indicators?year=2023');
  const noPrev = (ind23.json?.indicators || []).filter((i) => i.county.value === null || i.county.prev_value === null);
  const ind22 = await sup.get('/api/indicators?year=2022');
  const fr22 = (ind22.json?.indicators || []).find((i) => i.name === 'file_review_pass');
  const fr23 = (ind23.json?.indicators || []).find((i) => i.name === 'file_review_pass');
  t.check('案卷评查合格率 2022: 49/60 (the files of 2022), the 同比 of 2023\'s', fr22 && fr22.county.num === 49 &&
    fr22.county.den === 60 && fr23 && fr23.county.den === d23?.scored && fr23.county.prev_value === fr22.county.value,
    `${JSON.stringify(fr22?.county)} / ${JSON.stringify(fr23?.county)}`);
  // 全过程记录率 (第四十七条): the demo attaches each step's records; about one case in seven with a 调查取证
  // lacks its 执法音视频记录 (src/app/cmd_demo.c): with the test's seed, 2023 198 of 221 办结 penalty cases complete, 2022 163 of 187.
  const rec23 = (ind23.json?.indicators || []).find((i) => i.name === 'penalty_full_record');
  t.check('全过程记录率 2023: 198/221, 同比 2022 163/187', rec23 && rec23.county.num === 198 && rec23.county.den === 221 &&
    Math.abs(rec23.county.prev_value - 163 / 187) < 1e-9, JSON.stringify(rec23?.county));
  t.check('indicators 2023: value and 同比 (2022) for every indicator', ind23.status === 200 &&
    ind23.json.indicators.length >= 4 && noPrev.length === 0, `${ind23.status} ${noPrev.map((i) => i.name).join(' ')}`);
  // 持证率 and 培训学时达标率 on the dashboard come from the officer stock timeline (kept with the demo's
  // registry writes over two years: officers joining, renewals, trainings): they must equal the
  // 执法人员状况 page, which reads every officer (54.62% / 87.13% 持证率).
  for (const [year, ind] of [[2022, ind22], [2023, ind23]]) {
    const st = await sup.get(`/api/enforcement/officers/status?year=${year}&size=1`);
    const [oc, ot] = ['officer_certified', 'officer_training'].map((n) => (ind.json?.indicators || []).find((i) => i.name === n)?.county);
    const s = st.json?.summary;
    t.check(`执法人员 ${year}: the dashboard's 持证率 and 培训学时达标率 = the 执法人员状况 page (${s?.certified_rate.percent}%)`,
      oc && ot && s && oc.num === s.certified_rate.numerator && oc.den === s.certified_rate.denominator &&
      ot.num === s.training_rate.numerator && ot.den === s.training_rate.denominator && oc.den > 0 && ot.num > 0,
      `${JSON.stringify([oc, ot])} / ${JSON.stringify(s)}`);
  }
  const st22 = await sup.get('/api/enforcement/officers/status?year=2022&size=1');
  t.check('2022: trained officers (学时达标 > 0)', st22.status === 200 && st22.json.summary.hours_met > 0,
    JSON.stringify(st22.json?.summary));
} catch (e) {
  t.fail('api', e.stack || String(e));
} finally {
  await srv.stop();
}
const h2 = run(['verify', '--data', a.data]);
t.check('verify after serve: chain OK', h2.code === 0 && /^OK/.test(h2.out), h2.out + h2.err);
fs.rmSync(path.dirname(a.data), { recursive: true, force: true });
process.exit(t.summary());
