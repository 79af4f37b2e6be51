// Attachments (issue 5 part 4): streaming multipart upload into a
// content-addressed store with SM3, type sniffing (415), the size cap (413
// with keep-alive), downloads with data scope, the "attachments" guard of an
// action, case_json listing, and `fazhi verify` re-hashing the files.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { initData, loginAdmin, makeUser, run, sql, startServer, tally, tmpDir } from './lib.mjs';

const t = tally();
const sm3 = (file) => execFileSync('openssl', ['dgst', '-sm3', file], { encoding: 'utf8' }).trim().split('= ').pop();
const files = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }) : [])
  .filter((f) => fs.statSync(path.join(dir, f)).isFile());

// A tiny valid PDF (one empty page) with a correct xref table.
function tinyPdf(note = '') {
  const objs = ['<</Type/Catalog/Pages 2 0 R>>', '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    `<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]${note ? `/Note(${note})` : ''}>>`];
  let out = '%PDF-1.4\n';
  const offs = [];
  objs.forEach((o, i) => { offs.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offs) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<</Size ${objs.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// A procedure of our own whose action needs an uploaded 答复书.
const defsDir = tmpDir('fazhi-defs-');
for (const f of fs.readdirSync('defs')) fs.copyFileSync(path.join('defs', f), path.join(defsDir, f));
fs.writeFileSync(path.join(defsDir, 'att_test.json'), JSON.stringify({
  type: 'procedure', kind: 'att_test', title: '附件测试', basis: '测试用', version: '2026-11-29', no_prefix: '附件测试',
  fields: [{ name: 'subject', label: '事项', type: 'string', required: true, max: 100 }],
  states: [{ name: 'open', label: '办理中' }, { name: 'done', label: '已办结', final: true }],
  initial: 'open',
  actions: [{ name: 'finish', label: '办结', from: ['open'], to: 'done', attachments: ['答复书'] }],
}));

const data = initData(['--region-code', '532624']);
const srv = await startServer(data, ['--defs', defsDir, '--upload-max-mb', '1']);
const attDir = path.join(data, 'attachments');
const tmpUp = path.join(attDir, 'tmp');

async function upload(s, kind, id, { bytes, name = 'f.bin', category = '答复书', type = 'application/octet-stream' }) {
  const fd = new FormData();
  if (category !== undefined) fd.append('category', category);
  if (bytes !== undefined) fd.append('file', new Blob([bytes], { type }), name);
  const r = await fetch(`${s.base}/api/cases/${kind}/${id}/attachments`, {
    method: 'POST', headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf }, body: fd,
  });
  const text = await r.text();
  let json; try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, json, text, headers: r.headers };
}

// Sends raw requests one after another on one socket; resolves with each response's head.
function rawSequence(port, reqs, ms = 10000) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const got = [];
    let buf = Buffer.alloc(0);
    let closed = false;
    const timer = setTimeout(() => { s.destroy(); resolve({ got, closed }); }, ms);
    const sendNext = () => { if (got.length < reqs.length) s.write(reqs[got.length]); };
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const he = buf.indexOf('\r\n\r\n');
        if (he < 0) return;
        const head = buf.subarray(0, he).toString('latin1');
        const m = /content-length:\s*(\d+)/i.exec(head);
        const len = m ? Number(m[1]) : 0;
        if (buf.length < he + 4 + len) return;
        got.push({ head, body: buf.subarray(he + 4, he + 4 + len).toString('utf8') });
        buf = buf.subarray(he + 4 + len);
        if (got.length === reqs.length) { clearTimeout(timer); s.destroy(); resolve({ got, closed }); return; }
        sendNext();
      }
    });
    s.on('close', () => { closed = true; clearTimeout(timer); resolve({ got, closed }); });
    s.on('error', () => {});
    s.on('connect', sendNext);
  });
}

