// The Markdown summary of one bench/run result (issue 9): each scenario, its
// target, the result, the reference from the same run, and a verdict.
// Usage: node bench/summary.mjs bench/results/<date>-<sha>.json
import fs from 'node:fs';

const r = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const big = r.data.large, county = r.data.county, ref = r.references;
const n = (x, d = 0) => Number(x).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const mb = (kb) => `${n(kb / 1024, 1)} MB`;
const verdict = (ok, how) => (ok ? `**met** (${how})` : `**missed** (${how})`);
// For "< limit" targets: "N× under" when met, "N× over" when missed.
const under = (v, limit) => verdict(v < limit, v < limit ? `${n(limit / Math.max(v, 0.01), 1)}× under` : `${n(v / limit, 1)}× over`);
const ratio = (a, b) => (b > 0 ? a / b : 0);

const rows = [];
const row = (scenario, target, result, reference, v) => rows.push(`| ${scenario} | ${target} | ${result} | ${reference} | ${v} |`);

for (const c of [8, 64]) {
  for (const k of ['list', 'detail']) {
    const x = r.reads[`${k}_c${c}`], ng = ref.nginx[`${k}_c${c}`];
    // Since the rounds: the median of the pairs' ratios, and its pair shown.
    const med = r.reads.median_ratio, q = med ? med[`${k}_c${c}`] : ratio(x.rps, ng.rps);
    const pairs = med ? `; median of ${r.reads.rounds} pairs: ${r.reads.pairs_rps_nginx_ratio[`${k}_c${c}`].map((p) => `${n(p[2], 2)}×`).join(', ')}` : '';
    row(`${k === 'list' ? 'List page as the UI asks (filter 案件来源, 20 rows, its 5 columns), supervisor' : 'Case detail, a different case each request'}, wrk -c${c}`,
      '≥ 0.3× nginx', `${n(x.rps)} req/s, p50 ${x.p50_ms} ms, p99 ${x.p99_ms} ms`,
      `nginx static ${n(r.reads[`${k}_bytes`])} B: ${n(ng.rps)} req/s`, verdict(q >= 0.3, `${n(q, 2)}×${pairs}`));
  }
}
const t = r.transitions_64_clients;
row('Durable transitions (立案), 64 clients, county data', '≥ 2,000/s', `${n(t.rps)}/s, p50 ${t.p50_ms} ms, p99 ${t.p99_ms} ms, non-2xx ${t.non_2xx}`,
  `raw fsync ${n(ref.fsync_per_s)}/s`, verdict(t.rps >= 2000, `${n(t.rps / 2000, 2)}× the target`));
const rc = r.indicator_recompute_ms;
row(`Indicator recompute, county (${n(county.cases)} cases)`, '< 100 ms', `${n(rc.county)} ms`,
  `sqlite3 CLI, one indicator: ${n(ref.sqlite3_cli_indicator_ms.county)} ms`, under(rc.county, 100));
// Below province scale the province target is judged on a linear projection
// to 5,000,000 cases (the recompute scans every case once).
const full = big.cases >= 5000000, proj = rc.large * 5000000 / big.cases;
row(`Indicator recompute, ${big.counties} counties (${n(big.cases)} cases)`, '< 10 s (province)',
  `${n(rc.large / 1000, 2)} s${full ? '' : `; linear to 5M cases: ~${n(proj / 1000)} s`}`,
  `sqlite3 CLI, one indicator: ${n(ref.sqlite3_cli_indicator_ms.large)} ms`,
  full ? under(rc.large, 10000) : `${rc.large < 10000 ? 'met at this scale' : 'missed at this scale'}; projected ${under(proj, 10000)}`);
const d = r.dashboard;
row(`Dashboard GET /api/indicators?year=, ${big.counties} counties`, 'p99 < 50 ms', `p50 ${d.p50_ms} ms, p99 ${d.p99_ms} ms (${n(d.bytes)} B)`,
  '—', under(d.p99_ms, 50));
for (const k of ['1char', '2char', '4char']) {
  const s = r.search[k];
  row(`Search publications 「${s.term}」 (${k[0]} char), ${n(r.search.publications)} publications, ${n(s.total)}${s.total >= 10000 ? '+' : ''} matches`,
    'p99 < 50 ms', `p50 ${s.latency.p50_ms} ms, p99 ${s.latency.p99_ms} ms`, '—', under(s.latency.p99_ms, 50));
}
const e = r.export_xlsx;
row(`xlsx export, ${n(e.rows)} rows (${e.filter})`, 'peak RSS < 64 MB', `${e.seconds} s, ${n(e.bytes / 1e6, 1)} MB file, server peak ${mb(e.server_peak_rss_kb)}`,
  '—', under(e.server_peak_rss_kb, 65536));
const v = r.verify;
row(`fazhi verify, ${n(v.events)} events`, '≥ 500k events/s', `${n(v.events_per_s)} events/s (${v.seconds} s)`,
  `openssl speed sm3: ${n(ref.sm3_kBps['1KiB'] / 1000)} MB/s at 1 KiB ≈ ${n(ref.sm3_events_per_s_ceiling)} events/s of ~${ref.event_bytes_est} B`,
  verdict(v.events_per_s >= 500000, `${n(v.events_per_s / 500000, 2)}× the target`));
const b = r.bulk_import;
row(`Bulk import (fazhi import), ${big.counties} counties`, '—', `${n(b.large_rows_per_s)} rows/s (cases ${n(b.large_case_rows_per_s)}/s with their 公示; ${n(b.large_seconds)} s); pool of ${n(b.pool_rows)}: ${n(b.pool_rows_per_s)} rows/s`,
  `raw fsync ${n(ref.fsync_per_s)}/s`, '—');
const m = r.rss_kb;
row('Server RSS', '—', `idle ${mb(m.idle)}; under read load ≤ ${mb(m.max_under_read_load)}; writes ≤ ${mb(t.server_max_rss_kb)}`, '—', '—');
row(`RSS growth over the soak (${r.soak_s} s, mixed reads -c16, ${n(m.soak_rps)} req/s)`, '< 5 %',
  `${mb(m.soak_after_warmup)} after warm-up → ${mb(m.after_soak)} after (max ${mb(m.soak_max)})`, '—',
  verdict(m.soak_growth_pct < 5, `${m.soak_growth_pct} %`));

console.log(`# Performance record ${r.date}, commit ${r.commit}${r.dirty_files ? ' + working tree' : ''}

Machine: ${r.machine}; load average at the start ${r.loadavg_at_start ?? '—'}, at the end ${r.loadavg_at_end}. wrk runs ${r.dur_s} s each; soak ${r.soak_s} s; the whole run ${n(r.run_seconds / 60, 1)} min.
Large data: scale \`${big.scale}\`, ${big.counties} counties, ${n(big.cases)} 行政处罚 cases, ${n(big.publications)} publications,
${n(big.officers)} officers, ${n(big.events)} events (${n(big.data_bytes / 1e9, 2)} GB), made by \`bench/gen\` in ${n(big.total_seconds)} s.
County: ${n(county.cases)} cases, ${n(county.publications)} publications, ${n(county.officers)} officers.

| Scenario | Target | Result | Reference (same run) | Verdict |
|---|---|---|---|---|
${rows.join('\n')}
`);
