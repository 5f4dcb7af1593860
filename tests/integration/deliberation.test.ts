import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pino from 'pino';
import pg from 'pg';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { TEST_JWT_SECRET, TEST_PROVINCES } from '../helpers/global-setup.js';
import { toGlobalId } from '../../src/core/global-id.js';
import { newId } from '../../src/core/ids.js';
import { loadConfig } from '../../src/core/config.js';
import { boot, type Running } from '../../src/app/boot.js';
import { ManualClock } from '../../src/core/clock.js';
import { listener, type DutyAct } from '../../src/core/events.js';
import type { Context } from '../../src/core/context.js';

let app: TestApp;
const duty: DutyAct[] = [];
beforeAll(async () => {
  const spy = listener<Context, 'duty.act'>({ id: 'test.duty-spy', event: 'duty.act', handle: async (_ctx, act) => void duty.push(act) });
  app = await startTestApp({}, { modules: [{ name: 'duty-spy', listeners: [spy] }] });
});
afterAll(() => app.stop());

const tenantGid = async (code: string) => toGlobalId('Tenant', (await app.db.query('select id from tenant where code = $1', [code])).rows[0].id);

const SCHEDULE = `mutation($input: ScheduleDeliberationInput!) { scheduleDeliberation(input: $input) { id status lastSeq topicTitle host { code } participants { code } } }`;
const POST = `mutation($input: PostDeliberationMessageInput!) { postDeliberationMessage(input: $input) { seq kind messageKind text actorName } }`;
const SUB = `subscription($id: ID!, $after: Int) { deliberationEvents(sessionId: $id, afterSeq: $after) { seq kind messageKind text hidden hiddenReason actorName status refSeq targetName reason } }`;

/** 昆明 hosts, 五华 takes part; 盘龙 (a sibling of 五华) does not. */
async function liveSession(opts: { open?: boolean } = {}): Promise<string> {
  const r = await app.as('km.staff')(SCHEDULE, {
    input: {
      topicTitle: '推进老旧小区改造',
      title: `议政 ${newId()}`,
      agenda: '一、通报情况；二、委员发言',
      startsAt: '2026-03-01T02:00:00Z',
      endsAt: '2026-03-01T04:00:00Z',
      participantIds: [await tenantGid('530102')],
    },
  });
  const id = r.body.data.scheduleDeliberation.id as string;
  if (opts.open !== false) expect((await app.as('km.staff')(`mutation($id: ID!) { openDeliberation(id: $id) { status } }`, { id })).body).toEqual({ data: { openDeliberation: { status: 'LIVE' } } });
  return id;
}

const join = async (login: string, id: string, tenant?: string) => {
  const r = await app.as(login, tenant)(`mutation($id: ID!) { joinDeliberation(id: $id) { kind } }`, { id });
  expect(r.body).toEqual({ data: { joinDeliberation: { kind: 'JOINED' } } });
};
const post = (login: string, id: string, text: string, messageKind = 'SPEECH') => app.as(login)(POST, { input: { sessionId: id, messageKind, text } });
const sessionUuid = (gid: string) => Buffer.from(gid, 'base64url').toString().split(':')[1]!;
const eventCount = async (gid: string) => (await app.db.query('select count(*)::int n from deliberation_event where session_id = $1', [sessionUuid(gid)])).rows[0].n as number;
const storedSeqs = async (gid: string) => (await app.db.query('select seq from deliberation_event where session_id = $1 order by seq', [sessionUuid(gid)])).rows.map((r) => r.seq as number);

interface Follower {
  events: any[];
  errors: any[];
  completed: Promise<void>;
  isComplete(): boolean;
  stop(): void;
  until(pred: (events: any[]) => boolean, ms?: number): Promise<any[]>;
}

