// Runs each browser suite against its own real `fazhi serve` on a fresh data
// dir, in Debian's Chromium: identity.mjs starts from a brand-new admin (it
// walks the forced password change); smoke.mjs gets an admin whose password
// is already changed and a few events in the chain; cases.mjs gets a 执法人员
// and a 单位负责人 for the generic case UI; penalty.mjs gets an admin and makes
// its own fixtures (the 行政处罚 procedure end to end); dashboard.mjs and
// tour.mjs get the demonstration county of `fazhi demo`. Sums their results.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ADMIN_INIT_PW, ADMIN_PW, initData, loginAdmin, makeUser, run, startServer, storeArgs, tmpDir } from '../api/lib.mjs';

let passed = 0, failed = 0;
// `node tests/browser/run.mjs penalty cases` runs only those suites.
const only = process.argv.slice(2).map((a) => a.replace(/\.mjs$/, ''));

async function suite(file, prepare, makeData = () => initData(['--region-code', '532624'])) {
  if (only.length && !only.includes(file.replace(/\.mjs$/, ''))) return;
  const data = makeData();
  const srv = await startServer(data);
  try {
    const env = { ...process.env, FAZHI_URL: srv.base, FAZHI_ADMIN_USER: 'admin', ...(await prepare(srv)) };
    const r = spawnSync(process.execPath, [path.resolve('tests/browser', file)],
      { env, timeout: 150000, encoding: 'utf8' });
    process.stdout.write(r.stdout || '');
    process.stderr.write(r.stderr || '');
    const m = /^(\d+) passed, (\d+) failed/m.exec(r.stdout || '');
    if (m) { passed += Number(m[1]); failed += Number(m[2]); }
    if (!m || r.status !== 0) failed += m && Number(m[2]) ? 0 : 1;
  } finally {
    await srv.stop();
  }
}

await suite('identity.mjs', async () => ({ FAZHI_ADMIN_PASSWORD: ADMIN_INIT_PW, FAZHI_ADMIN_NEW_PASSWORD: ADMIN_PW }));
await suite('smoke.mjs', async (srv) => {
  const admin = await loginAdmin(srv.base);
  const auditor = await makeUser(admin, { username: 'auditor', roles: ['audit_admin'] });
  const r = await auditor.post('/api/chain/checkpoints', { note: '浏览器测试存证', recipient: '县司法局' });
  if (r.status !== 201) throw new Error(`seed write failed: ${r.status}`);
  return { FAZHI_ADMIN_PASSWORD: ADMIN_PW };
});
await suite('cases.mjs', async (srv) => {
  const admin = await loginAdmin(srv.base);
  const officer = await makeUser(admin, { username: 'gk_officer', name: '公开专员', roles: ['officer'] });
  const head = await makeUser(admin, { username: 'gk_head', name: '单位负责人', roles: ['unit_head'] });
  const pw = 'Secret-Passw0rd-26'; // makeUser sets it on the first sign-in
  return {
    FAZHI_ADMIN_PASSWORD: ADMIN_PW,
    FAZHI_OFFICER_USER: officer.me.username, FAZHI_OFFICER_PASSWORD: pw,
    FAZHI_HEAD_USER: head.me.username, FAZHI_HEAD_PASSWORD: pw,
  };
});
// penalty.mjs makes its own fixtures through the API as the admin.
await suite('penalty.mjs', async (srv) => {
  await loginAdmin(srv.base);
  return { FAZHI_ADMIN_PASSWORD: ADMIN_PW };
});
// dashboard.mjs and tour.mjs run on the demonstration county (`fazhi demo`,
// docs/demo.md), each generated into a new temp dir: real indicator numbers,
// some unmet, and the demo accounts.
function demoData() {
  const data = path.join(tmpDir(), 'data');
  const r = run(['demo', '--data', data, '--year', '2023', ...storeArgs()], { timeout: 120000 });
  if (r.code !== 0) throw new Error(`fazhi demo failed: ${r.err}`);
  return data;
}
const demoEnv = async () => ({ FAZHI_DEMO_PASSWORD: 'Demo-Fazhi-2023' });
await suite('dashboard.mjs', demoEnv, demoData);
// tour.mjs: the README's ten-minute tour (officer, leader, annual report).
await suite('tour.mjs', demoEnv, demoData);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
