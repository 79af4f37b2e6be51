// Starts a real `fazhi serve` on a fresh data dir, with a few events in its
// chain, and runs the browser suites against it in Debian's Chromium.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { initData, startServer } from '../api/lib.mjs';

const data = initData(['--region-code', '532624']);
const srv = await startServer(data);
let code = 1;
try {
  const r = await fetch(`${srv.base}/api/chain/checkpoints`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ note: '浏览器测试存证', recipient: '县司法局' }),
  });
  if (r.status !== 201) throw new Error(`seed write failed: ${r.status}`);
  const smoke = spawnSync(process.execPath, [path.resolve('tests/browser/smoke.mjs')],
    { stdio: 'inherit', env: { ...process.env, FAZHI_URL: srv.base }, timeout: 120000 });
  code = smoke.status ?? 1;
} finally {
  await srv.stop();
}
process.exit(code);
