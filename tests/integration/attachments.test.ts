import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { s3Store } from '../../src/modules/attachment/blob-store.js';
import { toGlobalId } from '../../src/core/global-id.js';

/**
 * Attachments through the API: upload (POST /files), attachFile, download (GET /files/{id}), on 五华 (530102),
 * its sibling 盘龙 (530103) and its parent 昆明 (530100). The S3-compatible store is tested against an
 * in-test HTTP fake of S3's path-style PUT/GET (no S3-compatible server installs here without a download at
 * run time): it shows what the adapter sends and that the app keeps no bytes in PostgreSQL then.
 */

/** The fake: objects by path (/bucket/key), PUT stores the body, GET returns it, anything else 404. */
function fakeS3() {
  const objects = new Map<string, { body: Buffer; type: string | undefined }>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
      requests.push(`${req.method} ${path}`);
      if (req.method === 'PUT') {
        objects.set(path, { body: Buffer.concat(chunks), type: req.headers['content-type'] });
        res.writeHead(200, { etag: '"fake"' }).end();
      } else if (req.method === 'GET' && objects.has(path)) {
        const o = objects.get(path)!;
        res.writeHead(200, { 'content-type': o.type ?? 'application/octet-stream', 'content-length': o.body.length }).end(o.body);
      } else {
        res.writeHead(404, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>no</Message></Error>');
      }
    });
  });
  return { objects, requests, server };
}

const PDF = (s: string) => Buffer.from(`%PDF-1.7\n% ${s}\n%%EOF\n`);
let app: TestApp;
let noFilter: TestApp;
let s3App: TestApp;
const fake = fakeS3();
let s3Url: string;

beforeAll(async () => {
  await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
  s3Url = `http://127.0.0.1:${(fake.server.address() as { port: number }).port}`;
  [app, noFilter, s3App] = await Promise.all([
    startTestApp({ attachmentMaxBytes: 64 * 1024 }),
    startTestApp({ attachmentMaxBytes: 64 * 1024, ormTenantFilter: false }),
    startTestApp({ attachmentStore: 's3', s3: { endpoint: s3Url, region: 'us-east-1', bucket: 'cppcc', accessKeyId: 'test', secretAccessKey: 'test-secret', forcePathStyle: true } }),
  ]);
});
afterAll(async () => {
  await Promise.all([app.stop(), noFilter.stop(), s3App.stop()]);
  await new Promise((r) => fake.server.close(r));
});

async function uploadAs(a: TestApp, login: string | null, bytes: Buffer, type: string, name = '附件.pdf', code?: string) {
  const headers: Record<string, string> = { 'content-type': type, 'accept-language': 'en' };
  if (login) headers.authorization = `Bearer ${await a.token(login, code)}`;
  const r = await fetch(new URL(`/files?name=${encodeURIComponent(name)}`, a.url), { method: 'POST', headers, body: bytes });
  return { status: r.status, body: (await r.json()) as any };
}
async function downloadAs(a: TestApp, login: string | null, id: string, code?: string) {
  const headers: Record<string, string> = { 'accept-language': 'en' };
  if (login) headers.authorization = `Bearer ${await a.token(login, code)}`;
  const r = await fetch(new URL(`/files/${id}`, a.url), { headers });
  return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), bytes: Buffer.from(await r.arrayBuffer()) };
}
const ATTACH = `mutation($i: AttachFileInput!) { attachFile(input: $i) { id fileName size purpose downloadPath } }`;

