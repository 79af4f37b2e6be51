// Search gives the same documents on SQLite (FTS5 + the cjk bigram tokenizer)
// and PostgreSQL (pg_trgm): the same 150 cases imported into both, then 1-, 2-
// and 4-character terms, several terms at once, and terms with punctuation;
// the totals and the sets of case ids must be equal, and each set must be
// what a plain substring check over the data says. Needs FAZHI_TEST_PG.
import fs from 'node:fs';
import path from 'node:path';
import { initData, loginAdmin, makeUser, run, startServer, tally, tmpDir } from './lib.mjs';

const t = tally();
if (!process.env.FAZHI_TEST_PG) {
  console.log('  skip: FAZHI_TEST_PG is not set (scripts/test.sh starts a cluster)');
  process.exit(t.summary());
}

// Deterministic data: contents from a few phrases, so terms hit many cases.
const topics = ['道路维修', '财政预算', '环境监测', '征地补偿', '学校招生', '噪声治理', '《政府信息公开条例》第二十条'];
const places = ['城关镇', '南华街道', '西山乡', '河口镇'];
let x = 7;
const rnd = (n) => { x = (x * 1103515245 + 12345) % 2147483648; return (x >> 16) % n; };
const rows = [];
for (let i = 1; i <= 150; i++) {
  const content = `申请公开${places[rnd(4)]}${topics[rnd(7)]}相关信息，涉及${topics[rnd(7)]}（第${i}项）`;
  rows.push({ no: `检索〔2025〕${i}号`, name: `申请人${i}`, content });
}
const csv = ['编号,状态,申请人,申请人类型,申请方式,收到日期,申请内容',
  ...rows.map((r) => `${r.no},已收到,${r.name},自然人,网络,2025-03-01,${r.content}`)].join('\n');

const terms = [
  ['噪', 1], ['镇', 1], ['乡', 1],
  ['噪声', 2], ['道路', 2], ['财政', 2], ['河口', 2],
  ['道路维修', 4], ['噪声治理', 4], ['征地补偿', 4],
  ['道路 维修', 'two terms'], ['城关镇　预算', 'two terms, ideographic space'],
  ['《政府信息公开条例》', 'punctuation'], ['条例》第二十', 'punctuation inside the term'],
];
// What each term must find: every piece (split at punctuation/space) occurs in the content.
const pieces = (q) => q.split(/[\s\u3000《》（）、，。〔〕]+/).filter(Boolean);
const expect = (q) => rows.map((r, i) => [r, i + 1]).filter(([r]) => pieces(q).every((p) => r.content.replace(/[《》（）、，。]/g, '').includes(p.replace(/[《》]/g, '')) || r.content.includes(p)));

async function allHits(s, q) {
  const ids = [];
  let total = 0;
  for (let page = 1; page < 10; page++) {
    const r = await s.get(`/api/search?q=${encodeURIComponent(q)}&size=100&page=${page}`);
    if (r.status !== 200) throw new Error(`search ${q}: ${r.status} ${r.text}`);
    total = r.json.total;
    ids.push(...r.json.rows.filter((h) => h.type === 'case').map((h) => Number(h.id)));
    if (r.json.rows.length < 100) break;
  }
  return { total, ids: ids.sort((a, b) => a - b) };
}

async function boot(sqlite) {
  const data = initData([], { sqlite });
  const file = path.join(tmpDir(), 'cases.csv');
  fs.writeFileSync(file, csv);
  const r = run(['import', '--data', data, 'disclosure_request', file, '--unit-id', '1']);
  if (r.code !== 0) throw new Error(`import: ${r.err}`);
  const srv = await startServer(data);
  const admin = await loginAdmin(srv.base);
  const leader = await makeUser(admin, { username: 'search_leader', roles: ['leader'] });
  return { srv, s: leader };
}

async function main() {
  const a = await boot(true), b = await boot(false);
  try {
    for (const [q, what] of terms) {
      const [ra, rb] = [await allHits(a.s, q), await allHits(b.s, q)];
      const want = expect(q).map(([, id]) => id);
      const same = ra.total === rb.total && JSON.stringify(ra.ids) === JSON.stringify(rb.ids);
      t.check(`「${q}」 (${what}): SQLite and PostgreSQL find the same ${ra.total} cases`, same && ra.total > 0,
        `sqlite ${ra.total} [${ra.ids.slice(0, 12)}] vs pg ${rb.total} [${rb.ids.slice(0, 12)}]`);
      t.check(`「${q}」: the cases that contain it, no more, no fewer`, JSON.stringify(rb.ids) === JSON.stringify(want),
        `pg ${rb.ids.length}, want ${want.length}`);
    }
    const [h] = (await b.s.get(`/api/search?q=${encodeURIComponent('噪声治理')}`)).json.rows;
    t.check('PostgreSQL hits carry the match marked in the snippet, HTML-escaped', /<mark>噪声治理<\/mark>/.test(h?.snippet || ''), h?.snippet);
    const none = await allHits(b.s, '不存在的词语');
    t.check('a term in no case: 0 on PostgreSQL', none.total === 0, String(none.total));
  } finally {
    await a.srv.stop();
    await b.srv.stop();
  }
}

main().catch((e) => t.fail('search on both backends', e.stack || e)).finally(() => process.exit(t.summary()));
