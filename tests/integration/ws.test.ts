import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import type { Client } from 'graphql-ws';
import { signToken } from '../../src/core/auth.js';
import { newId } from '../../src/core/ids.js';
import { TEST_JWT_SECRET } from '../helpers/global-setup.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

function run(client: Client, query: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let result: unknown;
    client.subscribe({ query }, { next: (r) => (result = r), error: reject, complete: () => resolve(result) });
  });
}

function closeCode(client: Client): Promise<number> {
  return new Promise((resolve) => client.on('closed', (e) => resolve((e as { code: number }).code)));
}

/** Whether the server acknowledged the connection, and how the socket closed (after the client disposes, if it was acked). */
async function connectOutcome(client: Client): Promise<{ acked: boolean; code: number }> {
  let acked = false;
  client.on('connected', () => {
    acked = true;
    void client.dispose();
  });
  return { code: await closeCode(client), acked };
}

describe('graphql-ws on /graphql', () => {
  it('refuses a connection without a token with 4403', async () => {
    const client = app.ws();
    expect(await closeCode(client)).toBe(4403);
  });

  it('refuses a forged token with 4403', async () => {
    const client = app.ws('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad');
    expect(await closeCode(client)).toBe(4403);
  });

  it('refuses at connect, with 4403, a validly signed token for an unknown user or committee, a deleted account or an ended seat', async () => {
    const staff = (await app.db.query(`select id, tenant_id from app_user where login = 'pl.staff'`)).rows[0];
    await app.createUser('ws.gone', '530103', 'STAFF');
    const gone = await app.token('ws.gone');
    await app.db.query(`delete from app_user where login = 'ws.gone'`);
    await app.createUser('ws.seat', '530102', 'MEMBER');
    const seat = (await app.db.query(`select u.id, t.id tid, t.province_id, t.city_id from app_user u, tenant t where u.login = 'ws.seat' and t.code = '530100'`)).rows[0];
    await app.db.query(
      `insert into member_seat (id, tenant_id, province_id, city_id, user_id, sector, term, status) values ($1, $2, $3, $4, $5, '经济界', '第九届', 'ENDED')`,
      [newId(), seat.tid, seat.province_id, seat.city_id, seat.id],
    );
    const tokens = {
      unknownUser: await signToken(TEST_JWT_SECRET, { sub: newId(), tid: staff.tenant_id }),
      unknownCommittee: await signToken(TEST_JWT_SECRET, { sub: staff.id, tid: newId() }),
      deletedAccount: gone,
      endedSeat: await signToken(TEST_JWT_SECRET, { sub: seat.id, tid: seat.tid }),
      valid: await app.token('pl.staff'),
    };
    const outcomes: Record<string, { acked: boolean; code: number }> = {};
    for (const [name, token] of Object.entries(tokens)) outcomes[name] = await connectOutcome(app.ws(token));
    expect(outcomes).toEqual({
      unknownUser: { acked: false, code: 4403 },
      unknownCommittee: { acked: false, code: 4403 },
      deletedAccount: { acked: false, code: 4403 },
      endedSeat: { acked: false, code: 4403 },
      valid: { acked: true, code: 1000 },
    });
  });

  it('runs an operation under the same scope and error model as HTTP', async () => {
    const client = app.ws(await app.token('pl.staff'));
    expect(await run(client, `{ me { role tenant { code } } }`)).toEqual({ data: { me: { role: 'STAFF', tenant: { code: '530103' } } } });
    const dept = app.ws(await app.token('pl.dept'));
    expect(await run(dept, `{ members { totalCount } }`)).toEqual({
      data: null,
      errors: [{ message: 'Not allowed for your role', path: ['members'], extensions: { code: 'FORBIDDEN' } }],
    });
  });

  it('a subscription whose token expires is told so (UNAUTHENTICATED) before it completes', { timeout: 30_000 }, async () => {
    const schedule = await app.as('km.staff')(
      `mutation($input: ScheduleDeliberationInput!) { scheduleDeliberation(input: $input) { id } }`,
      { input: { topicTitle: '令牌过期', title: `议政 ${newId()}`, agenda: '一、通报情况', startsAt: '2026-03-01T02:00:00Z', endsAt: '2026-03-01T04:00:00Z', participantIds: [] } },
    );
    const id = schedule.body.data.scheduleDeliberation.id as string;
    expect((await app.as('km.staff')(`mutation($id: ID!) { openDeliberation(id: $id) { status } }`, { id })).body).toEqual({ data: { openDeliberation: { status: 'LIVE' } } });
    const row = (await app.db.query(`select id, tenant_id from app_user where login = 'km.staff'`)).rows[0];
    const shortLived = await signToken(TEST_JWT_SECRET, { sub: row.id, tid: row.tenant_id }, '2s');
    const client = app.ws(shortLived);
    const messages: unknown[] = [];
    const ended = new Promise<string>((resolve) => {
      client.subscribe(
        { query: `subscription($id: ID!) { deliberationEvents(sessionId: $id, afterSeq: 0) { seq kind } }`, variables: { id } },
        { next: (r) => void messages.push(r), error: () => resolve('error'), complete: () => resolve('complete') },
      );
    });
    while (!messages.length) await new Promise((r) => setTimeout(r, 20));
    // Past the token's expiry, the next event wakes the feed, whose read is no longer allowed.
    await new Promise((r) => setTimeout(r, 3000));
    await app.as('km.staff')(`mutation($id: ID!) { pauseDeliberation(id: $id) { status } }`, { id });
    expect(await ended).toBe('complete');
    expect(messages.at(-1)).toEqual({ errors: [{ message: 'Token has expired', extensions: { code: 'UNAUTHENTICATED' } }] });
  });
});
