import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Provider from 'oidc-provider';
import { decodeJwt } from 'jose';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';

/**
 * SSO sign-in against a real OpenID Connect provider (oidc-provider, its development login screens) started
 * here on its own port: our /auth/oidc/start sends the browser there, the person signs in and consents, the
 * provider sends the browser to our callback with a code, and we answer our own tokens for the linked account.
 * The "browser" is fetch with manual redirects and a cookie jar.
 */

const CLIENT_SECRET = 'a client secret of the test provider, long enough';
let provider: http.Server;
let issuer: string;
let app: TestApp;
let base: string;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  const appPort = await freePort();
  base = `http://127.0.0.1:${appPort}`;
  provider = http.createServer();
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', () => r()));
  issuer = `http://127.0.0.1:${(provider.address() as net.AddressInfo).port}`;
  const oidc = new Provider(issuer, {
    clients: [{ client_id: 'cppcc-linkage', client_secret: CLIENT_SECRET, redirect_uris: [`${base}/auth/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
    pkce: { methods: ['S256'], required: () => true },
    // The person's subject is their login at the provider; an employee number claim stands for an SSO's own id.
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub, employee_no: `E-${sub}` }) }),
    claims: { openid: ['sub'], profile: ['employee_no'] },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['cookie key of the test provider'] },
  });
  provider.on('request', oidc.callback());
  app = await startTestApp({
    port: appPort,
    oidc: { issuer, clientId: 'cppcc-linkage', clientSecret: CLIENT_SECRET, redirectUri: `${base}/auth/oidc/callback`, scopes: 'openid', subjectClaim: 'sub', allowHttp: true },
  });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await new Promise((r) => provider?.close(r));
});

/** A browser: follows redirects itself, keeps cookies (by name; both servers are on 127.0.0.1), submits the provider's forms. */
async function browse(start: string, person: { login: string }, options: { tamper?: (url: URL) => void } = {}) {
  const jar = new Map<string, string>();
  const visited: string[] = [];
  let url = start;
  let method = 'GET';
  let form: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const u = new URL(url);
    if (u.pathname === '/auth/oidc/callback') options.tamper?.(u);
    visited.push(`${u.port === new URL(base).port ? 'app' : 'provider'} ${method} ${u.pathname}`);
    const res = await fetch(u, {
      method,
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), 'accept-language': 'en', ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form?.toString(),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = pair!.split('=');
      if (/max-age=0/i.test(c) || /expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(k!);
      else jar.set(k!, v.join('='));
    }
    form = undefined;
    method = 'GET';
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, u).href;
      continue;
    }
    const text = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(text)?.[1];
    if (res.status === 200 && action && u.port !== new URL(base).port) {
      const prompt = /name="prompt" value="([^"]+)"/.exec(text)![1]!;
      form = new URLSearchParams({ prompt, ...(prompt === 'login' ? { login: person.login, password: 'any password' } : {}) });
      method = 'POST';
      url = new URL(action, u).href;
      continue;
    }
    return { status: res.status, text, body: JSON.parse(text), visited, jar };
  }
  throw new Error(`too many hops: ${visited.join(' → ')}`);
}

const LINK = `mutation($id: ID!, $s: String) { linkOidcSubject(id: $id, subject: $s) { login } }`;
const ME = '{ me { user { login } role tenant { code } } }';

describe('OIDC sign-in (authorization code + PKCE) against a provider started in the test', () => {
  it('a linked person signs in through the provider and gets our tokens for their account', async () => {
    const id = await app.createUser('oidc.staff', '530102', 'STAFF', '单点登录');
    expect((await app.as('wh.admin')(LINK, { id, s: 'zhang.san' })).body).toEqual({ data: { linkOidcSubject: { login: 'oidc.staff' } } });
    const r = await browse(`${base}/auth/oidc/start`, { login: 'zhang.san' });
    expect(r.visited[0]).toBe('app GET /auth/oidc/start');
    expect(r.visited).toContain('provider POST /interaction/' + r.visited.find((v) => v.startsWith('provider POST'))!.split('/interaction/')[1]);
    expect(r.visited.at(-1)).toBe('app GET /auth/oidc/callback');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accessToken: expect.any(String), accessTokenExpiresAt: expect.any(String), refreshToken: expect.stringMatching(/^rt1\./), refreshTokenExpiresAt: expect.any(String), tenantCode: '530102' });
    expect(decodeJwt(r.body.accessToken).iss).toBe('cppcc-linkage');
    expect((await app.gql(r.body.accessToken, ME)).body).toEqual({ data: { me: { user: { login: 'oidc.staff' }, role: 'STAFF', tenant: { code: '530102' } } } });
    // The session is like any other: it refreshes, and the audit log says how it began.
    const refreshed = await app.gql(null, `mutation($t: String!) { refreshSession(refreshToken: $t) { tenantCode } }`, { t: r.body.refreshToken });
    expect(refreshed.body).toEqual({ data: { refreshSession: { tenantCode: '530102' } } });
    const audit = await app.as('wh.admin')(`query { authAuditLog(login: "oidc.staff") { event detail } }`);
    expect(audit.body.data.authAuditLog).toEqual([
      { event: 'REFRESH', detail: null },
      { event: 'SIGN_IN', detail: 'oidc' },
      { event: 'OIDC_LINKED', detail: 'linked by wh.admin' },
    ]);
    // The flow's cookie was cleared: the callback cannot be replayed with it.
    expect(r.jar.has('cppcc_oidc')).toBe(false);
  });

  it('a subject nobody linked is refused, and no account is created', async () => {
    const users = async () => (await app.db.query('select count(*)::int n from app_user')).rows[0].n;
    const before = await users();
    const r = await browse(`${base}/auth/oidc/start`, { login: 'li.si' });
    expect([r.status, r.body]).toEqual([401, { errors: [{ message: 'No account is linked to this identity; ask an administrator', extensions: { code: 'UNAUTHENTICATED' } }] }]);
    expect(await users()).toBe(before);
  });

  it('a disabled account is refused like an unlinked one; unlinking stops the sign-in', async () => {
    const id = await app.createUser('oidc.leader', '530102', 'LEADER');
    await app.as('wh.admin')(LINK, { id, s: 'wang.wu' });
    expect((await browse(`${base}/auth/oidc/start`, { login: 'wang.wu' })).status).toBe(200);
    await app.as('wh.admin')(`mutation($id: ID!) { disableAccount(id: $id) { id } }`, { id });
    expect((await browse(`${base}/auth/oidc/start`, { login: 'wang.wu' })).status).toBe(401);
    await app.as('wh.admin')(`mutation($id: ID!) { enableAccount(id: $id) { id } }`, { id });
    await app.as('wh.admin')(LINK, { id, s: null });
    expect((await browse(`${base}/auth/oidc/start`, { login: 'wang.wu' })).status).toBe(401);
  });

  it('a callback with a tampered state, or without the flow cookie, is refused', async () => {
    const id = await app.createUser('oidc.member', '530102', 'MEMBER');
    await app.as('wh.admin')(LINK, { id, s: 'zhao.liu' });
    const tampered = await browse(`${base}/auth/oidc/start`, { login: 'zhao.liu' }, { tamper: (u) => u.searchParams.set('state', 'made-up') });
    expect([tampered.status, tampered.body.errors[0].extensions.code]).toEqual([400, 'BAD_USER_INPUT']);
    const bare = await fetch(`${base}/auth/oidc/callback?code=abc&state=def`, { headers: { 'accept-language': 'en' } });
    expect([bare.status, ((await bare.json()) as { errors: { message: string }[] }).errors[0]!.message]).toEqual([400, 'The sign-in flow is not valid or has expired; start again']);
  });

  it('linking: only an ADMIN, only accounts of their committee, one account per subject', async () => {
    const id = await app.createUser('oidc.other', '530102', 'STAFF');
    expect(codeOf(await app.as('wh.staff')(LINK, { id, s: 'x.y' }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('pl.admin')(LINK, { id, s: 'x.y' }))).toBe('NOT_FOUND');
    const taken = await app.as('wh.admin')(LINK, { id, s: 'zhang.san' });
    expect(taken.body.errors![0]).toMatchObject({ message: 'This identity is already linked to another account', extensions: { code: 'CONFLICT' } });
    expect((await app.db.query(`select count(*)::int n from oidc_link where subject = 'x.y'`)).rows[0].n).toBe(0);
  });
});

describe('without OIDC configured', () => {
  let plain: TestApp;
  beforeAll(async () => {
    plain = await startTestApp();
  });
  afterAll(() => plain.stop());

  it('there is no /auth/oidc route, and linking is BAD_USER_INPUT', async () => {
    expect((await fetch(plain.url.replace('/graphql', '/auth/oidc/start'), { redirect: 'manual' })).status).toBe(404);
    const id = await plain.createUser('no.oidc', '530102', 'STAFF');
    expect(codeOf(await plain.as('wh.admin')(LINK, { id, s: 'a.b' }))).toBe('BAD_USER_INPUT');
  });
});
