import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import ExcelJS from 'exceljs';
import pino from 'pino';
import { SignJWT, createLocalJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { KeyRing } from '../../src/core/signing-keys.js';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { boot, type Running } from '../../src/app/boot.js';
import { loadConfig } from '../../src/core/config.js';
import { hashPassword } from '../../src/modules/account/password.js';
import { DEFAULT_DEMO_PASSWORD } from '../../seeds/demo.js';
import { newId } from '../../src/core/ids.js';
import { TEST_JWT_SECRET, TEST_PROVINCES } from '../helpers/global-setup.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const PASSWORD = 'correct horse battery';
let n = 0;
const uniq = (p: string) => `${p}.${process.pid}.${++n}`;

const TOKENS = 'accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt tenantCode';
const SIGN_IN = `mutation($login: String!, $password: String!, $newPassword: String) { signIn(login: $login, password: $password, newPassword: $newPassword) { ${TOKENS} } }`;
const REFRESH = `mutation($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { ${TOKENS} } }`;
const SWITCH = `mutation($refreshToken: String!, $code: String!) { switchCommittee(refreshToken: $refreshToken, code: $code) { ${TOKENS} } }`;
const SIGN_OUT = `mutation($refreshToken: String!) { signOut(refreshToken: $refreshToken) }`;

/**
 * A sign-in mutation over HTTP with no token (or the `authorization` given), at `base` (an instance's /graphql
 * url). `body` is the field's value when the answer has no errors, else the errors without their position.
 */
async function mutate(query: string, variables: Record<string, unknown>, base = app.url, authorization?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'accept-language': 'en', ...(authorization ? { authorization } : {}) };
  const res = await fetch(base, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  const json = JSON.parse(text) as { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  const body = json.errors ? { errors: json.errors.map((e) => ({ message: e.message, extensions: e.extensions })) } : Object.values(json.data!)[0];
  return { status: res.status, headers: res.headers, text, json, body: body as any };
}
const signIn = (login: string, password: string, base?: string) => mutate(SIGN_IN, { login, password }, base);
const refreshSession = (refreshToken: string, base?: string) => mutate(REFRESH, { refreshToken }, base);
const switchCommittee = (refreshToken: string, code: string) => mutate(SWITCH, { refreshToken, code });

/** A new account with a password (and a seat for MEMBERs), made through the owner connection. */
async function account(role: string, code = '530102', password = PASSWORD): Promise<{ login: string; id: string }> {
  const login = uniq(role.toLowerCase());
  const id = await app.createUser(login, code, role);
  const u = (await app.db.query('select id, tenant_id from app_user where login = $1', [login])).rows[0];
  await app.db.query('insert into account_credential (user_id, tenant_id, login_key, password_hash) values ($1,$2,$3,$4)', [u.id, u.tenant_id, login, await hashPassword(password)]);
  return { login, id };
}

const ME = '{ me { user { login } role tenant { code } } }';
const FAILED = { errors: [{ message: 'Login or password is wrong', extensions: { code: 'UNAUTHENTICATED' } }] };
const MUST_CHANGE = { errors: [{ message: 'The password must be changed before signing in', extensions: { code: 'FORBIDDEN', details: { reason: 'PASSWORD_CHANGE_REQUIRED' } } }] };
const changeAndSignIn = (login: string, password: string, newPassword: string) => mutate(SIGN_IN, { login, password, newPassword });
const INVALID_REFRESH = { errors: [{ message: 'Refresh token is not valid', extensions: { code: 'UNAUTHENTICATED' } }] };

describe('signIn / refreshSession / signOut', () => {
  it('a demo account signs in with the demo password; the access token lasts 15 minutes and acts for the home committee', async () => {
    const before = Date.now();
    const r = await signIn('wh.staff', DEFAULT_DEMO_PASSWORD);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      accessToken: expect.any(String),
      accessTokenExpiresAt: expect.any(String),
      refreshToken: expect.stringMatching(/^rt1\./),
      refreshTokenExpiresAt: expect.any(String),
      tenantCode: '530102',
    });
    const claims = decodeJwt(r.body.accessToken);
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(new Date(r.body.accessTokenExpiresAt).getTime()).toBe(claims.exp! * 1000);
    expect(new Date(r.body.refreshTokenExpiresAt).getTime()).toBeGreaterThanOrEqual(before + 30 * 24 * 3600 * 1000 - 1000);
    expect((await app.gql(r.body.accessToken, ME)).body).toEqual({ data: { me: { user: { login: 'wh.staff' }, role: 'STAFF', tenant: { code: '530102' } } } });
  });

  it('an unknown login and a wrong password get byte-identical answers', async () => {
    const { login } = await account('STAFF');
    const wrong = await signIn(login, 'not the password at all');
    const unknown = await signIn(uniq('nobody'), 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toBe(unknown.text);
    expect(wrong.body).toEqual(FAILED);
    expect(wrong.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
  });

  it('refresh rotates the token: the old one stops working and the new one acts as before', async () => {
    const { login } = await account('STAFF');
    const first = (await signIn(login, PASSWORD)).body;
    const second = await refreshSession(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await app.gql(second.body.accessToken, ME)).body.data.me.user.login).toBe(login);
    const third = await refreshSession(second.body.refreshToken);
    expect(third.status).toBe(200);
  });

  it('a stolen refresh token reused after rotation revokes the whole family', async () => {
    const { login } = await account('STAFF');
    const stolen = (await signIn(login, PASSWORD)).body.refreshToken;
    const owner = await refreshSession(stolen);
    expect(owner.status).toBe(200);
    const thief = await refreshSession(stolen);
    expect(thief.status).toBe(401);
    expect(thief.body).toEqual(INVALID_REFRESH);
    // The owner's newer token is revoked with its family.
    const afterwards = await refreshSession(owner.body.refreshToken);
    expect(afterwards.body).toEqual(INVALID_REFRESH);
    const audit = await app.as('wh.admin')(`query($l: String) { authAuditLog(login: $l) { event login } }`, { l: login });
    expect(audit.body.data.authAuditLog).toEqual([
      { event: 'REFRESH_REUSED', login },
      { event: 'REFRESH', login },
      { event: 'SIGN_IN', login },
    ]);
  });

  it('a forged or malformed refresh token is refused the same way', async () => {
    const { login } = await account('STAFF');
    const token: string = (await signIn(login, PASSWORD)).body.refreshToken;
    const raw = Buffer.from(token.slice(4), 'base64url');
    raw[79] ^= 1;
    for (const t of [`rt1.${raw.toString('base64url')}`, 'rt1.abc', '', `rt1.${'A'.repeat(300)}`]) {
      const r = await refreshSession(t);
      expect([r.status, r.body]).toEqual([401, INVALID_REFRESH]);
    }
    expect((await refreshSession(token)).status).toBe(200);
  });

  it('signOut revokes the session: its refresh token stops working', async () => {
    const { login } = await account('STAFF');
    const s = (await signIn(login, PASSWORD)).body;
    const out = await mutate(SIGN_OUT, { refreshToken: s.refreshToken });
    expect([out.status, out.body]).toEqual([200, true]);
    // Signing out again, or with a token that is none of ours, says the same.
    expect((await mutate(SIGN_OUT, { refreshToken: s.refreshToken })).body).toBe(true);
    expect((await mutate(SIGN_OUT, { refreshToken: 'rt1.nothing' })).body).toBe(true);
    expect((await refreshSession(s.refreshToken)).body).toEqual(INVALID_REFRESH);
  });

  it('sessions are rows in PostgreSQL: a second instance on the same database refreshes what the first issued', async () => {
    const second = await secondInstance();
    try {
      const { login } = await account('STAFF');
      const s = (await signIn(login, PASSWORD)).body;
      const r = await refreshSession(s.refreshToken, second.app.url);
      expect(r.status).toBe(200);
      expect((await refreshSession(s.refreshToken)).body).toEqual(INVALID_REFRESH);
    } finally {
      await second.stop();
    }
  });
});

describe('sign-in operations run without a viewer', () => {
  it('a stale, forged or missing Authorization header neither helps nor hinders signIn and refreshSession', async () => {
    const { login } = await account('STAFF');
    for (const authorization of [undefined, 'Bearer not-a-token', 'Basic abc']) {
      const s = await mutate(SIGN_IN, { login, password: PASSWORD }, app.url, authorization);
      expect([s.status, s.body.tenantCode]).toEqual([200, '530102']);
      const r = await mutate(REFRESH, { refreshToken: s.body.refreshToken }, app.url, authorization);
      expect(r.status).toBe(200);
    }
    // A fragment on Mutation and __typename are fine; the field is still alone.
    const f = await mutate(`mutation($login: String!, $password: String!) { __typename ...S } fragment S on Mutation { signIn(login: $login, password: $password) { tenantCode } }`, { login, password: PASSWORD });
    expect(f.json).toEqual({ data: { __typename: 'Mutation', signIn: { tenantCode: '530102' } } });
  });

  it('a sign-in field beside another field is refused before anything runs, with or without a token', async () => {
    const { login } = await account('STAFF');
    const sessions = async () => (await app.db.query('select count(*)::int n from auth_session s join app_user u on u.id = s.user_id where u.login = $1', [login])).rows[0].n;
    const admin = await app.token('wh.admin');
    const mixed = `mutation($login: String!, $password: String!) { signIn(login: $login, password: $password) { tenantCode } revokeAccountSessions(id: "x") }`;
    const twice = `mutation($login: String!, $password: String!) { a: signIn(login: $login, password: $password) { tenantCode } b: signIn(login: $login, password: $password) { tenantCode } }`;
    for (const [query, authorization] of [[mixed, undefined], [mixed, `Bearer ${admin}`], [twice, undefined]] as const) {
      const r = await mutate(query, { login, password: PASSWORD }, app.url, authorization);
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ errors: [{ message: 'A sign-in operation (signIn, refreshSession, switchCommittee, signOut) is sent alone, one field per operation', extensions: { code: 'BAD_USER_INPUT' } }] });
    }
    expect(await sessions()).toBe(0);
  });

  it('without a token every other operation is UNAUTHENTICATED as before, even one that names signIn in an unused fragment', async () => {
    const me = await mutate(ME, {});
    expect([me.status, me.body]).toEqual([401, { errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }] }]);
    const q = await mutate(`query { me { role } } fragment S on Mutation { signIn(login: "a", password: "b") { tenantCode } }`, {});
    expect(q.status).toBe(401);
  });

  it('over the WebSocket too, signIn runs alone and without the socket\'s viewer', async () => {
    const { login } = await account('STAFF');
    const ws = app.ws(await app.token('pl.staff'));
    try {
      const r = await new Promise<any>((resolve, reject) => {
        let result: unknown;
        ws.subscribe({ query: SIGN_IN, variables: { login, password: PASSWORD } }, { next: (v) => (result = v), error: reject, complete: () => resolve(result) });
      });
      expect(r.data.signIn.tenantCode).toBe('530102');
      expect((await app.gql(r.data.signIn.accessToken, ME)).body.data.me.user.login).toBe(login);
    } finally {
      await ws.dispose();
    }
  });
});

