// Prints "<cookie> <csrf>" of a freshly created 审计管理员 session on a server
// whose data dir was made by tests/api/lib.mjs initData-style init (admin
// password from ADMIN_INIT_PW). Usage: node bench/session.mjs BASE_URL
import { loginAdmin, makeUser } from '../tests/api/lib.mjs';

const base = process.argv[2];
const auditor = await makeUser(await loginAdmin(base), { username: 'bench_auditor', roles: ['audit_admin'] });
console.log(`${auditor.cookie} ${auditor.csrf}`);
