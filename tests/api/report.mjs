// 年度报告 (issue 7 parts 5–6): `fazhi report annual` over the demonstration
// county (`fazhi demo`, 2023) in html, docx and xlsx: the title, the six
// section headings, the speech's figures recomputed from the record (221
// cases, 持证率 87.13%, 赋权 86/39/1), 数据未接入 for modules that do not
// exist, the unmet indicators in 六, the separate 外部评价（非系统计算）
// section from the external_results catalog, the 案卷评查 done in the year
// (the March 2023 review of 2022's 60 files); the docx is a well-formed OOXML
// package, the xlsx a workbook; bad options are refused without a file.
// Then GET /api/reports/annual on the same data: the JSON model against the
// CLI's HTML, the three files as downloads, 400/401/403.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { login, run, startServer, storeArgs, tally, tmpDir } from './lib.mjs';

const t = tally();
const dir = tmpDir('fazhi-report-');
const data = path.join(dir, 'data');
const d = run(['demo', '--data', data, '--year', '2023', ...storeArgs()], { timeout: 120000 });
t.check('demo: exit 0', d.code === 0, `exit ${d.code}: ${d.err}`);

// An external result (not computed by the system), with characters to escape.
const csv = path.join(dir, 'ext.csv');
fs.writeFileSync(csv, 'item,year,value,source,reported_on,notes\n' +
  '州级法治政府建设考核得分,2023,88.72分,州委依法治州办通报,2024-02-20,"全州第2名 <较上年下滑1名> & 待核"\n' +
  '全州排名,2022,第1名,州委依法治州办通报,2023-02-15,\n');
const imp = run(['import', '--data', data, 'external_results', csv]);
t.check('external_results: import', imp.code === 0, `exit ${imp.code}: ${imp.out}${imp.err}`);