describe('changePassword', () => {
  it('needs the current password, enforces the policy, and then only the new one signs in', async () => {
    const { login } = await account('STAFF');
    const token = (await signIn(login, PASSWORD)).body.accessToken;
    const M = `mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }`;
    const wrongOld = await app.gql(token, M, { o: 'not it at all', n: 'a brand new secret' });
    expect(codeOf(wrongOld)).toBe('UNAUTHENTICATED');
    const weak = await app.gql(token, M, { o: PASSWORD, n: 'short' });
    expect(weak.body.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', details: { fields: [{ field: 'newPassword', messages: ['must be at least 10 characters'] }] } });
    const withLogin = await app.gql(token, M, { o: PASSWORD, n: `x${login}x` });
    expect(withLogin.body.errors![0]!.extensions!.details.fields[0].messages).toEqual(['must not contain the login']);
    const ok = await app.gql(token, M, { o: PASSWORD, n: 'a brand new secret' });
    expect(ok.body).toEqual({ data: { changePassword: true } });
    expect((await signIn(login, PASSWORD)).body).toEqual(FAILED);
    expect((await signIn(login, 'a brand new secret')).status).toBe(200);
  });
});

async function secondInstance(overrides = {}): Promise<Running> {
  const { dataDir } = inject('pg');
  const config = loadConfig({}, { tenantProvinces: [...TEST_PROVINCES], port: 0, host: '127.0.0.1', dataDir, databaseUrl: app.dbUrl, jwtSecret: TEST_JWT_SECRET, seedDemo: false, ...overrides });
  return boot(config, pino({ level: 'silent' }));
}

describe('throttling failed sign-ins', () => {
  it('10 wrong passwords throttle that login on both of two instances, with a stable code and a retry time', async () => {
    const second = await secondInstance();
    try {
      const { login } = await account('STAFF');
      for (let i = 0; i < 10; i++) {
        const r = await signIn(login, `wrong password ${i}`, i % 2 ? second.app.url : app.url);
        expect(r.body).toEqual(FAILED);
      }
      for (const base of [app.url, second.app.url]) {
        // Even the right password is refused while the login is throttled.
        const r = await signIn(login, PASSWORD, base);
        expect(r.status).toBe(429);
        expect(r.body).toEqual({ errors: [{ message: 'Too many failed sign-ins; try again later', extensions: { code: 'TOO_MANY_ATTEMPTS', details: { retryAfter: expect.any(Number) } } }] });
        const retry = r.body.errors[0].extensions.details.retryAfter;
        expect(retry).toBeGreaterThan(0);
        expect(retry).toBeLessThanOrEqual(900);
        expect(r.headers.get('retry-after')).toBe(String(retry));
      }
      // Another login from the same address is not affected (the address limit is higher).
      const other = await account('STAFF');
      expect((await signIn(other.login, PASSWORD)).status).toBe(200);
      const audit = await app.as('wh.admin')(`query($l: String) { authAuditLog(login: $l) { event } }`, { l: login });
      const events = audit.body.data.authAuditLog.map((e: { event: string }) => e.event);
      expect(events).toEqual([...Array(2).fill('LOCKED_OUT'), ...Array(10).fill('SIGN_IN_FAILED')]);
    } finally {
      await second.stop();
    }
  });

  it('an unknown login is throttled exactly like a known one', async () => {
    const ghost = uniq('ghost');
    for (let i = 0; i < 10; i++) expect((await signIn(ghost, 'whatever it is')).body).toEqual(FAILED);
    const r = await signIn(ghost, 'whatever it is');
    expect(r.status).toBe(429);
    expect(r.body.errors[0].extensions.code).toBe('TOO_MANY_ATTEMPTS');
  });
});

describe('throttling per client address', () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await startTestApp({ signInMaxFailuresPerAddress: 3 });
  });
  afterAll(() => small.stop());

  it('failures from one address across different logins throttle that address', async () => {
    for (let i = 0; i < 3; i++) expect((await signIn(`someone${i}`, 'not a password', small.url)).body).toEqual(FAILED);
    const r = await signIn('wh.staff', DEFAULT_DEMO_PASSWORD, small.url);
    expect(r.status).toBe(429);
    expect(r.body.errors[0].extensions.code).toBe('TOO_MANY_ATTEMPTS');
  });
});