function follow(client: Client, id: string, after?: number): Follower {
  const events: any[] = [];
  const errors: any[] = [];
  let complete = false;
  let resolveDone!: () => void;
  const completed = new Promise<void>((r) => (resolveDone = r));
  const stop = client.subscribe(
    { query: SUB, variables: { id, after } },
    {
      next: (r) => (r.errors ? errors.push(...r.errors) : events.push(r.data!.deliberationEvents)),
      error: (e) => {
        errors.push(e);
        resolveDone();
      },
      complete: () => {
        complete = true;
        resolveDone();
      },
    },
  );
  return {
    events,
    errors,
    completed,
    isComplete: () => complete,
    stop,
    async until(pred, ms = 10_000) {
      const end = Date.now() + ms;
      while (!pred(events)) {
        if (Date.now() > end) throw new Error(`timed out with ${events.length} events: ${JSON.stringify(events.map((e) => e.seq))} ${JSON.stringify(errors)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return events;
    },
  };
}

const messages = (events: any[]) => events.filter((e) => e.kind === 'MESSAGE_POSTED');
const contiguous = (events: any[], from: number) => events.every((e, i) => e.seq === from + i + 1);

describe('sessions and ordered storage', () => {
  it('schedules with the host first among the participants', async () => {
    const r = await app.as('km.staff')(SCHEDULE, {
      input: { topicTitle: '议题', title: '会', startsAt: '2026-03-01T02:00:00Z', endsAt: '2026-03-01T03:00:00Z', participantIds: [await tenantGid('530102'), await tenantGid('530103')] },
    });
    expect(r.body).toEqual({
      data: { scheduleDeliberation: { id: expect.any(String), status: 'SCHEDULED', lastSeq: 0, topicTitle: '议题', host: { code: '530100' }, participants: [{ code: '530100' }, { code: '530102' }, { code: '530103' }] } },
    });
  });

  it('numbers every event without gaps in commit order under concurrent posters, and the stream matches storage', async () => {
    const id = await liveSession();
    await join('wh.member', id);
    await join('km.member', id);
    const f = follow(app.ws(await app.token('wh.member')), id);
    const posters = ['wh.member', 'km.member', 'km.staff'];
    const results = await Promise.all(posters.flatMap((p) => Array.from({ length: 12 }, (_, i) => post(p, id, `${p} 第${i + 1}条`))));
    expect(results.every((r) => r.body.data?.postDeliberationMessage?.kind === 'MESSAGE_POSTED')).toBe(true);
    const seqs = await storedSeqs(id);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const events = await f.until((ev) => messages(ev).length === 36);
    expect(contiguous(events, 0)).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(seqs);
    const stored = (await app.db.query('select seq, text from deliberation_event where session_id = $1 and kind = $2 order by seq', [sessionUuid(id), 'MESSAGE_POSTED'])).rows;
    expect(messages(events).map((e) => ({ seq: e.seq, text: e.text }))).toEqual(stored);
    f.stop();
  });

  it('a member speech is a duty act for the archive, one record per session however often; a comment or staff speech is not', async () => {
    const id = await liveSession();
    await join('wh.member', id);
    const before = duty.length;
    // Two speeches at once: the member's first in the session, both reporting the same act.
    const both = await Promise.all([post('wh.member', id, '建议加快加装电梯'), post('wh.member', id, '再补充一点')]);
    expect(both.map((r) => r.body.errors)).toEqual([undefined, undefined]);
    await post('wh.member', id, '赞同', 'COMMENT');
    await post('km.staff', id, '主持人发言');
    const user = (await app.db.query(`select id, tenant_id from app_user where login = 'wh.member'`)).rows[0];
    const title = (await app.db.query('select title from deliberation_session where id = $1', [sessionUuid(id)])).rows[0].title as string;
    const act = { kind: 'DELIBERATION_SPEECH', userId: user.id, tenantId: user.tenant_id, sourceType: 'DeliberationSession', sourceId: sessionUuid(id), title, occurredAt: new Date('2026-03-01T02:00:00Z') };
    expect(duty.slice(before)).toEqual([act, act]);
    const records = await app.db.query(
      `select r.category, r.title, r.status, r.origin, a.user_id from duty_record r join duty_archive a on a.id = r.archive_id where r.source_key = $1`,
      [`DeliberationSession:${sessionUuid(id)}`],
    );
    expect(records.rows).toEqual([{ category: 'DELIBERATION', title, status: 'VERIFIED', origin: 'AUTO', user_id: user.id }]);
  });

  it('raise hand, floor granted in order, hide with a reason (stays stored)', async () => {
    const id = await liveSession();
    await join('wh.member', id);
    await join('km.member', id);
    const raise = `mutation($id: ID!) { raiseHand(id: $id) { seq kind actorName } }`;
    expect((await app.as('km.member')(raise, { id })).body.data.raiseHand).toMatchObject({ kind: 'HAND_RAISED', actorName: '刘家和' });
    expect((await app.as('wh.member')(raise, { id })).body.data.raiseHand).toMatchObject({ kind: 'HAND_RAISED', actorName: '周明远' });
    expect(codeOf(await app.as('wh.member')(raise, { id }))).toBe('CONFLICT');
    const grant = `mutation($id: ID!) { grantFloor(id: $id) { kind targetName refSeq } }`;
    expect((await app.as('km.staff')(grant, { id })).body).toEqual({ data: { grantFloor: { kind: 'FLOOR_GRANTED', targetName: '刘家和', refSeq: 4 } } });
    expect((await app.as('km.staff')(grant, { id })).body).toEqual({ data: { grantFloor: { kind: 'FLOOR_GRANTED', targetName: '周明远', refSeq: 5 } } });
    expect(codeOf(await app.as('km.staff')(grant, { id }))).toBe('CONFLICT');
    const m = (await post('wh.member', id, '不当言论')).body.data.postDeliberationMessage.seq;
    const hide = `mutation($input: HideDeliberationMessageInput!) { hideDeliberationMessage(input: $input) { kind refSeq reason } }`;
    expect((await app.as('km.staff')(hide, { input: { sessionId: id, seq: m, reason: '与议题无关' } })).body).toEqual({
      data: { hideDeliberationMessage: { kind: 'MESSAGE_HIDDEN', refSeq: m, reason: '与议题无关' } },
    });
    const f = follow(app.ws(await app.token('wh.member')), id, m - 1);
    const ev = await f.until((e) => e.length >= 2);
    expect(ev.slice(0, 2).map((e) => [e.seq, e.kind, e.text, e.hidden, e.hiddenReason])).toEqual([
      [m, 'MESSAGE_POSTED', null, true, '与议题无关'],
      [m + 1, 'MESSAGE_HIDDEN', null, false, null],
    ]);
    expect((await app.db.query('select text from deliberation_event where session_id = $1 and seq = $2', [sessionUuid(id), m])).rows).toEqual([{ text: '不当言论' }]);
    f.stop();
  });
});

describe('a hidden speech earns nothing (屏蔽发言)', () => {
  const HIDE = `mutation($input: HideDeliberationMessageInput!) { hideDeliberationMessage(input: $input) { kind refSeq reason } }`;
  const SHOW = `mutation($input: ShowDeliberationMessageInput!) { showDeliberationMessage(input: $input) { kind refSeq } }`;
  const speechOf = (r: any) => r.body.data.postDeliberationMessage.seq as number;

  it('hiding withdraws the archive credit unless another speech stands; showing it again restores it; a later speech earns it again', async () => {
    const id = await liveSession();
    await join('wh.member', id);
    await join('km.member', id);
    const title = (await app.db.query('select title from deliberation_session where id = $1', [sessionUuid(id)])).rows[0].title as string;
    const credit = async (login: string) => {
      const r = await app.as(login)(`{ dutyArchive(year: 2026) { records { category title origin } } }`);
      return r.body.data.dutyArchive.records.filter((x: any) => x.title === title);
    };
    const earned = [{ category: 'DELIBERATION', title, origin: 'AUTO' }];
    const hide = async (seq: number) => expect((await app.as('km.staff')(HIDE, { input: { sessionId: id, seq, reason: '与议题无关' } })).body).toEqual({ data: { hideDeliberationMessage: { kind: 'MESSAGE_HIDDEN', refSeq: seq, reason: '与议题无关' } } });
    const show = async (seq: number) => expect((await app.as('km.staff')(SHOW, { input: { sessionId: id, seq } })).body).toEqual({ data: { showDeliberationMessage: { kind: 'MESSAGE_SHOWN', refSeq: seq } } });
    const w1 = speechOf(await post('wh.member', id, '第一次发言'));
    const w2 = speechOf(await post('wh.member', id, '第二次发言'));
    const k1 = speechOf(await post('km.member', id, '昆明委员发言'));
    expect([await credit('wh.member'), await credit('km.member')]).toEqual([earned, earned]);

    // 昆明 (the host) moderates its own member and 五华区's alike.
    await hide(k1);
    expect(await credit('km.member')).toEqual([]);
    await hide(w1);
    expect(await credit('wh.member')).toEqual(earned);
    await hide(w2);
    expect(await credit('wh.member')).toEqual([]);
    await show(k1);
    expect(await credit('km.member')).toEqual(earned);
    // A new speech after the credit was withdrawn earns it again; hidden in turn, it goes again.
    const w3 = speechOf(await post('wh.member', id, '第三次发言'));
    expect(await credit('wh.member')).toEqual(earned);
    await hide(w3);
    expect(await credit('wh.member')).toEqual([]);
    await show(w2);
    expect(await credit('wh.member')).toEqual(earned);

    const f = follow(app.ws(await app.token('wh.member')), id, 0);
    const ev = await f.until((e) => e.some((x) => x.kind === 'MESSAGE_SHOWN' && x.refSeq === w2));
    expect(ev.filter((e) => [w1, w2, w3, k1].includes(e.seq)).map((e) => [e.seq, e.text, e.hidden])).toEqual([
      [w1, null, true],
      [w2, '第二次发言', false],
      [k1, '昆明委员发言', false],
      [w3, null, true],
    ]);
    f.stop();
    const again = await app.as('km.staff')(SHOW, { input: { sessionId: id, seq: w2 } });
    expect(again.body.errors?.[0]).toMatchObject({ message: 'The message is not hidden', extensions: { code: 'CONFLICT' } });
    expect(codeOf(await app.as('wh.staff')(SHOW, { input: { sessionId: id, seq: w1 } }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('pl.staff')(SHOW, { input: { sessionId: id, seq: w1 } }))).toBe('NOT_FOUND');
  });
});

describe('subscriptions', () => {
  it('replays then streams live with no gap or duplicate at the boundary', async () => {
    const id = await liveSession();
    await join('wh.member', id);
    for (let i = 0; i < 5; i++) await post('wh.member', id, `回放 ${i}`);
    const f = follow(app.ws(await app.token('km.member')), id, 2);
    const live = Promise.all(Array.from({ length: 10 }, (_, i) => post('km.staff', id, `直播 ${i}`)));
    await live;
    const last = (await storedSeqs(id)).at(-1)!;
    // The subscriber's own ONLINE may be numbered after the posts: it is then the only event beyond `last`.
    const ev = await f.until((e) => e.length > 0 && e.at(-1).seq >= last);
    expect(contiguous(ev, 2)).toBe(true);
    f.stop();
  });

  it('resumes after a forced disconnect with exactly what was missed', async () => {
    const id = await liveSession();
    await join('wh.member', id);
    const token = await app.token('wh.member');
    const c1 = app.ws(token);
    const f1 = follow(c1, id);
    await post('km.staff', id, '第一段');
    const seen = await f1.until((e) => messages(e).length === 1);
    const lastSeen = seen.at(-1).seq;
    c1.terminate();
    await f1.completed;
    for (let i = 0; i < 4; i++) await post('km.staff', id, `断线期间 ${i}`);
    const f2 = follow(app.ws(token), id, lastSeen);
    await post('km.staff', id, '重连之后');
    const ev = await f2.until((e) => e.some((x) => x.text === '重连之后'));
    expect(contiguous(ev, lastSeen)).toBe(true);
    expect(messages(ev).map((e) => e.text)).toEqual(['断线期间 0', '断线期间 1', '断线期间 2', '断线期间 3', '重连之后']);
    f2.stop();
  });

  it('a read that fails for a reason other than authorization is retried: the stream stays open and loses nothing', async () => {
    const id = await liveSession();
    const f = follow(app.ws(await app.token('km.member')), id);
    await f.until((e) => e.some((x) => x.kind === 'ONLINE'));
    const before = f.events.length;
    // The application role may no longer read message texts: posting still works (it reads only the poster's
    // attendance and its own number), every read of the stored events fails with a database error until the
    // grant is back.
    const keys = 'id, seq, session_id, actor_id, kind, tenant_id, participant_ids';
    await app.db.query(`revoke select on deliberation_event from cppcc_app; grant select (${keys}) on deliberation_event to cppcc_app`);
    try {
      expect((await post('km.staff', id, '读取失败期间')).body).toEqual({
        data: { postDeliberationMessage: { seq: before + 1, kind: 'MESSAGE_POSTED', messageKind: 'SPEECH', text: '读取失败期间', actorName: expect.any(String) } },
      });
      await new Promise((r) => setTimeout(r, 400));
      expect({ events: f.events.length, errors: f.errors, complete: f.isComplete() }).toEqual({ events: before, errors: [], complete: false });
    } finally {
      await app.db.query(`revoke select (${keys}) on deliberation_event from cppcc_app; grant select on deliberation_event to cppcc_app`);
    }
    const ev = await f.until((e) => messages(e).length === 1);
    expect(contiguous(ev, 0)).toBe(true);
    expect({ text: messages(ev)[0].text, errors: f.errors, complete: f.isComplete() }).toEqual({ text: '读取失败期间', errors: [], complete: false });
    f.stop();
  });

  it('authorizes at every subscribe, coded as over HTTP: a non-participant gets NOT_FOUND and nothing else, like a missing id; a role that reads no sessions FORBIDDEN; a malformed id BAD_USER_INPUT', async () => {
    const id = await liveSession();
    for (const [login, sid, extensions] of [
      ['pl.member', id, { code: 'NOT_FOUND' }],
      ['pl.staff', id, { code: 'NOT_FOUND' }],
      ['wh.member', toGlobalId('DeliberationSession', newId()), { code: 'NOT_FOUND' }],
      ['wh.dept', id, { code: 'FORBIDDEN' }],
      ['wh.member', 'not-an-id', { code: 'BAD_USER_INPUT', details: { field: 'sessionId' } }],
      ['wh.member', toGlobalId('Proposal', newId()), { code: 'BAD_USER_INPUT', details: { field: 'sessionId' } }],
    ] as const) {
      const f = follow(app.ws(await app.token(login)), sid);
      await f.completed;
      expect({ events: f.events, errors: f.errors }).toEqual({
        events: [],
        errors: [{ message: expect.any(String), path: ['deliberationEvents'], extensions }],
      });
    }
    const msgs = new Set<string>();
    for (const sid of [id, toGlobalId('DeliberationSession', newId())]) {
      const f = follow(app.ws(await app.token('pl.member')), sid);
      await f.completed;
      msgs.add(f.errors[0].message);
    }
    expect(msgs.size).toBe(1);
  });

  it('completes the stream when the session ends; an ended session replays and completes', async () => {
    const id = await liveSession();
    const f = follow(app.ws(await app.token('wh.member')), id);
    await f.until((e) => e.some((x) => x.kind === 'ONLINE'));
    await app.as('km.staff')(`mutation($id: ID!) { endDeliberation(id: $id) { status } }`, { id });
    await f.completed;
    expect(f.isComplete()).toBe(true);
    expect(f.events.at(-1)).toMatchObject({ kind: 'STATUS_CHANGED', status: 'ENDED' });
    const again = follow(app.ws(await app.token('wh.member')), id);
    await again.completed;
    expect(again.events.map((e) => e.seq)).toEqual(await storedSeqs(id));
  });

  it('with the console\'s whole selection, as the host office, the stream ends with the ENDED event, then completes', async () => {
    // The console's selection: `id`, `sessionId` and the rest resolve after a promise, not in the same turn.
    const FULL = `subscription($id: ID!, $after: Int) { deliberationEvents(sessionId: $id, afterSeq: $after) { id seq kind messageKind actorName replyToSeq refSeq targetName status reason hiddenReason at text hidden sessionId } }`;
    const id = await liveSession();
    // The host's office: it reads hidden messages' texts, so `text` asks the moderation rule first.
    const client = app.ws(await app.token('km.staff'));
    const got: { seq: number; kind: string; status: string | null; sessionId: string }[] = [];
    const done = new Promise<void>((resolve, reject) =>
      client.subscribe<{ deliberationEvents: (typeof got)[number] }>({ query: FULL, variables: { id } }, { next: (r) => void got.push(r.data!.deliberationEvents), error: reject, complete: resolve }),
    );
    while (!got.some((e) => e.kind === 'ONLINE')) await new Promise((r) => setTimeout(r, 20));
    await post('km.member', id, '结束前的最后一条发言');
    await app.as('km.staff')(`mutation($id: ID!) { endDeliberation(id: $id) { status } }`, { id });
    await done;
    expect(got.map((e) => e.seq)).toEqual(await storedSeqs(id));
    expect(got.at(-1)).toMatchObject({ kind: 'STATUS_CHANGED', status: 'ENDED', sessionId: id });
  });

  it('presence: who is connected is queryable and changes stream as ONLINE / OFFLINE', async () => {
    const id = await liveSession();
    const q = `query($id: ID!) { deliberationSession(id: $id) { presence { userName connections committee { code } } } }`;
    const watcher = follow(app.ws(await app.token('km.staff')), id);
    await watcher.until((e) => e.some((x) => x.kind === 'ONLINE'));
    const a = follow(app.ws(await app.token('wh.member')), id);
    await a.until((e) => e.length >= 2);
    const b = follow(app.ws(await app.token('wh.member')), id);
    await b.until((e) => e.length >= 2);
    await watcher.until((e) => e.filter((x) => x.kind === 'ONLINE').length === 2);
    expect((await app.as('wh.member')(q, { id })).body).toEqual({
      data: { deliberationSession: { presence: [{ userName: '王春燕', connections: 1, committee: { code: '530100' } }, { userName: '周明远', connections: 2, committee: { code: '530102' } }] } },
    });
    a.stop();
    b.stop();
    await watcher.until((e) => e.some((x) => x.kind === 'OFFLINE'));
    expect(watcher.events.filter((x) => x.kind === 'ONLINE' || x.kind === 'OFFLINE').map((x) => [x.kind, x.actorName])).toEqual([
      ['ONLINE', '王春燕'],
      ['ONLINE', '周明远'],
      ['OFFLINE', '周明远'],
    ]);
    expect((await app.as('km.staff')(q, { id })).body.data.deliberationSession.presence).toEqual([{ userName: '王春燕', connections: 1, committee: { code: '530100' } }]);
    watcher.stop();
  });

  it('connections held by an instance that died do not count as present; the user\'s next connection clears them and is announced', async () => {
    const id = await liveSession();
    const q = `query($id: ID!) { deliberationSession(id: $id) { presence { userName connections } } }`;
    const watcher = follow(app.ws(await app.token('km.staff')), id);
    await watcher.until((e) => e.some((x) => x.kind === 'ONLINE'));
    // What a crashed instance leaves behind: wh.member's row, held by an instance whose connection is gone.
    const user = (await app.db.query(`select id, tenant_id, display_name from app_user where login = 'wh.member'`)).rows[0];
    await app.db.query(
      `insert into deliberation_presence (id, tenant_id, province_id, city_id, participant_ids, session_id, user_id, user_name, user_tenant_id, instance_id, connection_id, created_at, updated_at)
       select $1, tenant_id, province_id, city_id, participant_ids, id, $2, $3, $4, $5, $6, now(), now() from deliberation_session where id = $7`,
      [newId(), user.id, user.display_name, user.tenant_id, newId(), newId(), sessionUuid(id)],
    );
    expect((await app.as('km.staff')(q, { id })).body).toEqual({ data: { deliberationSession: { presence: [{ userName: '王春燕', connections: 1 }] } } });
    const back = follow(app.ws(await app.token('wh.member')), id);
    await watcher.until((e) => e.filter((x) => x.kind === 'ONLINE').length === 2);
    expect({
      presence: (await app.as('km.staff')(q, { id })).body.data.deliberationSession.presence,
      rows: (await app.db.query('select count(*)::int n from deliberation_presence where session_id = $1 and user_id = $2', [sessionUuid(id), user.id])).rows[0].n,
      announced: watcher.events.filter((x) => x.kind === 'ONLINE').map((x) => x.actorName),
    }).toEqual({ presence: [{ userName: '王春燕', connections: 1 }, { userName: '周明远', connections: 1 }], rows: 1, announced: ['王春燕', '周明远'] });
    back.stop();
    watcher.stop();
  });
});

describe('two instances on one database', () => {
  let b: Running;
  const clients: Client[] = [];
  beforeAll(async () => {
    const config = loadConfig({}, { tenantProvinces: [...TEST_PROVINCES], port: 0, host: '127.0.0.1', dataDir: inject('pg').dataDir, databaseUrl: app.dbUrl, jwtSecret: TEST_JWT_SECRET, seedDemo: false });
    b = await boot(config, pino({ level: 'silent' }), new ManualClock(new Date('2026-03-01T02:00:00Z')));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await b.stop();
  });
  const wsB = (token: string) => {
    const c = createClient({ url: b.app.url.replace('http', 'ws'), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, onNonLazyError: () => {}, connectionParams: { authorization: `Bearer ${token}` } });
    clients.push(c);
    return c;
  };

  it('a message posted through instance A reaches a subscriber on instance B, in order', async () => {
    const id = await liveSession();
    await join('wh.member', id);
    const onB = follow(wsB(await app.token('wh.member')), id);
    const onA = follow(app.ws(await app.token('km.member')), id);
    // Both users are announced (ONLINE) before the posts, so the last stored event is the last post.
    await onB.until((e) => e.filter((x) => x.kind === 'ONLINE').length === 2);
    await onA.until((e) => e.filter((x) => x.kind === 'ONLINE').length === 2);
    await Promise.all(Array.from({ length: 8 }, (_, i) => post('wh.member', id, `跨实例 ${i}`)));
    const last = (await storedSeqs(id)).at(-1)!;
    const evB = await onB.until((e) => e.length > 0 && e.at(-1).seq === last);
    const evA = await onA.until((e) => e.length > 0 && e.at(-1).seq === last);
    expect(contiguous(evB, 0)).toBe(true);
    expect(evB.map((e) => e.seq)).toEqual(evA.slice(-evB.length).map((e) => e.seq));
    expect(messages(evB)).toHaveLength(8);
    onA.stop();
    onB.stop();
  });

  it('a dropped notification connection delays delivery but loses nothing', async () => {
    const id = await liveSession();
    const onB = follow(wsB(await app.token('wh.member')), id);
    await onB.until((e) => e.some((x) => x.kind === 'ONLINE'));
    // Posts committed while B's LISTEN connection is down are found after it reconnects.
    b.app.notifier.dropConnection();
    for (let i = 0; i < 3; i++) await post('km.staff', id, `断开通知 ${i}`);
    const ev = await onB.until((e) => messages(e).length === 3, 15_000);
    expect(contiguous(ev, 0)).toBe(true);
    onB.stop();
  });
});

describe('bad input changes nothing', () => {
  it('posting to a session that is not LIVE: INVALID_TRANSITION', async () => {
    const id = await liveSession({ open: false });
    await join('wh.member', id);
    const n = await eventCount(id);
    const r = await post('wh.member', id, '提前发言');
    expect(r.body).toEqual({ data: null, errors: [{ message: 'A session that is SCHEDULED takes no messages', locations: expect.any(Array), path: ['postDeliberationMessage'], extensions: { code: 'INVALID_TRANSITION', details: { from: 'SCHEDULED', to: 'MESSAGE_POSTED' } } }] });
    expect(await eventCount(id)).toBe(n);
  });

  // A member's first speech carries its archive record and commits synchronously; a comment is the message
  // alone and commits without waiting for the disk (postMessage). Both must fail whole at commit.
  it.each([
    ['a member\'s first speech (with its archive record)', 'SPEECH'],
    ['a comment (committed without waiting for the disk)', 'COMMENT'],
  ])('a message whose session ends before it commits, %s: INVALID_TRANSITION from ENDED, and neither it nor an archive record is kept', async (_case, messageKind) => {
    const id = await liveSession();
    await join('wh.member', id);
    await join('km.member', id);
    const records = async () => (await app.db.query(`select count(*)::int n from duty_record where source_key = $1`, [`DeliberationSession:${sessionUuid(id)}`])).rows[0].n as number;
    // A speech that commits is kept with its archive record.
    expect(codeOf(await post('km.member', id, '先发一条'))).toBeUndefined();
    const recordsBefore = await records();
    expect(recordsBefore).toBe(1);
    // A speech below is wh.member's first in the session: it would add a second record.
    const n = await eventCount(id);
    // Another connection holds the session row, as a concurrent writer would, while the message commits.
    const other = await app.db.connect();
    try {
      await other.query('begin');
      await other.query('select 1 from deliberation_session where id = $1 for update', [sessionUuid(id)]);
      const posting = post('wh.member', id, '结束前最后一条', messageKind);
      // The message waits for the row in its commit; meanwhile the session ends.
      for (let i = 0; ; i++) {
        const waiting = (await app.db.query(`select count(*)::int n from pg_stat_activity where usename = 'cppcc_app' and wait_event_type = 'Lock'`)).rows[0].n;
        if (waiting > 0) break;
        if (i > 200) throw new Error('the message never waited for the session row');
        await new Promise((r) => setTimeout(r, 10));
      }
      await other.query(`update deliberation_session set status = 'ENDED' where id = $1`, [sessionUuid(id)]);
      await other.query('commit');
      expect((await posting).body).toEqual({
        data: null,
        errors: [{ message: 'A session that is ENDED takes no messages', locations: expect.any(Array), path: ['postDeliberationMessage'], extensions: { code: 'INVALID_TRANSITION', details: { from: 'ENDED', to: 'MESSAGE_POSTED' } } }],
      });
    } finally {
      other.release();
    }
    expect({ events: await eventCount(id), records: await records(), seqs: await storedSeqs(id) }).toEqual({
      events: n,
      records: recordsBefore,
      seqs: Array.from({ length: n }, (_, i) => i + 1),
    });
    // The request's connection went back to the pool in a clean state: the next requests work as usual.
    const again = await liveSession();
    await join('wh.member', again);
    expect((await post('wh.member', again, '另一场', messageKind)).body).toEqual({
      data: { postDeliberationMessage: { seq: 3, kind: 'MESSAGE_POSTED', messageKind, text: '另一场', actorName: expect.any(String) } },
    });
  });

  it('what reads stored events takes a transaction id, so its commit flushes the WAL before anyone is told (messages commit without waiting for it)', async () => {
    const id = await liveSession();
    expect(codeOf(await post('km.staff', id, '主持人开场', 'COMMENT'))).toBeUndefined();
    const appRole = new pg.Client({ connectionString: app.running.db.appUrl });
    await appRole.connect();
    try {
      const ids = (await app.db.query(`select id, tenant_id from app_user where login = 'km.staff'`)).rows[0];
      await appRole.query('begin');
      const rows = (await appRole.query('select seq from deliberation_events_after($1, $2, $3, 0, 10)', [ids.tenant_id, ids.id, sessionUuid(id)])).rows;
      const xid = (await appRole.query('select pg_current_xact_id_if_assigned() is not null as assigned')).rows[0];
      await appRole.query('rollback');
      expect({ rows, xid }).toEqual({ rows: [{ seq: 1 }, { seq: 2 }], xid: { assigned: true } });
    } finally {
      await appRole.end();
    }
  });

  it('posting as a non-participant committee: NOT_FOUND like a missing id; as a member who has not joined: FORBIDDEN', async () => {
    const id = await liveSession();
    const n = await eventCount(id);
    const foreign = await post('pl.member', id, '越界');
    const missing = await post('pl.member', toGlobalId('DeliberationSession', newId()), '越界');
    expect(foreign.body).toEqual({ data: null, errors: [{ message: 'Deliberation session not found', locations: expect.any(Array), path: ['postDeliberationMessage'], extensions: { code: 'NOT_FOUND' } }] });
    expect(missing.body).toEqual(foreign.body);
    expect(codeOf(await post('wh.member', id, '未加入'))).toBe('FORBIDDEN');
    expect(codeOf(await post('wh.dept', id, '部门'))).toBe('FORBIDDEN');
    expect(await eventCount(id)).toBe(n);
  });

  it('empty, blank and oversized messages: BAD_USER_INPUT naming the field', async () => {
    const id = await liveSession();
    await join('wh.member', id);
    const n = await eventCount(id);
    for (const text of ['', '   ', '长'.repeat(2001)]) {
      const r = await post('wh.member', id, text);
      expect(codeOf(r)).toBe('BAD_USER_INPUT');
      expect(r.body.errors![0]!.extensions!.details.fields.map((f: any) => f.field)).toEqual(['text']);
    }
    expect(codeOf(await app.as('wh.member')(POST, { input: { sessionId: id, messageKind: 'SPEECH', text: '回复', replyToSeq: 999 } }))).toBe('BAD_USER_INPUT');
    expect(await eventCount(id)).toBe(n);
  });

  it('hiding as a non-moderator: FORBIDDEN; an unknown message: NOT_FOUND', async () => {
    const id = await liveSession();
    await join('wh.member', id);
    const m = (await post('wh.member', id, '一条发言')).body.data.postDeliberationMessage.seq;
    const n = await eventCount(id);
    const hide = `mutation($input: HideDeliberationMessageInput!) { hideDeliberationMessage(input: $input) { seq } }`;
    expect(codeOf(await app.as('wh.member')(hide, { input: { sessionId: id, seq: m, reason: 'x' } }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('wh.staff')(hide, { input: { sessionId: id, seq: m, reason: 'x' } }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('pl.staff')(hide, { input: { sessionId: id, seq: m, reason: 'x' } }))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('km.staff')(hide, { input: { sessionId: id, seq: 999, reason: 'x' } }))).toBe('NOT_FOUND');
    expect(await eventCount(id)).toBe(n);
    expect((await app.db.query('select hidden_at from deliberation_event where session_id = $1 and seq = $2', [sessionUuid(id), m])).rows).toEqual([{ hidden_at: null }]);
  });

  it('status steps out of order: INVALID_TRANSITION; a participant cannot run the host session', async () => {
    const id = await liveSession({ open: false });
    const n = await eventCount(id);
    const r = await app.as('km.staff')(`mutation($id: ID!) { pauseDeliberation(id: $id) { status } }`, { id });
    expect(r.body.errors![0]!.extensions).toEqual({ code: 'INVALID_TRANSITION', details: { from: 'SCHEDULED', to: 'PAUSED' } });
    expect(codeOf(await app.as('wh.staff')(`mutation($id: ID!) { openDeliberation(id: $id) { status } }`, { id }))).toBe('FORBIDDEN');
    expect(await eventCount(id)).toBe(n);
  });

  it('afterSeq beyond the end or negative: BAD_USER_INPUT and nothing else', async () => {
    const id = await liveSession();
    const n = await eventCount(id);
    for (const after of [n + 5, -1]) {
      const f = follow(app.ws(await app.token('wh.member')), id, after);
      await f.completed;
      expect(f.events).toEqual([]);
      expect(f.errors.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', details: { field: 'afterSeq' } }]);
    }
    expect(await eventCount(id)).toBe(n);
    expect((await app.db.query('select count(*)::int n from deliberation_presence where session_id = $1', [sessionUuid(id)])).rows[0].n).toBe(0);
  });

  it('scheduling: participants outside the province, bad dates, a foreign role: coded errors, nothing written', async () => {
    const count = async () => (await app.db.query('select count(*)::int n from deliberation_session')).rows[0].n as number;
    const before = await count();
    const base = { topicTitle: '议题', title: '会', startsAt: '2026-03-01T02:00:00Z', endsAt: '2026-03-01T03:00:00Z' };
    expect(codeOf(await app.as('km.staff')(SCHEDULE, { input: { ...base, participantIds: [await tenantGid('130821')] } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.as('km.staff')(SCHEDULE, { input: { ...base, participantIds: [toGlobalId('Tenant', newId())] } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.as('km.staff')(SCHEDULE, { input: { ...base, endsAt: base.startsAt, participantIds: [] } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.as('km.member')(SCHEDULE, { input: { ...base, participantIds: [] } }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('km.staff')(SCHEDULE, { input: { ...base, title: '', participantIds: [] } }))).toBe('BAD_USER_INPUT');
    expect(await count()).toBe(before);
  });
});

describe('isolation', () => {
  it('a sibling committee sees no session by list, id or count', async () => {
    const id = await liveSession();
    const list = await app.as('pl.staff')(`{ deliberationSessions(first: 50) { totalCount edges { node { id } } } }`);
    expect(list.body.data.deliberationSessions.edges.map((e: any) => e.node.id)).not.toContain(id);
    const own = (await app.db.query(`select count(*)::int n from deliberation_session s join tenant t on t.id = any (s.participant_ids) where t.code = '530103'`)).rows[0].n;
    expect(list.body.data.deliberationSessions.totalCount).toBe(own);
    expect((await app.as('pl.staff')(`query($id: ID!) { node(id: $id) { id } }`, { id })).body).toEqual({ data: { node: null } });
    expect((await app.as('pl.staff')(`query($id: ID!) { deliberationSession(id: $id) { id } }`, { id })).body).toEqual({ data: { deliberationSession: null } });
    expect((await app.as('wh.member')(`query($id: ID!) { deliberationSession(id: $id) { id host { code } } }`, { id })).body).toEqual({ data: { deliberationSession: { id, host: { code: '530100' } } } });
  });
});

describe('RLS holds on its own for sessions, events and presence', () => {
  it('raw SQL as the app role sees a session only from the host or a participating committee', async () => {
    const id = sessionUuid(await liveSession());
    const appRole = new pg.Client({ connectionString: app.running.db.appUrl });
    await appRole.connect();
    const tenantId = async (code: string) => (await app.db.query('select id from tenant where code = $1', [code])).rows[0].id as string;
    const counts = async (code: string) => {
      await appRole.query('begin');
      try {
        await appRole.query(`select set_config('app.tenant_id', $1, true)`, [await tenantId(code)]);
        const s = (await appRole.query('select count(*)::int n from deliberation_session where id = $1', [id])).rows[0].n;
        const e = (await appRole.query('select count(*)::int n from deliberation_event where session_id = $1', [id])).rows[0].n;
        const upd = (await appRole.query('update deliberation_session set title = title where id = $1', [id])).rowCount;
        return [s, e, upd];
      } finally {
        await appRole.query('rollback');
      }
    };
    try {
      expect(await counts('530100')).toEqual([1, 1, 1]);
      expect(await counts('530102')).toEqual([1, 1, 1]);
      expect(await counts('530103')).toEqual([0, 0, 0]);
      expect(await counts('530000')).toEqual([0, 0, 0]);
      const forced = await app.db.query(`select relname from pg_class where relname like 'deliberation_%' and relkind = 'r' and relrowsecurity and relforcerowsecurity order by relname`);
      expect(forced.rows.map((r) => r.relname)).toEqual(['deliberation_event', 'deliberation_presence', 'deliberation_session']);
    } finally {
      await appRole.end();
    }
  });
});

describe('demo data', () => {
  it('has an ended session with its transcript, replayed in full to a participant, then completed', async () => {
    const list = await app.as('wh.member')(`{ deliberationSessions(first: 50, filter: { status: ENDED }) { edges { node { id title topicTitle host { code } } } } }`);
    const seeded = list.body.data.deliberationSessions.edges.map((e: any) => e.node).find((n: any) => n.title === '“书香昆明”网络议政会');
    expect(seeded).toEqual({ id: expect.any(String), title: '“书香昆明”网络议政会', topicTitle: '依托“委员书屋”推动全民阅读向社区延伸', host: { code: '530100' } });
    const f = follow(app.ws(await app.token('wh.member')), seeded.id);
    await f.completed;
    expect(f.isComplete()).toBe(true);
    expect(contiguous(f.events, 0)).toBe(true);
    expect(f.events.at(-1)).toMatchObject({ kind: 'STATUS_CHANGED', status: 'ENDED' });
    expect(messages(f.events).map((e) => e.actorName)).toEqual(['王春燕', '刘家和', '周明远', '尹红梅', '尹红梅', '王春燕']);
  });

  it('has a scheduled 五华 session that wh.member can join once it opens', async () => {
    const list = await app.as('wh.member')(`{ deliberationSessions(first: 50, filter: { status: SCHEDULED }) { edges { node { id title host { code } } } } }`);
    const s = list.body.data.deliberationSessions.edges.map((e: any) => e.node).find((n: any) => n.title === '五华区“协商在基层”网络议政会');
    expect(s).toEqual({ id: expect.any(String), title: '五华区“协商在基层”网络议政会', host: { code: '530102' } });
    expect((await app.as('wh.staff')(`mutation($id: ID!) { openDeliberation(id: $id) { status } }`, { id: s.id })).body).toEqual({ data: { openDeliberation: { status: 'LIVE' } } });
    await join('wh.member', s.id);
    expect((await post('wh.member', s.id, '建议把社区“急难小”问题清单化。')).body.data.postDeliberationMessage).toEqual({ seq: 3, kind: 'MESSAGE_POSTED', messageKind: 'SPEECH', text: '建议把社区“急难小”问题清单化。', actorName: '周明远' });
  });
});

describe('sessions on a consultation topic', () => {
  it("take part: the topic's owner and accepted participants only", async () => {
    const t = (await app.as('km.staff')(`mutation { createConsultationTopic(input: { title: "网络议政议题", description: "说明", source: CPPCC, form: NETWORK, year: 2026 }) { id } }`)).body.data.createConsultationTopic.id;
    const inv = (await app.as('km.staff')(`mutation($id: ID!) { inviteToTopic(input: { itemId: $id, committeeCodes: ["530102", "530103"] }) { id committee { code } } }`, { id: t })).body.data.inviteToTopic;
    await app.as('wh.staff')(`mutation($id: ID!) { respondToInvitation(id: $id, accept: true) { status } }`, { id: inv.find((i: any) => i.committee.code === '530102').id });
    const schedule = async (login: string, codes: string[]) =>
      app.as(login)(SCHEDULE, { input: { topicId: t, topicTitle: '网络议政议题', title: '议题议政会', startsAt: '2026-03-01T02:00:00Z', endsAt: '2026-03-01T04:00:00Z', participantIds: await Promise.all(codes.map(tenantGid)) } });
    const ok = await schedule('km.staff', ['530102']);
    expect(ok.body.data.scheduleDeliberation).toMatchObject({ topicTitle: '网络议政议题', participants: [{ code: '530100' }, { code: '530102' }] });
    // 盘龙 has not accepted the topic invitation: it cannot be seated.
    const pending = await schedule('km.staff', ['530102', '530103']);
    expect(pending.body.errors?.[0]).toMatchObject({ message: 'Some committees do not take part in this topic', extensions: { code: 'BAD_USER_INPUT' } });
    // A participant of the topic may host too; a committee that cannot see the topic gets NOT_FOUND.
    expect((await schedule('wh.staff', ['530100'])).body.data.scheduleDeliberation.participants).toEqual([{ code: '530102' }, { code: '530100' }]);
    expect((await schedule('pl.staff', [])).body.errors?.[0]).toMatchObject({ message: 'Consultation topic not found', extensions: { code: 'NOT_FOUND' } });
  });
});