try {
  const admin = await loginAdmin(srv.base);
  const unitBody = (name) => ({ name, type: '部门', legal_status: '行政机关', region_code: '532624', parent_id: 1 });
  const unitB = (await admin.post('/api/units', unitBody('乙单位'))).json.id;
  const officer = await makeUser(admin, { username: 'att_officer', roles: ['officer'] });
  const outsider = await makeUser(admin, { username: 'att_outsider', roles: ['officer'], unit_id: unitB });
  const c1 = await officer.post('/api/cases/att_test', { subject: '附件测试一' });
  t.check('fixture: case created', c1.status === 201, c1.text);
  const kase = c1.json.id;

  console.log('# upload a PDF');
  const pdf = tinyPdf();
  const pdfFile = path.join(tmpDir(), 'a.pdf');
  fs.writeFileSync(pdfFile, pdf);
  const want = sm3(pdfFile);
  let r = await upload(officer, 'att_test', kase, { bytes: pdf, name: '../目录/答复书 第1号.pdf', type: 'text/html' });
  t.check('POST attachments → 201', r.status === 201, r.text);
  const a1 = r.json || {};
  t.check('reply: sniffed type, size, SM3 as openssl computes it', a1.mime === 'application/pdf' && a1.size === pdf.length && a1.sm3 === want,
    `${a1.mime} ${a1.size} ${a1.sm3} want ${want}`);
  t.check('reply: name has the directory part stripped, category kept', a1.name === '答复书 第1号.pdf' && a1.category === '答复书', a1.name);
  const stored = path.join(attDir, want.slice(0, 2), want);
  t.check('file is at DATA/attachments/<sm3[0:2]>/<sm3>', fs.existsSync(stored) && fs.readFileSync(stored).equals(pdf), stored);
  t.check('SM3 of the stored file matches', fs.existsSync(stored) && sm3(stored) === want, '');
  t.check('no temp file left', files(tmpUp).length === 0, files(tmpUp).join(','));
  const ev = sql(data, `SELECT action || '|' || subject_kind || '|' || subject_id || '|' || payload FROM events WHERE seq = ${a1.event_seq}`);
  t.check('the row records the seq of its attachment.added event on the case', ev.startsWith(`attachment.added|case:att_test|${kase}|`) && ev.includes(want), ev);
  t.check('row in attachments: uploader, subject', sql(data, `SELECT uploader || '|' || subject_kind || '|' || subject_id FROM attachments WHERE id = ${a1.id}`) === `att_officer|case:att_test|${kase}`, '');

  console.log('# the same content again is stored once');
  r = await upload(officer, 'att_test', kase, { bytes: pdf, name: 'copy.pdf', category: '其他材料' });
  t.check('second upload → 201 with the same SM3', r.status === 201 && r.json.sm3 === want && r.json.id !== a1.id, r.text);
  const stored2 = files(attDir).filter((f) => !f.startsWith('tmp'));
  t.check('one file on disk for two rows', stored2.length === 1 && sql(data, `SELECT count(*) FROM attachments WHERE sm3 = '${want}'`) === '2', stored2.join(','));

  console.log('# disallowed types → 415, nothing stored');
  const before = () => [sql(data, 'SELECT count(*) FROM attachments'), files(attDir).length].join('/');
  const b0 = before();
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(200, 0)]);
  const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(200, 0)]);
  const html = Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>');
  const bigElf = Buffer.concat([elf, Buffer.alloc(20000, 1)]);
  for (const [label, bytes, name, type] of [['ELF', elf, 'a.pdf', 'application/pdf'], ['EXE (MZ)', exe, 'setup.exe', 'application/pdf'],
    ['HTML declared as text/plain', html, 'a.txt', 'text/plain'], ['ELF larger than the sniff window', bigElf, 'b.pdf', 'application/pdf']]) {
    r = await upload(officer, 'att_test', kase, { bytes, name, type });
    t.check(`${label} → 415`, r.status === 415 && r.json?.error?.code === 'unsupported_media_type', `${r.status} ${r.text}`);
  }
  t.check('no row, no file, no temp file after the refusals', before() === b0 && files(tmpUp).length === 0, `${before()} vs ${b0}`);

  console.log('# other accepted types are sniffed, not taken from the client');
  const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(40, 7)]);
  r = await upload(officer, 'att_test', kase, { bytes: png, name: 'x.pdf', type: 'application/pdf', category: '照片' });
  t.check('PNG bytes named .pdf → image/png', r.status === 201 && r.json.mime === 'image/png', r.text);
  r = await upload(officer, 'att_test', kase, { bytes: Buffer.from('情况说明：一切正常。\n'), name: '说明.txt', category: '说明' });
  t.check('UTF-8 text → text/plain', r.status === 201 && /^text\/plain/.test(r.json.mime), r.text);

  const B = (...parts) => Buffer.concat(parts.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from(x))));
  const pad = Buffer.alloc(64, 0x11);
  const zipEntry = (name) => B('PK\x03\x04', Buffer.alloc(22, 0), [name.length, 0, 0, 0], name);
  for (const [label, bytes, name, mime] of [
    ['JPEG', B([0xFF, 0xD8, 0xFF, 0xE0], pad), 'a.jpg', 'image/jpeg'],
    ['GIF', B('GIF89a', pad), 'a.gif', 'image/gif'],
    ['WebP', B('RIFF\x10\x00\x00\x00WEBPVP8 ', pad), 'a.webp', 'image/webp'],
    ['WAV', B('RIFF\x10\x00\x00\x00WAVEfmt ', pad), 'a.wav', 'audio/wav'],
    ['MP4', B('\x00\x00\x00\x18ftypisom\x00\x00\x02\x00', pad), 'a.mp4', 'video/mp4'],
    ['MOV', B('\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00', pad), 'a.mov', 'video/quicktime'],
    ['MP3 (ID3)', B('ID3\x03\x00', pad), 'a.mp3', 'audio/mpeg'],
    ['MP3 (frame)', B([0xFF, 0xFB, 0x90, 0x64], pad), 'b.mp3', 'audio/mpeg'],
    ['docx', B(zipEntry('[Content_Types].xml'), pad, zipEntry('word/document.xml'), pad), 'a.docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['xlsx', B(zipEntry('[Content_Types].xml'), pad, zipEntry('xl/workbook.xml'), pad), 'a.xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['OLE2 .doc', B([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], pad), 'a.doc', 'application/msword'],
    ['OLE2 .xls', B([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], pad), 'a.xls', 'application/vnd.ms-excel'],
  ]) {
    r = await upload(officer, 'att_test', kase, { bytes, name, category: '类型' });
    t.check(`${label} → ${mime}`, r.status === 201 && r.json.mime === mime, r.text);
  }
  const b2 = before();
  for (const [label, bytes] of [['plain ZIP', B(zipEntry('a.txt'), pad)], ['UTF-16 text', B([0xFF, 0xFE, 0x41, 0x00, 0x42, 0x00])],
    ['SVG', B('  <svg xmlns="http://www.w3.org/2000/svg"></svg>')], ['HEIF (ftyp heic)', B('\x00\x00\x00\x18ftypheic', pad)],
    ['invalid UTF-8', B([0x61, 0xC3, 0x28, 0x62])]]) {
    r = await upload(officer, 'att_test', kase, { bytes, name: 'x.txt', category: '类型' });
    t.check(`${label} → 415`, r.status === 415, `${r.status} ${r.text}`);
  }
  t.check('nothing stored by those', before() === b2, `${before()} vs ${b2}`);

  console.log('# bad requests');
  r = await upload(officer, 'att_test', kase, { bytes: pdf, category: '' });
  t.check('empty category → 400', r.status === 400 && r.json?.error?.fields?.category, r.text);
  r = await upload(officer, 'att_test', kase, { bytes: pdf, category: '类'.repeat(41) });
  t.check('category over 40 characters → 400', r.status === 400, r.text);
  r = await upload(officer, 'att_test', kase, { category: '答复书' });
  t.check('no file field → 400', r.status === 400 && r.json?.error?.fields?.file, r.text);
  r = await officer.post(`/api/cases/att_test/${kase}/attachments`, { category: '答复书' });
  t.check('JSON body → 415', r.status === 415, r.text);
  r = await upload(outsider, 'att_test', kase, { bytes: pdf });
  t.check('upload by a user outside the case\'s scope → 404', r.status === 404, r.text);
  r = await upload(officer, 'att_test', 999999, { bytes: pdf });
  t.check('upload to a missing case → 404', r.status === 404, r.text);
  t.check('nothing stored by the bad requests', files(tmpUp).length === 0, files(tmpUp).join(','));

  console.log('# over the cap (upload_max_mb = 1) → 413, keep-alive survives');
  {
    const b1 = before();
    const boundary = '----fazhiBoundary7MA4YWxk';
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1024 * 1024 + 100, 0x41)]);
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\n答复书\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      big, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const head = `POST /api/cases/att_test/${kase}/attachments HTTP/1.1\r\nHost: x\r\nCookie: ${officer.cookie}\r\nX-CSRF-Token: ${officer.csrf}\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\n\r\n`;
    const reqs = [Buffer.concat([Buffer.from(head), body]), Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')];
    const res = await rawSequence(srv.port, reqs);
    t.check('file over the cap (counted while streaming) → 413', /^HTTP\/1\.1 413/.test(res.got[0]?.head || ''), JSON.stringify(res.got[0]));
    t.check('the same connection serves the next request', /^HTTP\/1\.1 200/.test(res.got[1]?.head || ''), JSON.stringify(res));
    // A declared length far over the cap is refused before anything is written; still drained.
    const huge = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="h.pdf"\r\n\r\n%PDF-`), Buffer.alloc(1200 * 1024, 0x42), Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const head2 = head.replace(/Content-Length: \d+/, `Content-Length: ${huge.length}`);
    const res2 = await rawSequence(srv.port, [Buffer.concat([Buffer.from(head2), huge]), reqs[1]]);
    t.check('declared Content-Length over the cap → 413, connection kept', /^HTTP\/1\.1 413/.test(res2.got[0]?.head || '') && /^HTTP\/1\.1 200/.test(res2.got[1]?.head || ''),
      JSON.stringify(res2).slice(0, 300));
    // A client waiting for "100 Continue" is answered before it sends the body.
    const head3 = head.replace(/Content-Length: \d+/, 'Content-Length: 5000000\r\nExpect: 100-continue');
    const res3 = await rawSequence(srv.port, [Buffer.from(head3)], 5000);
    t.check('Expect: 100-continue with a length over the cap → 413 without the body', /^HTTP\/1\.1 413/.test(res3.got[0]?.head || ''),
      JSON.stringify(res3).slice(0, 300));
    t.check('nothing stored, no temp file left', before() === b1 && files(tmpUp).length === 0, `${before()} vs ${b1} ${files(tmpUp).join(',')}`);
  }

  console.log('# download');
  r = await officer.get(`/api/attachments/${a1.id}`);
  const dl = await fetch(`${srv.base}/api/attachments/${a1.id}`, { headers: { Cookie: officer.cookie } });
  const dlBytes = Buffer.from(await dl.arrayBuffer());
  t.check('GET /api/attachments/{id} → 200 with the bytes', dl.status === 200 && dlBytes.equals(pdf), `${dl.status} ${dlBytes.length}`);
  t.check('Content-Type is the sniffed type', dl.headers.get('content-type') === 'application/pdf', dl.headers.get('content-type'));
  const cd = dl.headers.get('content-disposition') || '';
  t.check('Content-Disposition: attachment with the UTF-8 name (RFC 6266)', /^attachment;/.test(cd) &&
    decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(cd)?.[1] || '') === '答复书 第1号.pdf', cd);
  t.check('X-Content-Type-Options: nosniff', dl.headers.get('x-content-type-options') === 'nosniff', '');
  t.check('the stored file stays after a download', fs.existsSync(stored), '');
  r = await outsider.get(`/api/attachments/${a1.id}`);
  t.check('download by a user outside the case\'s scope → 404', r.status === 404 && r.json?.error?.code === 'not_found', r.text);
  r = await officer.get('/api/attachments/999999');
  t.check('unknown attachment → 404', r.status === 404, r.text);

  console.log('# listing');
  r = await officer.get(`/api/cases/att_test/${kase}/attachments`);
  t.check('GET .../attachments lists every upload', r.status === 200 && r.json.rows.length === 16 && r.json.rows[0].id === a1.id, r.text.slice(0, 200));
  r = await outsider.get(`/api/cases/att_test/${kase}/attachments`);
  t.check('list outside the scope → 404', r.status === 404, r.text);

  console.log('# an action that needs an attachment category');
  const c2 = (await officer.post('/api/cases/att_test', { subject: '附件测试二' })).json.id;
  r = await officer.post(`/api/cases/att_test/${c2}/actions/finish`, {});
  t.check('finish without a 答复书 → 400 naming it', r.status === 400 && r.json?.error?.fields?.attachments && /答复书/.test(r.json.error.message), r.text);
  r = await upload(officer, 'att_test', c2, { bytes: tinyPdf('other'), category: '其他材料', name: 'o.pdf' });
  t.check('another category does not count', r.status === 201 && (await officer.post(`/api/cases/att_test/${c2}/actions/finish`, {})).status === 400, r.text);
  r = await upload(officer, 'att_test', c2, { bytes: tinyPdf('reply'), category: '答复书', name: '答复书.pdf' });
  t.check('upload the 答复书 → 201', r.status === 201, r.text);
  r = await officer.post(`/api/cases/att_test/${c2}/actions/finish`, {});
  t.check('then finish → 200', r.status === 200 && r.json.state === 'done', r.text.slice(0, 200));
  const cj = r.json || {};
  t.check('case JSON lists its attachments', Array.isArray(cj.attachments) && cj.attachments.length === 2 &&
    cj.attachments.some((x) => x.category === '答复书'), JSON.stringify(cj.attachments));
  t.check('the timeline shows attachment.added', (cj.events || []).filter((e) => e.action === 'attachment.added').length === 2, '');

  console.log('# fazhi verify re-hashes the files');
  let v = run(['verify', '--data', data]);
  t.check('verify passes', v.code === 0 && /^OK /.test(v.out) && /attachments \d+ OK/.test(v.out), v.out + v.err);
  const orig = fs.readFileSync(stored);
  const bad = Buffer.from(orig);
  bad[bad.length - 3] ^= 1;
  fs.writeFileSync(stored, bad);
  v = run(['verify', '--data', data]);
  t.check('a corrupted file: verify fails naming it', v.code !== 0 && v.out.includes(want) && /FAIL attachment/.test(v.out), v.out + v.err);
  fs.writeFileSync(stored, Buffer.concat([orig, Buffer.from('x')]));
  v = run(['verify', '--data', data]);
  t.check('a file of the wrong size: verify fails', v.code !== 0 && /大小/.test(v.out), v.out + v.err);
  fs.unlinkSync(stored);
  v = run(['verify', '--data', data]);
  t.check('a missing file: verify fails', v.code !== 0 && /缺失/.test(v.out), v.out + v.err);
  fs.writeFileSync(stored, orig);
  v = run(['verify', '--data', data]);
  t.check('restored: verify passes again', v.code === 0, v.out + v.err);
} catch (e) {
  t.fail('attachments suite', e.stack || e.message);
} finally {
  const e = await srv.stop();
  t.check('server stops cleanly', e.code === 0, `exit ${e.code ?? e.sig}: ${srv.stderr().slice(-600)}`);
}
process.exit(t.summary());