describe('disabled accounts and ended seats', () => {
  it("a disabled account's live access token stops working, its refresh fails at once and it cannot sign in; its history stays", async () => {
    const { login, id } = await account('STAFF');
    const s = (await signIn(login, PASSWORD)).body;
    expect((await app.gql(s.accessToken, ME)).status).toBe(200);
    const d = await app.as('wh.admin')(`mutation($id: ID!) { disableAccount(id: $id) { login disabled } }`, { id });
    expect(d.body).toEqual({ data: { disableAccount: { login, disabled: true } } });
    const live = await app.gql(s.accessToken, ME);
    expect([live.status, live.body]).toEqual([401, { errors: [{ message: 'Account is not active', extensions: { code: 'UNAUTHENTICATED' } }] }]);
    expect((await refreshSession(s.refreshToken)).body).toEqual(INVALID_REFRESH);
    const again = await signIn(login, PASSWORD);
    expect([again.status, again.text]).toEqual([401, (await signIn(uniq('nobody'), PASSWORD)).text]);
    expect(again.body).toEqual(FAILED);
    expect((await app.db.query('select count(*)::int n from app_user where login = $1', [login])).rows[0].n).toBe(1);
    const audit = await app.as('wh.admin')(`query($l: String) { authAuditLog(login: $l) { event detail } }`, { l: login });
    expect(audit.body.data.authAuditLog).toEqual([
      { event: 'SIGN_IN_FAILED', detail: 'account disabled' },
      { event: 'DISABLED', detail: 'by wh.admin' },
      { event: 'SIGN_IN', detail: null },
    ]);
    const e = await app.as('wh.admin')(`mutation($id: ID!) { enableAccount(id: $id) { disabled } }`, { id });
    expect(e.body).toEqual({ data: { enableAccount: { disabled: false } } });
    expect((await signIn(login, PASSWORD)).status).toBe(200);
  });

  it('switchCommittee gives tokens for a committee where the person holds a seat; an ended seat then gets FORBIDDEN', async () => {
    const { login } = await account('MEMBER', '530102');
    const u = (await app.db.query('select id from app_user where login = $1', [login])).rows[0];
    const city = (await app.db.query(`select id, province_id, city_id from tenant where code = '530100'`)).rows[0];
    await app.db.query(`insert into member_seat (id, tenant_id, province_id, city_id, user_id, sector, term) values ($1,$2,$3,$4,$5,'经济界','第十四届')`, [newId(), city.id, city.province_id, city.city_id, u.id]);
    const s = (await signIn(login, PASSWORD)).body;
    expect(s.tenantCode).toBe('530102');
    const sw = await switchCommittee(s.refreshToken, '530100');
    expect(sw.status).toBe(200);
    expect(sw.body.tenantCode).toBe('530100');
    expect((await app.gql(sw.body.accessToken, ME)).body).toEqual({ data: { me: { user: { login }, role: 'MEMBER', tenant: { code: '530100' } } } });
    // The switch rotated the session (presenting the old token now would revoke it as reused); refreshing keeps the committee.
    expect((await app.db.query('select count(*)::int n, count(rotated_at)::int rotated, count(distinct family_id)::int families from auth_session where user_id = $1', [u.id])).rows[0]).toEqual({ n: 2, rotated: 1, families: 1 });
    const kept = (await refreshSession(sw.body.refreshToken)).body;
    expect(kept.tenantCode).toBe('530100');
    // No seat there: FORBIDDEN, and the token is not spent.
    const none = await switchCommittee(kept.refreshToken, '530103');
    expect([none.status, none.body]).toEqual([200, { errors: [{ message: 'You hold no seat on this committee', extensions: { code: 'FORBIDDEN' } }] }]);
    await app.db.query(`update member_seat set status = 'ENDED' where user_id = $1 and tenant_id = $2`, [u.id, city.id]);
    const ended = await app.gql(kept.accessToken, ME);
    expect(codeOf(ended)).toBe('FORBIDDEN');
    expect(ended.body.data).toBeUndefined();
    const back = await switchCommittee(kept.refreshToken, '530100');
    expect(codeOf(back as never)).toBe('FORBIDDEN');
    // Refreshing goes on at home.
    expect((await refreshSession(kept.refreshToken)).body.tenantCode).toBe('530102');
  });
});

