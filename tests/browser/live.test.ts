import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { browserAvailable, ensureConsoleBuilt, launch, offlineContext, screenshotPath, signInToConsole } from '../helpers/browser.js';

let app: TestApp;
let browser: Browser;
let origin: string;
/** Server ends of the WebSockets the browser opened (their upgrade requests), to drop them from here. */
const browserSockets: Duplex[] = [];

const POST = `mutation($input: PostDeliberationMessageInput!) { postDeliberationMessage(input: $input) { seq } }`;

describe.skipIf(!browserAvailable())('console sign-in, committee switch and live deliberation in headless Chromium', () => {
  beforeAll(async () => {
    await ensureConsoleBuilt();
    app = await startTestApp();
    origin = new URL(app.url).origin;
    app.running.app.httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      if (String(req.headers['user-agent'] ?? '').includes('Chrome')) browserSockets.push(socket);
    });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const signIn = (login: string) => signInToConsole(browser, origin, login);
  const stored = (page: Page) =>
    page.evaluate(() => {
      const ls = (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage;
      return { token: ls.getItem('cppcc.token'), session: JSON.parse(ls.getItem('cppcc.session') ?? 'null') as { refreshToken: string; tenantCode: string } | null };
    });

  it('a wrong password stays on the sign-in screen with the API message', async () => {
    const { context } = await offlineContext(browser, origin);
    const page = await context.newPage();
    await page.goto(origin + '/');
    await page.getByTestId('login').fill('wh.member');
    await page.getByTestId('password').fill('not-the-password');
    await page.getByTestId('signin-button').click();
    await page.getByTestId('signin-error').filter({ hasText: '账号或密码错误' }).waitFor();
    expect((await stored(page)).token).toBeNull();
    await context.close();
  });

  it('a member with seats on 五华区 and 昆明: password sign-in, switch committee, sign-out ends the session on the server', async () => {
    const { page, context, blocked } = await signIn('wh.member');
    expect(await page.getByTestId('viewer').textContent()).toContain('五华区政协');
    const switcher = page.getByTestId('committee-switch');
    expect(await switcher.locator('option').allTextContents()).toEqual(['五华区政协', '昆明市政协']);
    const before = await stored(page);
    expect(before.session?.tenantCode).toBe('530102');

    await switcher.selectOption('530100');
    await page.getByTestId('viewer').filter({ hasText: '昆明市政协' }).waitFor();
    const after = await stored(page);
    expect(after.session?.tenantCode).toBe('530100');
    expect(after.session?.refreshToken).not.toBe(before.session?.refreshToken);
    // The new access token acts for the city committee in the API itself.
    expect((await app.gql(after.token!, '{ me { role tenant { code } } }')).body.data.me).toEqual({ role: 'MEMBER', tenant: { code: '530100' } });

    // And back home.
    await page.getByTestId('committee-switch').selectOption('530102');
    await page.getByTestId('viewer').filter({ hasText: '五华区政协' }).waitFor();
    const home = await stored(page);

    await page.getByTestId('signout').click();
    await page.getByTestId('signin').waitFor();
    expect(await stored(page)).toEqual({ token: null, session: null });
    // Signed out on the server too: the last refresh token is revoked (and the one before the switch was spent).
    const refresh = async (refreshToken: string) => {
      const r = await app.gql(null, 'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }', { t: refreshToken });
      return { status: r.status, code: r.body.errors?.[0]?.extensions?.code };
    };
    expect(await refresh(home.session!.refreshToken)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await refresh(before.session!.refreshToken)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(blocked).toEqual([]);
    await context.close();
  });

  it('staff without other seats get no switch; a pasted operator token still signs in', async () => {
    const { page, context } = await signIn('yn.staff');
    expect(await page.getByTestId('committee-switch').count()).toBe(0);
    await page.getByTestId('signout').click();
    await page.getByTestId('signin').waitFor();
    await page.locator('summary').click();
    await page.getByTestId('token').fill(await app.token('km.staff'));
    await page.getByTestId('token-button').click();
    await page.getByTestId('viewer').filter({ hasText: '昆明市政协' }).waitFor();
    await context.close();
  });

  it('live deliberation: the transcript streams over graphql-ws with presence and raised hands, and resumes after a dropped connection without gaps or duplicates', async () => {
    // 五华区's scheduled demo session, opened by its office.
    const sessions = (await app.as('wh.staff')(`{ deliberationSessions(filter: { status: SCHEDULED }) { edges { node { id title } } } }`)).body.data.deliberationSessions.edges;
    const session = sessions.find((e: { node: { title: string } }) => e.node.title.includes('协商在基层')).node as { id: string; title: string };
    expect((await app.as('wh.staff')(`mutation($id: ID!) { openDeliberation(id: $id) { status } }`, { id: session.id })).body.data.openDeliberation.status).toBe('LIVE');

    const { page, context, blocked } = await signIn('wh.staff');
    const response = await page.reload();
    // The page's policy lets it open its own WebSocket and nothing else.
    expect(response!.headers()['content-security-policy']).toContain(`connect-src 'self' ws://${new URL(origin).host} wss://${new URL(origin).host}`);
    await page.getByTestId('viewer').waitFor();
    await page.getByRole('button', { name: '网络议政' }).click();
    await page.getByTestId('session-link').filter({ hasText: session.title }).click();
    const state = page.getByTestId('live-state');
    await page.locator('[data-testid=live-state][data-state=connected]').waitFor();
    // The office's own connection is announced, and the stored STATUS_CHANGED replayed.
    await page.getByTestId('present').filter({ hasText: '陈雪梅' }).waitFor();
    await page.getByTestId('live-status').filter({ hasText: '进行中' }).waitFor();

    // 周明远 joins, raises his hand, speaks; his own live connection makes him present.
    const member = app.ws(await app.token('wh.member'));
    const seen: number[] = [];
    const memberDone = new Promise<void>((resolve, reject) =>
      member.subscribe<{ deliberationEvents: { seq: number } }>(
        { query: `subscription($id: ID!) { deliberationEvents(sessionId: $id) { seq } }`, variables: { id: session.id } },
        { next: (r) => void seen.push(r.data!.deliberationEvents.seq), error: reject, complete: resolve },
      ),
    );
    await page.getByTestId('present').filter({ hasText: '周明远' }).waitFor();
    const asMember = app.as('wh.member');
    expect((await asMember(`mutation($id: ID!) { joinDeliberation(id: $id) { kind } }`, { id: session.id })).body.errors).toBeUndefined();
    expect((await asMember(`mutation($id: ID!) { raiseHand(id: $id) { kind } }`, { id: session.id })).body.errors).toBeUndefined();
    await page.getByTestId('hand').filter({ hasText: '周明远' }).waitFor();
    // The office grants the floor from the console: the hand goes down.
    await page.getByTestId('grant-floor').click();
    await page.locator('[data-kind=FLOOR_GRANTED]').filter({ hasText: '周明远' }).waitFor();
    expect(await page.getByTestId('hand').count()).toBe(0);
    const speech = '建议在社区党群服务中心设立“协商议事点”，每月收集一次“急难小”问题。';
    expect((await asMember(POST, { input: { sessionId: session.id, messageKind: 'SPEECH', text: speech } })).body.errors).toBeUndefined();
    await page.getByTestId('message').filter({ hasText: speech }).waitFor();
    await page.screenshot({ path: screenshotPath('live-deliberation.png'), fullPage: true });

    // Drop the browser's socket at the server, and post while it reconnects.
    expect(browserSockets.length).toBeGreaterThan(0);
    for (const s of browserSockets.splice(0)) s.destroy();
    const during = ['第一条：断线期间的发言。', '第二条：断线期间的评论。', '第三条：重连前后的发言。'];
    for (const [i, text] of during.entries()) {
      expect((await asMember(POST, { input: { sessionId: session.id, messageKind: i === 1 ? 'COMMENT' : 'SPEECH', text } })).body.errors).toBeUndefined();
    }
    await page.locator('[data-testid=live-state][data-state=connected][data-connections="2"]').waitFor();
    for (const text of during) await page.getByTestId('message').filter({ hasText: text }).waitFor();

    // The session ends: the stream completes, in the console and for the member.
    expect((await app.as('wh.staff')(`mutation($id: ID!) { endDeliberation(id: $id) { status } }`, { id: session.id })).body.data.endDeliberation.status).toBe('ENDED');
    await page.locator('[data-testid=live-state][data-state=ended]').waitFor();
    await memberDone;
    expect(await state.textContent()).toBe('议政会已结束');

    // Every stored event once, in order, and nothing else: the member's unbroken stream says which.
    const lastSeq = (await app.as('wh.staff')(`query($id: ID!) { deliberationSession(id: $id) { lastSeq } }`, { id: session.id })).body.data.deliberationSession.lastSeq as number;
    expect(seen).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    const shown = (await page.locator('[data-testid=transcript] li').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))))) as number[];
    // ONLINE / OFFLINE events change presence and draw no line; every other event is one line.
    const kinds = (await app.db.query(`select seq, kind from deliberation_event where session_id = $1 order by seq`, [app.uuid(session.id)])).rows as { seq: number; kind: string }[];
    expect(kinds.map((k) => k.seq)).toEqual(seen);
    expect(shown).toEqual(kinds.filter((k) => k.kind !== 'ONLINE' && k.kind !== 'OFFLINE').map((k) => k.seq));
    expect(await page.getByTestId('message').allTextContents()).toEqual([speech, ...during]);
    expect(blocked).toEqual([]);
    await context.close();
  });
});
