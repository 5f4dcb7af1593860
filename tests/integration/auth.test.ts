import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { signToken } from '../../src/core/auth.js';
import { TEST_JWT_SECRET } from '../helpers/global-setup.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const ME = '{ me { role } }';
const unauthenticated = (message: string) => ({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });

describe('authentication', () => {
  it('no token, a malformed header, a forged or an expired token: 401 UNAUTHENTICATED and no data', async () => {
    const ids = (await app.db.query(`select id, tenant_id from app_user where login = 'wh.staff'`)).rows[0];
    const forged = await signToken('some-other-secret-0123456789abcdef', { sub: ids.id, tid: ids.tenant_id });
    const expired = await new SignJWT({ tid: ids.tenant_id })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(ids.id)
      .setIssuer('cppcc-linkage')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const cases: [string | null, string][] = [
      [null, 'Authentication required'],
      ['Basic abc', 'Authentication required'],
      [`Bearer ${forged}`, 'Token is not valid'],
      [`Bearer ${expired}`, 'Token has expired'],
    ];
    for (const [auth, message] of cases) {
      const r = await app.gql(auth, ME);
      expect(r.status).toBe(401);
      expect(r.body).toEqual(unauthenticated(message));
    }
  });

  it('a token for a committee where the user holds no seat is FORBIDDEN with HTTP 403, and nothing runs', async () => {
    const ids = (await app.db.query(`select u.id, t.id tid from app_user u, tenant t where u.login = 'wh.staff' and t.code = '530103'`)).rows[0];
    const r = await app.gql(await signToken(TEST_JWT_SECRET, { sub: ids.id, tid: ids.tid }), ME);
    expect({ status: r.status, body: r.body }).toEqual({ status: 403, body: { errors: [{ message: 'You hold no seat on this committee', extensions: { code: 'FORBIDDEN' } }] } });
  });

  it('an operation that reads no data (__typename, __schema, __type) sends no statement, but its token is still checked; the viewer checks come with the next read', async () => {
    const token = await app.token('wh.staff');
    const bare = await app.gql(token, '{ __typename }');
    expect({ status: bare.status, body: bare.body, sql: bare.headers.get('x-sql-statements') }).toEqual({ status: 200, body: { data: { __typename: 'Query' } }, sql: '0' });
    const schema = await app.gql(token, 'query Q { ...T } fragment T on Query { __typename __type(name: "Proposal") { name } }');
    expect({ body: schema.body, sql: schema.headers.get('x-sql-statements') }).toEqual({ body: { data: { __typename: 'Query', __type: { name: 'Proposal' } } }, sql: '0' });
    // A field beside __typename reads data: the whole operation runs in a transaction, for a viewer.
    const read = await app.gql(token, '{ __typename me { role } }');
    expect({ body: read.body, sql: Number(read.headers.get('x-sql-statements')) > 0 }).toEqual({ body: { data: { __typename: 'Query', me: { role: 'STAFF' } } }, sql: true });
    for (const auth of [null, 'Bearer not.a.token']) {
      const r = await app.gql(auth, '{ __typename }');
      expect({ status: r.status, code: codeOf(r) }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    }
    // No seat on 盘龙区: the token is well signed, so __typename answers; the first read is refused.
    const ids = (await app.db.query(`select u.id, t.id tid from app_user u, tenant t where u.login = 'wh.staff' and t.code = '530103'`)).rows[0];
    const seatless = await signToken(TEST_JWT_SECRET, { sub: ids.id, tid: ids.tid });
    expect((await app.gql(seatless, '{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
    expect((await app.gql(seatless, ME)).status).toBe(403);
  });

  it('the Bearer scheme is case-insensitive (RFC 7235)', async () => {
    const token = await app.token('wh.staff');
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const r = await app.gql(`${scheme} ${token}`, ME);
      expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: { data: { me: { role: 'STAFF' } } } });
    }
  });

  it('a token without an expiry time is refused', async () => {
    const ids = (await app.db.query(`select id, tenant_id from app_user where login = 'wh.staff'`)).rows[0];
    const forever = await new SignJWT({ tid: ids.tenant_id })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(ids.id)
      .setIssuer('cppcc-linkage')
      .setIssuedAt()
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const r = await app.gql(`Bearer ${forever}`, ME);
    expect({ status: r.status, body: r.body }).toEqual({ status: 401, body: unauthenticated('Token has no expiry time (exp)') });
  });

  it('a valid token with the wrong role is FORBIDDEN and writes nothing', async () => {
    const before = (await app.db.query('select count(*)::int n from app_user')).rows[0].n;
    const r = await app.as('wh.dept')(`mutation { addMember(input: { login: "dept.try", displayName: "某某", sector: "经济界", term: "第十届" }) { id } }`);
    expect(r.body).toEqual({ data: null, errors: [{ message: 'Not allowed for your role', path: ['addMember'], locations: expect.any(Array), extensions: { code: 'FORBIDDEN' } }] });
    expect((await app.db.query('select count(*)::int n from app_user')).rows[0].n).toBe(before);
    const list = await app.as('wh.dept')(`{ members { totalCount } }`);
    expect(codeOf(list)).toBe('FORBIDDEN');
  });

  it('every role of every demo committee signs in as itself', async () => {
    const logins = (await app.db.query(`select u.login, u.role, t.code from app_user u join tenant t on t.id = u.tenant_id where u.login not like 'm%' order by u.login`)).rows;
    expect(logins.length).toBe(22);
    for (const { login, role, code } of logins) {
      const r = await app.as(login)(`{ me { role tenant { code } } }`);
      expect(r.body).toEqual({ data: { me: { role, tenant: { code } } } });
    }
  });
});
