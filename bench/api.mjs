// HTTP helpers for bench/gen and bench/run (issue 9), on a server whose data
// dir was made by `fazhi init` with the admin password of tests/api/lib.mjs.
// The admin is signed in with the changed password, or with the initial one
// (changing it) on a fresh data dir.
//   node bench/api.mjs setup BASE COUNTIES UNITS
//     creates COUNTIES county regions (the first is the init's own county),
//     UNITS units in each, prints [{"code": "532624000000", "units": [ids]}].
//   node bench/api.mjs session BASE USERNAME ROLE UNIT_ID
//     creates (or reuses) a user with that role in that unit, signs it in,
//     prints "<cookie> <csrf>".
import { login, ADMIN_INIT_PW, ADMIN_PW } from '../tests/api/lib.mjs';

async function admin(base) {
  try {
    return await login(base, 'admin', ADMIN_PW);
  } catch {
    return login(base, 'admin', ADMIN_INIT_PW, ADMIN_PW);
  }
}

// County codes: the init's county, then 53PPCC for prefectures 01.. and
// counties 21..30 (valid GB/T 2260 shapes; the names are made up).
function countyCode(i, first) {
  if (i === 0) return first;
  const p = 1 + Math.floor((i - 1) / 10), c = 21 + ((i - 1) % 10);
  return `53${String(p).padStart(2, '0')}${c}000000`;
}

const [cmd, base, ...args] = process.argv.slice(2);
const a = await admin(base);
if (cmd === 'setup') {
  const [counties, units] = args.map(Number);
  const first = (await a.get('/api/units/1')).json.region_code;
  const out = [];
  for (let i = 0; i < counties; i++) {
    const code = countyCode(i, first);
    if (i > 0) {
      const r = await a.post('/api/regions', { code, name: `基准县${i + 1}` });
      if (r.status !== 201 && r.status !== 200) throw new Error(`region ${code}: ${r.status} ${r.text}`);
    }
    const ids = i === 0 ? [1] : [];
    while (ids.length < units) {
      const r = await a.post('/api/units', {
        name: `基准县${i + 1}执法单位${ids.length + 1}`, type: '执法主体', legal_status: '行政机关', region_code: code,
      });
      if (r.status !== 201 && r.status !== 200) throw new Error(`unit in ${code}: ${r.status} ${r.text}`);
      ids.push(r.json.id);
    }
    out.push({ code, units: ids });
  }
  console.log(JSON.stringify(out));
} else if (cmd === 'session') {
  const [username, role, unit] = args;
  const c = await a.post('/api/users', { username, name: username, unit_id: Number(unit), roles: [role] });
  if (c.status !== 201) throw new Error(`create ${username}: ${c.status} ${c.text}`);
  const s = await login(base, username, c.json.initial_password, 'Secret-Passw0rd-26');
  console.log(`${s.cookie} ${s.csrf}`);
} else {
  console.error('usage: node bench/api.mjs setup|session BASE ...');
  process.exit(2);
}