describe('administration of accounts', () => {
  it('only an ADMIN disables, and only accounts of their own committee (another committee’s is NOT_FOUND)', async () => {
    const { id } = await account('STAFF', '530102');
    const M = `mutation($id: ID!) { disableAccount(id: $id) { disabled } }`;
    expect(codeOf(await app.as('wh.staff')(M, { id }))).toBe('FORBIDDEN');
    const other = await app.as('pl.admin')(M, { id });
    expect(other.body.errors![0]).toEqual({ message: 'User not found', path: ['disableAccount'], locations: expect.any(Array), extensions: { code: 'NOT_FOUND' } });
    expect(codeOf(await app.as('km.admin')(M, { id }))).toBe('NOT_FOUND');
    expect((await app.db.query('select disabled_at from app_user where id = $1', [app.uuid(id)])).rows[0].disabled_at).toBeNull();
  });

  it('the audit log is readable by ADMIN of the committee only', async () => {
    const { login } = await account('STAFF', '530102');
    await signIn(login, PASSWORD);
    const Q = `query($l: String) { authAuditLog(login: $l) { event login } }`;
    expect((await app.as('wh.admin')(Q, { l: login })).body).toEqual({ data: { authAuditLog: [{ event: 'SIGN_IN', login }] } });
    expect(codeOf(await app.as('wh.staff')(Q, { l: login }))).toBe('FORBIDDEN');
    expect((await app.as('pl.admin')(Q, { l: login })).body).toEqual({ data: { authAuditLog: [] } });
    expect((await app.as('yn.admin')(Q, { l: login })).body).toEqual({ data: { authAuditLog: [] } });
  });

  it('resetPassword ends the sessions and gives no tokens until the password is changed; revokeAccountSessions and accountSessions', async () => {
    const { login, id } = await account('STAFF', '530102');
    const s = (await signIn(login, PASSWORD)).body;
    const list = await app.as('wh.admin')(`query($id: ID!) { accountSessions(id: $id) { active clientAddress } }`, { id });
    expect(list.body.data.accountSessions).toEqual([{ active: true, clientAddress: expect.any(String) }]);
    const reset = await app.as('wh.admin')(`mutation($id: ID!) { resetPassword(id: $id, newPassword: "temporary pass 1") }`, { id });
    expect(reset.body).toEqual({ data: { resetPassword: true } });
    expect((await refreshSession(s.refreshToken)).body).toEqual(INVALID_REFRESH);
    // The temporary password gives no tokens until it is changed.
    const forced = await signIn(login, 'temporary pass 1');
    expect([forced.status, forced.body]).toEqual([200, MUST_CHANGE]);
    expect((await changeAndSignIn(login, 'temporary pass 1', 'temporary pass 1')).body.errors[0].extensions.details).toEqual({ fields: [{ field: 'newPassword', messages: ['must differ from the current password'] }] });
    expect((await changeAndSignIn(login, 'wrong temporary', 'my own password 2')).body).toEqual(FAILED);
    const after = await changeAndSignIn(login, 'temporary pass 1', 'my own password 2');
    expect(after.status).toBe(200);
    expect((await app.gql(after.body.accessToken, ME)).body.data.me.user.login).toBe(login);
    expect((await signIn(login, 'temporary pass 1')).body).toEqual(FAILED);
    expect((await signIn(login, 'my own password 2')).status).toBe(200);
    const revoked = await app.as('wh.admin')(`mutation($id: ID!) { revokeAccountSessions(id: $id) }`, { id });
    expect(revoked.body).toEqual({ data: { revokeAccountSessions: 2 } });
    expect((await refreshSession(after.body.refreshToken)).body).toEqual(INVALID_REFRESH);
  });
});