describe.each([
  ['with both walls', () => app],
  ['with the ORM filter off (RLS and the items’ read rules alone)', () => noFilter],
])('attachments %s', (_name, get) => {
  it('a member attaches a file to their proposal; the office reads it; siblings, the parent and other members get 404 like a missing file', async () => {
    const a = get();
    const p = (await a.as('wh.member')(`mutation { submitProposal(input: { title: "关于加快五华区老旧小区改造的提案", content: "建议统筹资金推进老旧小区改造。", kind: MEMBER }) { id } }`)).body.data.submitProposal.id;
    const bytes = PDF('五华区老旧小区改造调查表');
    const up = await uploadAs(a, 'wh.member', bytes, 'application/pdf', '老旧小区调查.pdf');
    expect(up).toEqual({ status: 201, body: { id: expect.any(String), sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length } });
    const att = await a.as('wh.member')(ATTACH, { i: { file: up.body.id, to: p } });
    expect(att.body.data.attachFile).toEqual({ id: up.body.id, fileName: '老旧小区调查.pdf', size: bytes.length, purpose: 'DOCUMENT', downloadPath: `/files/${up.body.id}` });
    const listed = await a.as('wh.staff')(`query($id: ID!) { node(id: $id) { ... on Proposal { attachments { id fileName contentType } } } }`, { id: p });
    expect(listed.body.data.node.attachments).toEqual([{ id: up.body.id, fileName: '老旧小区调查.pdf', contentType: 'application/pdf' }]);
    for (const login of ['wh.member', 'wh.staff']) {
      const d = await downloadAs(a, login, up.body.id);
      expect({ login, status: d.status, type: d.type, same: d.bytes.equals(bytes), disposition: d.disposition }).toEqual({ login, status: 200, type: 'application/pdf', same: true, disposition: `attachment; filename*=UTF-8''${encodeURIComponent('老旧小区调查.pdf')}` });
    }
    const missing = await downloadAs(a, 'wh.staff', Buffer.from('Attachment:01a23be8-3a23-7020-83c9-bc8ae76c2da5').toString('base64url'));
    expect(missing.status).toBe(404);
    for (const login of ['pl.staff', 'km.staff', 'yn.staff', 'pl.member']) {
      const d = await downloadAs(a, login, up.body.id);
      expect({ login, status: d.status, body: d.bytes.toString() }).toEqual({ login, status: 404, body: missing.bytes.toString() });
    }
    const other = await a.createUser(`wh.f${Math.floor(Math.random() * 1e6)}`, '530102', 'MEMBER');
    const otherLogin = (await a.db.query('select login from app_user where id = $1', [a.uuid(other)])).rows[0].login;
    expect((await downloadAs(a, otherLogin, up.body.id)).status).toBe(404);
    expect((await downloadAs(a, null, up.body.id)).status).toBe(401);
    // Someone else's upload cannot be attached; an item of another committee cannot be named.
    const staffUp = await uploadAs(a, 'wh.staff', PDF('staff'), 'application/pdf');
    expect(codeOf(await a.as('wh.member')(ATTACH, { i: { file: staffUp.body.id, to: p } }))).toBe('NOT_FOUND');
    expect(codeOf(await a.as('pl.staff')(ATTACH, { i: { file: (await uploadAs(a, 'pl.staff', PDF('pl'), 'application/pdf')).body.id, to: p } }))).toBe('NOT_FOUND');
    expect(codeOf(await a.as('wh.member')(ATTACH, { i: { file: (await uploadAs(a, 'wh.member', PDF('reply'), 'application/pdf')).body.id, to: p, purpose: 'REPLY_LETTER' } }))).toBe('FORBIDDEN');
    // The reply letter (答复函) comes from an account of the proposal's lead unit, once it is assigned there.
    const unit = toGlobalId('HandlingUnit', (await a.db.query(`select unit_id from app_user where login = 'wh.dept'`)).rows[0].unit_id);
    const review = await a.as('wh.staff')(`mutation($id: ID!) { reviewProposal(id: $id, input: { decision: FILED, term: 13, session: 3 }) { status } }`, { id: p });
    expect(review.body).toEqual({ data: { reviewProposal: { status: 'FILED' } } });
    const assign = await a.as('wh.staff')(`mutation($id: ID!, $i: AssignProposalInput!) { assignProposal(id: $id, input: $i) { status } }`, { id: p, i: { leadUnit: unit, replyDeadline: new Date(a.clock.now().getTime() + 30 * 86400_000).toISOString() } });
    expect(assign.body).toEqual({ data: { assignProposal: { status: 'ASSIGNED' } } });
    const letter = await a.as('wh.dept')(ATTACH, { i: { file: (await uploadAs(a, 'wh.dept', PDF('答复函'), 'application/pdf', '答复函.pdf')).body.id, to: p, purpose: 'REPLY_LETTER' } });
    expect(letter.body.data?.attachFile).toMatchObject({ fileName: '答复函.pdf', purpose: 'REPLY_LETTER' });
    expect(codeOf(await a.as('pl.dept')(ATTACH, { i: { file: (await uploadAs(a, 'pl.dept', PDF('他区答复'), 'application/pdf')).body.id, to: p, purpose: 'REPLY_LETTER' } }))).toBe('NOT_FOUND');
  });

  it('the same file twice is stored once; type and size limits hold and refusals write nothing', async () => {
    const a = get();
    const bytes = PDF(`同一文件 ${Math.random()}`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const one = await uploadAs(a, 'wh.staff', bytes, 'application/pdf', 'a.pdf');
    const two = await uploadAs(a, 'wh.member', bytes, 'application/pdf', 'b.pdf');
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(one.body.id).not.toBe(two.body.id);
    expect((await a.db.query('select count(*)::int n from attachment_blob where sha256 = $1', [sha])).rows[0].n).toBe(1);
    expect((await a.db.query('select count(*)::int n from attachment where sha256 = $1', [sha])).rows[0].n).toBe(2);
    // Another committee uploading the same bytes gets its own copy: a hash tells no committee what another holds.
    expect((await uploadAs(a, 'pl.staff', bytes, 'application/pdf')).status).toBe(201);
    expect((await a.db.query('select count(*)::int n from attachment_blob where sha256 = $1', [sha])).rows[0].n).toBe(2);
    const before = (await a.db.query('select (select count(*) from attachment)::int a, (select count(*) from attachment_blob)::int b')).rows[0];
    const refused = [
      await uploadAs(a, 'wh.staff', Buffer.from('MZ\x90\x00executable'), 'application/pdf'),
      await uploadAs(a, 'wh.staff', Buffer.from('MZ\x90\x00executable'), 'application/x-msdownload', 'x.exe'),
      await uploadAs(a, 'wh.staff', Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'text/plain', 'x.txt'),
      await uploadAs(a, 'wh.staff', Buffer.alloc(0), 'application/pdf'),
      await uploadAs(a, 'wh.staff', PDF('x'), 'application/pdf', ''),
    ];
    expect(refused.map((r) => [r.status, r.body.errors[0].extensions.code])).toEqual(Array(5).fill([400, 'BAD_USER_INPUT']));
    const big = await uploadAs(a, 'wh.staff', Buffer.concat([PDF('big'), Buffer.alloc(70 * 1024)]), 'application/pdf');
    expect([big.status, big.body.errors[0].extensions.code]).toEqual([413, 'BAD_USER_INPUT']);
    expect((await a.db.query('select (select count(*) from attachment)::int a, (select count(*) from attachment_blob)::int b')).rows[0]).toEqual(before);
  });

  it("a report's file goes where the report goes: 昆明 downloads it once 五华 forwards the report, 盘龙 never", async () => {
    const a = get();
    const op = (await a.as('wh.staff')(`mutation { submitOpinion(input: { title: "关于盘龙江沿岸照明的社情民意", content: "群众反映盘龙江沿岸步道夜间照明不足。" }) { id } }`)).body.data.submitOpinion.id;
    const bytes = PDF('现场照片说明');
    const up = await uploadAs(a, 'wh.staff', bytes, 'application/pdf', '照片说明.pdf');
    expect((await a.as('wh.staff')(ATTACH, { i: { file: up.body.id, to: op } })).body.errors).toBeUndefined();
    expect((await downloadAs(a, 'km.staff', up.body.id)).status).toBe(404);
    expect((await a.as('wh.staff')(`mutation($id: ID!) { forwardOpinion(id: $id, to: "530100") { id } }`, { id: op })).body.errors).toBeUndefined();
    const km = await downloadAs(a, 'km.staff', up.body.id);
    expect({ status: km.status, same: km.bytes.equals(bytes) }).toEqual({ status: 200, same: true });
    const listed = await a.as('km.staff')(`query($id: ID!) { node(id: $id) { ... on Opinion { attachments { fileName } } } }`, { id: op });
    expect(listed.body.data.node.attachments).toEqual([{ fileName: '照片说明.pdf' }]);
    expect((await downloadAs(a, 'pl.staff', up.body.id)).status).toBe(404);
    expect((await downloadAs(a, 'yn.staff', up.body.id)).status).toBe(404);
  });
});

describe('the S3-compatible store (against the in-test fake)', () => {
  it('the adapter PUTs and GETs path-style objects under the bucket', async () => {
    const store = s3Store({ endpoint: s3Url, region: 'us-east-1', bucket: 'adapter', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true });
    await store.put('t1/abc', Buffer.from('内容'), 'text/plain');
    expect(fake.objects.get('/adapter/t1/abc')).toEqual({ body: Buffer.from('内容'), type: 'text/plain' });
    expect((await store.get('t1/abc')).toString()).toBe('内容');
    await expect(store.get('t1/missing')).rejects.toThrow();
  });

  it('with ATTACHMENT_STORE=s3 the bytes go to the store once per content and PostgreSQL keeps none', async () => {
    const bytes = PDF(`s3 ${Math.random()}`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const p = (await s3App.as('wh.member')(`mutation { submitProposal(input: { title: "关于增开夜间公交的提案", content: "建议增开夜间公交线路。", kind: MEMBER }) { id } }`)).body.data.submitProposal.id;
    const puts = () => fake.requests.filter((r) => r.startsWith('PUT /cppcc/')).length;
    const before = puts();
    const up = await uploadAs(s3App, 'wh.member', bytes, 'application/pdf');
    await uploadAs(s3App, 'wh.member', bytes, 'application/pdf');
    expect(puts() - before).toBe(1);
    const tenant = (await s3App.db.query(`select id from tenant where code = '530102'`)).rows[0].id;
    expect(fake.objects.get(`/cppcc/${tenant}/${sha}`)?.body.equals(bytes)).toBe(true);
    expect((await s3App.db.query('select store, content from attachment_blob where sha256 = $1', [sha])).rows).toEqual([{ store: 's3', content: null }]);
    expect((await s3App.as('wh.member')(ATTACH, { i: { file: up.body.id, to: p } })).body.errors).toBeUndefined();
    const d = await downloadAs(s3App, 'wh.staff', up.body.id);
    expect({ status: d.status, same: d.bytes.equals(bytes) }).toEqual({ status: 200, same: true });
    expect((await downloadAs(s3App, 'pl.staff', up.body.id)).status).toBe(404);
  });
});

describe('attachments, wall two alone (the application role, no ORM, no service)', () => {
  it("五华's attachments and blobs are 五华's; a forwarded report's reach 昆明; 盘龙 and 云南 see none; nothing without a committee", async () => {
    const op = (await app.as('wh.staff')(`mutation { submitOpinion(input: { title: "关于夜市噪音扰民的社情民意", content: "群众反映夜市噪音影响休息。" }) { id } }`)).body.data.submitOpinion.id;
    const up = await uploadAs(app, 'wh.staff', PDF(`rls ${Math.random()}`), 'application/pdf');
    expect((await app.as('wh.staff')(ATTACH, { i: { file: up.body.id, to: op } })).body.errors).toBeUndefined();
    const id = app.uuid(up.body.id);
    const ids = Object.fromEntries((await app.db.query(`select code, id from tenant where code in ('530000','530100','530102','530103')`)).rows.map((r) => [r.code, r.id]));
    const staff = Object.fromEntries((await app.db.query(`select login, id from app_user where login in ('yn.staff','km.staff','wh.staff','pl.staff')`)).rows.map((r) => [r.login, r.id]));
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: app.running.db.appUrl });
    await c.connect();
    const sees = async (code: string | null, login: string | null) => {
      await c.query('begin');
      if (code) await c.query(`select set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`, [ids[code], login ? staff[login] : '']);
      const a = (await c.query('select count(*)::int n from attachment where id = $1', [id])).rows[0].n;
      const b = (await c.query('select count(*)::int n from attachment_blob b where exists (select 1 from attachment x where x.id = $1 and x.blob_id = b.id)', [id])).rows[0].n;
      const blobs = (await c.query('select count(*)::int n from attachment_blob where id = (select blob_id from attachment where id = $1)', [id])).rows[0].n;
      await c.query('rollback');
      return [a, b, blobs];
    };
    try {
      expect(await sees('530102', 'wh.staff')).toEqual([1, 1, 1]);
      for (const [code, login] of [['530100', 'km.staff'], ['530103', 'pl.staff'], ['530000', 'yn.staff'], [null, null]] as const) {
        expect({ code, seen: await sees(code, login) }).toEqual({ code, seen: [0, 0, 0] });
      }
      expect((await app.as('wh.staff')(`mutation($id: ID!) { forwardOpinion(id: $id, to: "530100") { id } }`, { id: op })).body.errors).toBeUndefined();
      expect(await sees('530100', 'km.staff')).toEqual([1, 1, 1]);
      expect(await sees('530103', 'pl.staff')).toEqual([0, 0, 0]);
      // 盘龙 cannot write an attachment for 五华, nor move its own to 五华.
      await c.query('begin');
      await c.query(`select set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`, [ids['530103'], staff['pl.staff']]);
      await expect(c.query(`update attachment set tenant_id = $1 where tenant_id = $2`, [ids['530102'], ids['530103']])).rejects.toThrow(/row-level security/);
      await c.query('rollback');
    } finally {
      await c.end();
    }
  });
});