function report(format, year = '2023', out = path.join(dir, `r.${format}`)) {
  const r = run(['report', 'annual', '--data', data, '--year', year, '--format', format, '--out', out], { timeout: 60000 });
  return { ...r, file: out };
}
// A zip member's bytes (python's zipfile: unzip -p reads [ ] as a pattern).
const unzip = (file, part) => execFileSync('python3', ['-c',
  'import zipfile,sys; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))', file, part],
{ maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
const text = (html) => html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

// HTML
const h = report('html');
t.check('html: exit 0', h.code === 0 && /^OK/.test(h.out), `exit ${h.code}: ${h.out}${h.err}`);
const html = h.code === 0 ? fs.readFileSync(h.file, 'utf8') : '';
const ht = text(html);
t.check('html: title', html.includes('《X县2023年度法治政府建设情况报告》'), html.slice(0, 300));
t.check('html: printable (A4, inline CSS)', /@page\s*{\s*size:\s*A4/.test(html) && /@media print/.test(html));
const heads = ['一、依法履行政府职能', '二、依法行政决策', '三、严格规范公正文明执法', '四、行政权力制约监督',
  '五、全社会法治意识', '六、存在的不足'];
let at = -1, inOrder = true;
for (const x of heads) { const i = html.indexOf(`<h2>${x}</h2>`); if (i <= at) inOrder = false; at = i; }
t.check('html: six section headings in order', inOrder, heads.filter((x) => !html.includes(x)).join(' '));
t.check('html: 221 cases', /办理行政执法（行政处罚）案件：221 件/.test(ht), '');
t.check('html: 持证率 87.13% (2022: 54.62%)', /执法人员持证率：87\.13%/.test(ht) && /54\.62%/.test(ht), '');
t.check('html: 赋权 86 / 39 / 1', /基本目录 86 项、共性事项 39 项、个性事项 1 项/.test(ht), '');
t.check('html: 培训 43 期, 1234 人参加考试', /43 期/.test(ht) && /1234 人参加/.test(ht), '');
t.check('html: 裁量基准 95 条', /95 条/.test(ht), '');
t.check('html: 信息公开申请 24 件', /办理政府信息公开申请：24 件/.test(ht), '');
// 案卷评查: the campaigns conducted in 2023, i.e. the March 2023 review of 2022's files (the speech's figures).
t.check('html: 案卷评查 done in 2023 (2022\'s 60 files, 11 不合格, 5 线索, 13 人, 1 份监察建议)',
  ht.includes('评查案卷：60 件（2022年度行政执法案卷）') && /评查结果：优秀 \d+ 件、合格 \d+ 件、不合格 11 件/.test(ht) &&
  ht.includes('不合格案卷复盘：11 件') && ht.includes('不合格案卷移送问题线索：5 件') && /移送线索处理人数：13 人（/.test(ht) &&
  ht.includes('发出监察建议：1 份'), (/案卷评查活动[^]*?发出监察建议：[^。]*/.exec(ht) || [''])[0].slice(0, 400));
t.check('html: missing module is 数据未接入', /重大行政决策事项：数据未接入/.test(ht) && /信访总量及同比：数据未接入/.test(ht), '');
const six = ht.slice(ht.indexOf('六、存在的不足'), ht.indexOf('外部评价（非系统计算）'));
t.check('html: 六 lists the unmet indicators', /行政处罚决定按时公示率为 \d+\.\d\d%，未达到目标 100%/.test(six) &&
  /政府信息公开申请按期答复率为 95\.83%/.test(six) && !/法制审核率/.test(six), six.slice(0, 400));
t.check('html: 六 notes the 数据未接入 areas', /数据未接入，本报告未能据实反映/.test(six), six.slice(-300));
const ext = html.slice(html.indexOf('外部评价（非系统计算）'));
t.check('html: external results apart, escaped', ext.includes('88.72分') && ext.includes('州委依法治州办通报') &&
  ext.includes('&lt;较上年下滑1名&gt; &amp; 待核') && !ext.includes('第1名') &&
  html.indexOf('外部评价（非系统计算）') > html.indexOf('六、存在的不足'), ext.slice(0, 500));

// docx
const w = report('docx');
t.check('docx: exit 0', w.code === 0, `exit ${w.code}: ${w.err}`);
const doc = w.code === 0 ? unzip(w.file, 'word/document.xml').toString('utf8') : '';
const wf = (part) => { try { unzip(w.file, part); return true; } catch { return false; } };
t.check('docx: package parts', ['[Content_Types].xml', '_rels/.rels', 'word/styles.xml', 'word/_rels/document.xml.rels'].every(wf));
let wellFormed = true, why = '';
for (const part of ['word/document.xml', 'word/styles.xml', '[Content_Types].xml', '_rels/.rels']) {
  try {
    execFileSync('python3', ['-c', 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.stdin)'], { input: unzip(w.file, part) });
  } catch (e) { wellFormed = false; why += `${part}: ${e.stderr}`; }
}
t.check('docx: XML well-formed', w.code === 0 && wellFormed, why);
t.check('docx: title, 221, 87.13%, headings, a table', doc.includes('X县2023年度法治政府建设情况报告') &&
  doc.includes('221') && doc.includes('87.13%') && heads.every((x) => doc.includes(x)) && doc.includes('<w:tbl>') &&
  doc.includes('&lt;较上年下滑1名&gt;'), doc.slice(0, 300));

// xlsx
const x = report('xlsx');
t.check('xlsx: exit 0', x.code === 0, `exit ${x.code}: ${x.err}`);
let wb = '', cells = '';
try {
  wb = unzip(x.file, 'xl/workbook.xml').toString('utf8');
  cells = unzip(x.file, 'xl/sharedStrings.xml').toString('utf8');
} catch (e) { wb = `ERR ${e.message}`; }
t.check('xlsx: a workbook with the figures', /<workbook/.test(wb) && cells.includes('执法人员持证率') &&
  cells.includes('87.13%') && cells.includes('221 件') && cells.includes('名录 officer_exams（本年度考试记录）'), wb.slice(0, 200));

// Bad input: Chinese error naming the option, exit 2 (1 for an unwritable
// file), no file left behind.
const bad = [
  [['--year', '2099'], 2, /--year/], [['--year', '23'], 2, /--year/], [['--year', 'abcd'], 2, /--year/],
  [['--format', 'pdf'], 2, /--format/], [['--out', path.join(dir, 'nope', 'r.html')], 1, /--out/],
  [['--out', path.join(dir, 'data')], 1, /--out/],
];
for (const [args, code, re] of bad) {
  const base = { '--year': '2023', '--format': 'html', '--out': path.join(dir, 'bad.html') };
  for (let i = 0; i < args.length; i += 2) base[args[i]] = args[i + 1];
  const r = run(['report', 'annual', '--data', data, ...Object.entries(base).flat()]);
  t.check(`bad ${args.join(' ')}: exit ${code}, names the option`, r.code === code && re.test(r.err), `exit ${r.code}: ${r.err}`);
}
const noOut = run(['report', 'annual', '--data', data, '--year', '2023', '--format', 'html']);
t.check('missing --out: exit 2', noOut.code === 2 && /--out/.test(noOut.err), noOut.err);
const left = fs.readdirSync(dir).filter((f) => f.startsWith('bad') || f.includes('.tmp-'));
t.check('bad input leaves no file', left.length === 0 && fs.statSync(path.join(dir, 'data')).isDirectory(), left.join(' '));

// ---- GET /api/reports/annual (docs/report.md §5): the same model and files
// over HTTP, on the same data as the CLI above (its HTML is the reference).
const srv = await startServer(data);
try {
  const PW = 'Demo-Fazhi-2023';
  const leader = await login(srv.base, 'xzf_ld', PW);
  const officer = await login(srv.base, 'scdd_zf1', PW);
  const sysAdmin = await login(srv.base, 'admin', PW);
  const API = '/api/reports/annual';

  let r = await fetch(`${srv.base}${API}?year=2023`);
  t.check('api: 401 without login', r.status === 401, `HTTP ${r.status}`);
  r = await sysAdmin.get(`${API}?year=2023`);
  t.check('api: 403 for the 系统管理员 (no case:view)', r.status === 403 && r.json?.error?.code === 'forbidden', `${r.status} ${r.text.slice(0, 200)}`);

  r = await leader.get(`${API}?year=2023`);
  const m = r.json || {};
  t.check('api: leader gets the JSON model', r.status === 200 && m.title === 'X县2023年度法治政府建设情况报告' &&
    m.year === 2023 && m.county === 'X县', `${r.status} ${r.text.slice(0, 200)}`);
  const secs = m.sections || [];
  t.check('api: sections 一 to 五', secs.map((x) => x.no).join('') === '一二三四五', secs.map((x) => x.no).join(''));
  const figs = secs.flatMap((x) => x.figures || []);
  const notInCli = figs.filter((f) => !ht.includes(`${f.label}：${f.value}`)).map((f) => `${f.label}：${f.value}`);
  t.check(`api: every figure (${figs.length}) equals the CLI's`, figs.length > 20 && notInCli.length === 0, notInCli.slice(0, 3).join(' | '));
  const fig = (label) => (figs.find((f) => f.label === label) || {}).value || '';
  t.check('api: fixture figures (221 件, 87.13%, 86/39/1, 24 件)', fig('办理行政执法（行政处罚）案件') === '221 件' &&
    fig('执法人员持证率') === '87.13%' && /基本目录 86 项、共性事项 39 项、个性事项 1 项/.test(fig('赋予乡镇行政职权')) &&
    fig('办理政府信息公开申请') === '24 件', JSON.stringify(figs.slice(0, 3)));
  const missing = figs.filter((f) => !f.available);
  t.check('api: modules not connected are 数据未接入 (available: false)', missing.length > 5 &&
    missing.every((f) => f.value === '数据未接入') && figs.filter((f) => f.available).every((f) => f.value !== '数据未接入'),
  JSON.stringify(missing[0]));
  const inds = m.indicators || [];
  t.check('api: indicators as in the CLI table', inds.length >= 4 && inds.every((i) => ht.includes(`${i.title}${i.num}/${i.den}`) &&
    (i.met === null || typeof i.met === 'boolean')), JSON.stringify(inds[0]));
  const sh = m.shortcomings || {};
  t.check('api: 六 lists the missing areas and the unmet indicators', Array.isArray(sh.unmet) && Array.isArray(sh.missing) &&
    sh.missing.length === missing.length && sh.unmet.every((u) => six.includes(`${u.title}为 ${u.value}，未达到目标 ${u.target}`)),
  JSON.stringify(sh).slice(0, 300));
  const ex = m.external || [];
  t.check('api: external results of the year only, apart', ex.length === 1 && ex[0].value === '88.72分' &&
    ex[0].notes.includes('<较上年下滑1名>'), JSON.stringify(ex));

  r = await officer.get(`${API}?year=2023`);
  t.check('api: an officer (执法人员, case:view) may read it too', r.status === 200 && r.json?.title === m.title, `${r.status}`);
  r = await leader.get(API);
  t.check('api: year defaults to last year', r.status === 200 && r.json?.year === new Date().getFullYear() - 1, `${r.status} ${r.json?.year}`);

  // Files: content type, attachment name (RFC 6266 filename*), bytes.
  const fileName = (h) => { const x = /filename\*=UTF-8''([^;]+)/.exec(h.get('content-disposition') || ''); return x ? decodeURIComponent(x[1]) : ''; };
  const want = {
    html: 'text/html; charset=utf-8',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  };
  for (const [f, ct] of Object.entries(want)) {
    const res = await fetch(`${srv.base}${API}?year=2023&format=${f}`, { headers: { Cookie: leader.cookie } });
    const buf = Buffer.from(await res.arrayBuffer());
    const name = fileName(res.headers);
    t.check(`api ${f}: 200, ${ct.split(';')[0]}, 《…》.${f}`, res.status === 200 && res.headers.get('content-type') === ct &&
      /^attachment;/.test(res.headers.get('content-disposition') || '') && name === `《X县2023年度法治政府建设情况报告》.${f}`,
    `${res.status} ${res.headers.get('content-type')} ${res.headers.get('content-disposition')}`);
    if (f === 'html') {
      const s = buf.toString('utf8');
      t.check('api html: the title and the figures', s.includes('<h1>《X县2023年度法治政府建设情况报告》</h1>') &&
        text(s).includes('办理行政执法（行政处罚）案件：221 件'), s.slice(0, 200));
    } else {
      const file = path.join(dir, `api.${f}`);
      fs.writeFileSync(file, buf);
      let part = '';
      try { part = unzip(file, f === 'docx' ? 'word/document.xml' : 'xl/sharedStrings.xml').toString('utf8'); } catch (e) { part = `ERR ${e.message}`; }
      t.check(`api ${f}: a zip (PK) with the report`, buf.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'binary')) &&
        part.includes(f === 'docx' ? 'X县2023年度法治政府建设情况报告' : '221 件') && part.includes('87.13%'), part.slice(0, 200));
    }
  }

  // Bad input: 400 naming the field, in Chinese.
  for (const [q, field] of [['year=2099', 'year'], ['year=23', 'year'], ['year=abcd', 'year'], ['year=1999', 'year'],
    ['year=2023&format=pdf', 'format'], ['year=2023&format=HTML', 'format']]) {
    r = await leader.get(`${API}?${q}`);
    const e = r.json?.error || {};
    t.check(`api ${q}: 400 naming ${field}`, r.status === 400 && e.code === 'validation_failed' && e.fields && field in e.fields &&
      e.message.includes(`（${field}）`) && /[\u4e00-\u9fff]/.test(e.message), `${r.status} ${r.text.slice(0, 200)}`);
  }
  const tmpLeft = fs.existsSync(path.join(data, 'tmp')) ? fs.readdirSync(path.join(data, 'tmp')) : [];
  t.check('api: no temporary report file left', tmpLeft.length === 0, tmpLeft.join(' '));
} finally {
  await srv.stop();
}

fs.rmSync(dir, { recursive: true, force: true });
process.exit(t.summary());