describe('demo accounts', () => {
  // An empty database (not the seeded template); like every test database it goes when the run's cluster stops.
  async function freshDatabase(): Promise<{ url: string }> {
    const { adminUrl } = inject('pg');
    const name = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    return { url: adminUrl.replace(/\/postgres$/, `/${name}`) };
  }

  it('SEED_DEMO=0 creates no account; DEMO_PASSWORD sets the password of every demo account', async () => {
    const { dataDir } = inject('pg');
    const none = await freshDatabase();
    const r0 = await boot(loadConfig({ SEED_DEMO: '0' }, { tenantProvinces: [...TEST_PROVINCES], port: 0, host: '127.0.0.1', dataDir, databaseUrl: none.url, jwtSecret: TEST_JWT_SECRET }), pino({ level: 'silent' }));
    try {
      const c = new pg.Client({ connectionString: none.url });
      await c.connect();
      const counts = (await c.query('select (select count(*)::int from app_user) users, (select count(*)::int from account_credential) credentials')).rows[0];
      await c.end();
      expect(counts).toEqual({ users: 0, credentials: 0 });
      expect((await signIn('wh.staff', DEFAULT_DEMO_PASSWORD, r0.app.url)).body).toEqual(FAILED);
    } finally {
      await r0.stop();
    }
    const demo = await freshDatabase();
    const r1 = await boot(loadConfig({ DEMO_PASSWORD: 'another demo secret' }, { tenantProvinces: [...TEST_PROVINCES], port: 0, host: '127.0.0.1', dataDir, databaseUrl: demo.url, jwtSecret: TEST_JWT_SECRET }), pino({ level: 'silent' }));
    try {
      expect((await signIn('km.leader', 'another demo secret', r1.app.url)).body.tenantCode).toBe('530100');
      expect((await signIn('m530102.001', 'another demo secret', r1.app.url)).status).toBe(200);
      expect((await signIn('km.leader', DEFAULT_DEMO_PASSWORD, r1.app.url)).body).toEqual(FAILED);
    } finally {
      await r1.stop();
    }
  }, 120_000);
});

describe('signing keys', () => {
  const jwks = async () => (await fetch(app.url.replace('/graphql', '/.well-known/jwks.json'))).json() as Promise<{ keys: { kid: string; alg: string; kty: string; crv: string; x: string; use: string }[] }>;
  const ownerRing = () => new KeyRing(async (text, params = []) => {
    let i = 0;
    return (await app.db.query(text.replace(/\?/g, () => `$${++i}`), params as unknown[])).rows;
  }, TEST_JWT_SECRET);

  it('access tokens are EdDSA with a key id published at /.well-known/jwks.json, verifiable by another service', async () => {
    const { accessToken } = (await signIn('wh.leader', DEFAULT_DEMO_PASSWORD)).body;
    const header = decodeProtectedHeader(accessToken);
    expect(header).toEqual({ alg: 'EdDSA', kid: expect.any(String), typ: 'JWT' });
    const set = await jwks();
    expect(set.keys).toContainEqual({ kid: header.kid, alg: 'EdDSA', kty: 'OKP', crv: 'Ed25519', x: expect.any(String), use: 'sig' });
    expect(JSON.stringify(set)).not.toMatch(/"d"/);
    const { payload } = await jwtVerify(accessToken, createLocalJWKSet(set as never), { issuer: 'cppcc-linkage' });
    expect(payload.tid).toBe((await app.db.query(`select id from tenant where code = '530102'`)).rows[0].id);
  });

  it('rotation keeps earlier tokens valid until they expire; new tokens use the new key, on every instance', async () => {
    const before = (await signIn('wh.leader', DEFAULT_DEMO_PASSWORD)).body.accessToken;
    const second = await secondInstance();
    try {
      const kid = await ownerRing().rotate();
      const after = (await signIn('wh.leader', DEFAULT_DEMO_PASSWORD, second.app.url)).body.accessToken;
      expect(decodeProtectedHeader(after).kid).toBe(kid);
      expect(decodeProtectedHeader(before).kid).not.toBe(kid);
      for (const t of [before, after]) {
        for (const url of [app.url, second.app.url]) {
          const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: JSON.stringify({ query: '{ me { role } }' }) });
          expect(await r.json()).toEqual({ data: { me: { role: 'LEADER' } } });
        }
      }
      expect((await jwks()).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([kid, decodeProtectedHeader(before).kid]));
      expect((await jwks()).keys[0]!.kid).toBe(kid);
    } finally {
      await second.stop();
    }
  });

  it('a token naming an unknown key id is not valid; `npm run token` (HS256) tokens still work', async () => {
    const { privateKey } = await generateKeyPair('EdDSA');
    const ids = (await app.db.query(`select id, tenant_id from app_user where login = 'wh.staff'`)).rows[0];
    const forged = await new SignJWT({ tid: ids.tenant_id }).setProtectedHeader({ alg: 'EdDSA', kid: 'made-up' }).setSubject(ids.id).setIssuer('cppcc-linkage').setIssuedAt().setExpirationTime('5m').sign(privateKey);
    const r = await app.gql(forged, ME);
    expect([r.status, r.body]).toEqual([401, { errors: [{ message: 'Token is not valid', extensions: { code: 'UNAUTHENTICATED' } }] }]);
    expect((await app.as('wh.staff')(ME)).body.data.me.role).toBe('STAFF');
  });
});

describe('creating, changing and listing accounts (ADMIN)', () => {
  const CREATE = `mutation($i: CreateAccountInput!) { createAccount(input: $i) { login displayName role unitName disabled homeTenant { code } } }`;

  it('an ADMIN creates accounts of every role; each must change the first password to sign in', async () => {
    for (const role of ['STAFF', 'LEADER', 'MEMBER', 'DEPARTMENT', 'ADMIN']) {
      const login = uniq(`new-${role.toLowerCase()}`);
      const unitName = role === 'DEPARTMENT' ? '五华区卫生健康局' : null;
      const seat = role === 'MEMBER' ? { sector: '教育界', term: '第十届' } : {};
      const r = await app.as('wh.admin')(CREATE, { i: { login, displayName: '新同志', role, unitName, password: 'first password 1', ...seat } });
      expect(r.body).toEqual({ data: { createAccount: { login, displayName: '新同志', role, unitName, disabled: false, homeTenant: { code: '530102' } } } });
      expect((await signIn(login, 'first password 1')).body).toEqual(MUST_CHANGE);
      const s = await changeAndSignIn(login, 'first password 1', 'chosen password 2');
      expect([s.status, s.body.tenantCode]).toEqual([200, '530102']);
      expect((await app.gql(s.body.accessToken, '{ me { role } }')).body).toEqual({ data: { me: { role } } });
    }
  });

  it('a taken login is CONFLICT, a weak first password or a sector over 64 characters BAD_USER_INPUT, a non-ADMIN FORBIDDEN; nothing is written', async () => {
    const before = (await app.db.query('select count(*)::int n from app_user')).rows[0].n;
    const taken = await app.as('wh.admin')(CREATE, { i: { login: 'wh.staff', displayName: 'x', role: 'STAFF', password: 'first password 1' } });
    expect(taken.body.errors![0]!.extensions).toEqual({ code: 'CONFLICT' });
    const weak = await app.as('wh.admin')(CREATE, { i: { login: uniq('weak'), displayName: 'x', role: 'STAFF', password: 'short' } });
    expect(weak.body.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', details: { fields: [{ field: 'password', messages: ['must be at least 10 characters'] }] } });
    expect(codeOf(await app.as('wh.staff')(CREATE, { i: { login: uniq('x'), displayName: 'x', role: 'STAFF', password: 'first password 1' } }))).toBe('FORBIDDEN');
    // A sector is as long as the seat's column (64), as in grantSeat and the roster import.
    const long = await app.as('wh.admin')(CREATE, { i: { login: uniq('sector'), displayName: 'x', role: 'MEMBER', password: 'first password 1', sector: '界'.repeat(65), term: '第十届' } });
    expect(long.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { fields: [{ field: 'sector' }] } });
    expect((await app.db.query('select count(*)::int n from app_user')).rows[0].n).toBe(before);
    const sector = '中国国民党革命委员会和台湾民主自治同盟界别特邀人士'.padEnd(64, '界');
    const seated = await app.as('wh.admin')(CREATE, { i: { login: uniq('sector'), displayName: '新委员', role: 'MEMBER', password: 'first password 1', sector, term: '第十届' } });
    expect(seated.body.data?.createAccount.role).toBe('MEMBER');
    expect((await app.db.query('select s.sector from member_seat s join app_user u on u.id = s.user_id where u.login = $1', [seated.body.data!.createAccount.login])).rows).toEqual([{ sector }]);
  });

  it('updateAccount changes name and role; accounts lists with filters, only the own committee', async () => {
    const { id, login } = await account('STAFF', '530102');
    const u = await app.as('wh.admin')(`mutation($id: ID!) { updateAccount(id: $id, input: { displayName: "改名", role: LEADER }) { displayName role } }`, { id });
    expect(u.body).toEqual({ data: { updateAccount: { displayName: '改名', role: 'LEADER' } } });
    const L = `query($f: AccountFilter) { accounts(filter: $f, first: 100) { totalCount nodes: edges { node { login role disabled } } } }`;
    const list = async (as: string, f?: Record<string, unknown>) => {
      const r = await app.as(as)(L, { f });
      return r.body.data ? r.body.data.accounts.nodes.map((e: { node: unknown }) => e.node) : r.body;
    };
    expect(await list('wh.admin', { keyword: login.toUpperCase() })).toEqual([{ login, role: 'LEADER', disabled: false }]);
    expect(await list('wh.admin', { keyword: '改' })).toContainEqual({ login, role: 'LEADER', disabled: false });
    await app.as('wh.admin')(`mutation($id: ID!) { disableAccount(id: $id) { id } }`, { id });
    const disabled = await list('wh.admin', { status: 'DISABLED' });
    expect(disabled).toContainEqual({ login, role: 'LEADER', disabled: true });
    expect(disabled.every((a: { disabled: boolean }) => a.disabled)).toBe(true);
    expect(await list('wh.admin', { status: 'ACTIVE', keyword: login })).toEqual([]);
    const admins = await list('wh.admin', { roles: ['ADMIN', 'LEADER'] });
    expect(admins.map((a: { login: string }) => a.login)).toEqual(expect.arrayContaining(['wh.admin', 'wh.leader', login]));
    expect(admins.every((a: { role: string }) => a.role === 'ADMIN' || a.role === 'LEADER')).toBe(true);
    // A keyword is text, not a pattern.
    expect(await list('wh.admin', { keyword: '%' })).toEqual([]);
    expect(await list('pl.admin', { keyword: login })).toEqual([]);
    expect(codeOf(await app.as('wh.staff')(L))).toBe('FORBIDDEN');
  });

  it('accounts pages as a Relay connection in login, name or creation order, forward and backward', async () => {
    const made: string[] = [];
    for (const name of ['丙', '甲', '乙']) {
      const login = uniq(`page-${name === '甲' ? 'c' : name === '乙' ? 'a' : 'b'}`);
      await app.createUser(login, '530103', 'STAFF', `翻页${name}`);
      made.push(login);
    }
    const P = `query($o: AccountOrder, $first: Int, $after: String, $last: Int, $before: String) {
      accounts(filter: { keyword: "page-" }, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { cursor node { login displayName } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const page = async (v: Record<string, unknown>) => (await app.as('pl.admin')(P, v)).body.data.accounts;
    const logins = (p: { edges: { node: { login: string } }[] }) => p.edges.map((e) => e.node.login);
    // Creation order without orderBy.
    const all = await page({ first: 10 });
    expect([all.totalCount, logins(all)]).toEqual([3, made]);
    const byLogin = [...made].sort();
    const first = await page({ o: { field: 'LOGIN' }, first: 2 });
    expect([logins(first), first.pageInfo.hasNextPage, first.pageInfo.hasPreviousPage]).toEqual([byLogin.slice(0, 2), true, false]);
    const rest = await page({ o: { field: 'LOGIN' }, first: 2, after: first.pageInfo.endCursor });
    expect([logins(rest), rest.pageInfo.hasNextPage, rest.pageInfo.hasPreviousPage]).toEqual([byLogin.slice(2), false, true]);
    const back = await page({ o: { field: 'LOGIN' }, last: 2, before: rest.pageInfo.startCursor });
    expect(logins(back)).toEqual(byLogin.slice(0, 2));
    const desc = await page({ o: { field: 'CREATED_AT', direction: 'DESC' }, first: 3 });
    expect(logins(desc)).toEqual([...made].reverse());
    const names = await page({ o: { field: 'NAME' }, first: 3 });
    const sortedNames = (await app.db.query(`select display_name from app_user where login = any($1) order by display_name`, [made])).rows.map((r: { display_name: string }) => r.display_name);
    expect(names.edges.map((e: { node: { displayName: string } }) => e.node.displayName)).toEqual(sortedNames);
    // A cursor of one order is refused by another.
    const wrong = await app.as('pl.admin')(P, { o: { field: 'NAME' }, first: 1, after: first.pageInfo.endCursor });
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
  });
});

describe('a seat on another committee (ADMIN)', () => {
  it('the city ADMIN gives a county member a seat; the member switches to the city; a second grant is CONFLICT, an unknown login NOT_FOUND', async () => {
    const { login } = await account('MEMBER', '530102');
    const G = `mutation($i: GrantSeatInput!) { grantSeat(input: $i) { sector term status tenant { code } } }`;
    const i = { login, sector: '经济界', term: '第十四届' };
    expect(codeOf(await app.as('km.staff')(G, { i }))).toBe('FORBIDDEN');
    const r = await app.as('km.admin')(G, { i });
    expect(r.body).toEqual({ data: { grantSeat: { sector: '经济界', term: '第十四届', status: 'ACTIVE', tenant: { code: '530100' } } } });
    const s = (await signIn(login, PASSWORD)).body;
    const sw = await switchCommittee(s.refreshToken, '530100');
    expect((await app.gql(sw.body.accessToken, ME)).body).toEqual({ data: { me: { user: { login }, role: 'MEMBER', tenant: { code: '530100' } } } });
    expect(codeOf(await app.as('km.admin')(G, { i }))).toBe('CONFLICT');
    expect(codeOf(await app.as('km.admin')(G, { i: { ...i, login: uniq('nobody') } }))).toBe('NOT_FOUND');
  });
});

describe('roster import (导入委员名单)', () => {
  const IMPORT = `mutation($csv: String!) { importRoster(csv: $csv) { user { login displayName role } sector title term phone status tenant { code } } }`;

  it('imports every row of a CSV roster (Chinese headers, quoted cells) as MEMBER accounts with seats', async () => {
    const before = (await app.db.query(`select count(*)::int n from member_seat s join tenant t on t.id = s.tenant_id where t.code = '530103'`)).rows[0].n;
    const csv = '\uFEFF姓名,界别,职务,届次,电话\r\n王建华,经济界,常委,第十届,13800001111\r\n"李,明",中国民主同盟,,第十届,\r\n"张""小""红",教育界,委员,第十届,0871-1234567\r\n';
    const r = await app.as('pl.staff')(IMPORT, { csv });
    expect(r.body.errors).toBeUndefined();
    const seats = r.body.data.importRoster;
    expect(seats.map((s: { user: { login: string } }) => ({ ...s, user: { ...s.user, login: /^m530103\.\d{3}$/.test(s.user.login) } }))).toEqual([
      { user: { login: true, displayName: '王建华', role: 'MEMBER' }, sector: '经济界', title: '常委', term: '第十届', phone: '13800001111', status: 'ACTIVE', tenant: { code: '530103' } },
      { user: { login: true, displayName: '李,明', role: 'MEMBER' }, sector: '中国民主同盟', title: null, term: '第十届', phone: null, status: 'ACTIVE', tenant: { code: '530103' } },
      { user: { login: true, displayName: '张"小"红', role: 'MEMBER' }, sector: '教育界', title: '委员', term: '第十届', phone: '0871-1234567', status: 'ACTIVE', tenant: { code: '530103' } },
    ]);
    expect(new Set(seats.map((s: { user: { login: string } }) => s.user.login)).size).toBe(3);
    expect((await app.db.query(`select count(*)::int n from member_seat s join tenant t on t.id = s.tenant_id where t.code = '530103'`)).rows[0].n).toBe(before + 3);
  });

  it('one wrong row: nothing is imported, and every error names its row and field', async () => {
    const count = async () => (await app.db.query('select (select count(*)::int from app_user) u, (select count(*)::int from member_seat) s')).rows[0];
    const before = await count();
    const csv = ['name,sector,title,term,phone', '赵一,经济界,,第十届,13800002222', ',经济界,,第十届,', '钱二,,,,not-a-phone', `孙三,${'长'.repeat(65)},,第十届,`].join('\n');
    const r = await app.as('wh.admin')(IMPORT, { csv });
    expect(r.body).toEqual({
      data: null,
      errors: [{
        message: 'Roster has errors; nothing was imported',
        path: ['importRoster'],
        locations: expect.any(Array),
        extensions: {
          code: 'BAD_USER_INPUT',
          details: {
            errorCount: 5,
            rows: [
              { row: 3, field: 'name', message: 'is required' },
              { row: 4, field: 'sector', message: 'is required' },
              { row: 4, field: 'term', message: 'is required' },
              { row: 4, field: 'phone', message: 'is not a phone number' },
              { row: 5, field: 'sector', message: 'must be at most 64 characters' },
            ],
          },
        },
      }],
    });
    expect(await count()).toEqual(before);
  });

  it('an unknown or missing column is refused at the header; MEMBER and DEPARTMENT may not import', async () => {
    const r = await app.as('wh.staff')(IMPORT, { csv: 'name,sector,email\n赵一,经济界,a@b.c' });
    expect(r.body.errors![0]!.extensions!.details.rows).toEqual([
      { row: 1, field: 'email', message: 'is not a roster column (name/姓名, sector/界别, title/职务, term/届次, phone/电话)' },
      { row: 1, field: 'term', message: 'column is missing' },
    ]);
    for (const login of ['wh.member', 'wh.dept', 'wh.leader']) expect(codeOf(await app.as(login)(IMPORT, { csv: 'name,sector,term\n赵一,经济界,第十届' }))).toBe('FORBIDDEN');
  });
});

describe('roster import from Excel (.xlsx)', () => {
  const IMPORT = `mutation($xlsx: String, $csv: String) { importRoster(xlsx: $xlsx, csv: $csv) { user { displayName role } sector title term phone tenant { code } } }`;
  /** An .xlsx file made by a spreadsheet library, as Base64: the first sheet holds `rows`; a second sheet is ignored. */
  async function workbook(rows: unknown[][]): Promise<string> {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('委员名单');
    rows.forEach((r, i) => {
      if (r.length) sheet.getRow(i + 1).values = r as ExcelJS.CellValue[];
    });
    wb.addWorksheet('说明').addRow(['姓名', '界别']).commit();
    return Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
  }
  const count = async () => (await app.db.query('select (select count(*)::int from app_user) u, (select count(*)::int from member_seat) s')).rows[0];

  it('imports the first sheet: Chinese headers, a phone typed as a number, a formula, blank rows skipped', async () => {
    const xlsx = await workbook([
      ['姓名', '界别', '职务', '届次', '联系电话'],
      ['周文', '经济界', '常委', '第十届', 13800003333],
      [],
      ['吴敏', '教育界', null, { formula: '"第十"&"届"', result: '第十届' }, '0871-7654321'],
    ]);
    const r = await app.as('pl.admin')(IMPORT, { xlsx });
    expect(r.body).toEqual({ data: { importRoster: [
      { user: { displayName: '周文', role: 'MEMBER' }, sector: '经济界', title: '常委', term: '第十届', phone: '13800003333', tenant: { code: '530103' } },
      { user: { displayName: '吴敏', role: 'MEMBER' }, sector: '教育界', title: null, term: '第十届', phone: '0871-7654321', tenant: { code: '530103' } },
    ] } });
  });

  it('one wrong row: nothing is imported, each error names the row as the sheet numbers it and the field', async () => {
    const before = await count();
    const xlsx = await workbook([
      ['name', 'sector', 'title', 'term', 'phone'],
      ['郑一', '经济界', null, '第十届', 13800004444],
      [],
      [null, '经济界', null, '第十届'],
      ['王二', null, null, '第十届', 'call me'],
    ]);
    const r = await app.as('wh.staff')(IMPORT, { xlsx });
    expect(r.body.errors![0]!.message).toBe('Roster has errors; nothing was imported');
    expect(r.body.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', details: { errorCount: 3, rows: [
      { row: 4, field: 'name', message: 'is required' },
      { row: 5, field: 'sector', message: 'is required' },
      { row: 5, field: 'phone', message: 'is not a phone number' },
    ] } });
    expect(await count()).toEqual(before);
  });

  it('a file that is no workbook, both files or neither: BAD_USER_INPUT, nothing written', async () => {
    const before = await count();
    const notXlsx = await app.as('wh.staff')(IMPORT, { xlsx: Buffer.from('姓名,界别,届次\n赵一,经济界,第十届').toString('base64') });
    expect(notXlsx.body.errors![0]).toMatchObject({ message: 'xlsx is not an Excel workbook (.xlsx)', extensions: { code: 'BAD_USER_INPUT', details: { field: 'xlsx' } } });
    expect(codeOf(await app.as('wh.staff')(IMPORT, { xlsx: 'not base64 at all!' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.as('wh.staff')(IMPORT, { xlsx: await workbook([['name', 'sector', 'term'], ['赵一', '经济界', '第十届']]), csv: 'name,sector,term\n赵一,经济界,第十届' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.as('wh.staff')(IMPORT, {}))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.as('wh.member')(IMPORT, { xlsx: await workbook([['name', 'sector', 'term'], ['赵一', '经济界', '第十届']]) }))).toBe('FORBIDDEN');
    expect(await count()).toEqual(before);
  });
});

describe('isolation of the account tables', () => {
  it('as the application role: global tables are unreadable, sessions and audit rows of another committee invisible', async () => {
    const { login } = await account('STAFF', '530102');
    await signIn(login, PASSWORD);
    const appRole = new pg.Client({ connectionString: app.running.db.appUrl });
    await appRole.connect();
    try {
      for (const table of ['account_credential', 'auth_throttle', 'signing_key']) {
        await expect(appRole.query(`select * from ${table}`)).rejects.toThrow(/permission denied/);
      }
      const ids = async (code: string) => (await app.db.query(`select t.id tid, u.id uid from tenant t join app_user u on u.tenant_id = t.id where t.code = $1 and u.role = 'ADMIN'`, [code])).rows[0];
      const count = async (code: string) => {
        const { tid, uid } = await ids(code);
        await appRole.query('begin');
        await appRole.query(`select set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`, [tid, uid]);
        const r = (await appRole.query(`select (select count(*)::int from auth_session s join app_user u on u.id = s.user_id where u.login = $1) sessions,
                                               (select count(*)::int from auth_audit where login = $1) audit`, [login])).rows[0];
        await appRole.query('rollback');
        return r;
      };
      expect(await count('530102')).toEqual({ sessions: 1, audit: 1 });
      for (const code of ['530103', '530100', '530000']) expect(await count(code)).toEqual({ sessions: 0, audit: 0 });
      // Unset settings match nothing.
      expect((await appRole.query('select (select count(*)::int from auth_session) s, (select count(*)::int from auth_audit) a')).rows[0]).toEqual({ s: 0, a: 0 });
    } finally {
      await appRole.end();
    }
  });

  describe('with the ORM filter off (RLS alone)', () => {
    let bare: TestApp;
    beforeAll(async () => {
      bare = await startTestApp({ ormTenantFilter: false });
    });
    afterAll(() => bare.stop());

    it('another committee’s ADMIN cannot list, disable or see the sessions of an account', async () => {
      const login = uniq('bare');
      const id = await bare.createUser(login, '530102', 'STAFF');
      for (const admin of ['pl.admin', 'km.admin', 'yn.admin']) {
        expect((await bare.as(admin)(`query($f: AccountFilter) { accounts(filter: $f) { totalCount edges { node { login } } } }`, { f: { keyword: login } })).body).toEqual({ data: { accounts: { totalCount: 0, edges: [] } } });
        expect(codeOf(await bare.as(admin)(`mutation($id: ID!) { disableAccount(id: $id) { id } }`, { id }))).toBe('NOT_FOUND');
        expect(codeOf(await bare.as(admin)(`query($id: ID!) { accountSessions(id: $id) { id } }`, { id }))).toBe('NOT_FOUND');
      }
      expect((await bare.as('wh.admin')(`query($f: AccountFilter) { accounts(filter: $f) { totalCount edges { node { login } } } }`, { f: { keyword: login } })).body).toEqual({ data: { accounts: { totalCount: 1, edges: [{ node: { login } }] } } });
    });
  });
});
