import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';

/*
 * Records of any type by id cost one statement per type, not one per id: `nodes(ids:)` groups its ids by type
 * and fetches each type with its batch form, and the supervision ledger's `sourceRecord` goes through the same
 * per-request loader. Seen in the statements a request makes (the x-sql-statements header): asking for 50
 * ids of 3 types costs what asking for one of each costs.
 */

const ok = <T = any>(r: { body: { data?: any; errors?: unknown[] } }, field: string): T => {
  expect(r.body.errors).toBeUndefined();
  return r.body.data[field] as T;
};
const statements = (r: { headers: Headers }) => Number(r.headers.get('x-sql-statements'));
const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { id __typename ... on Opinion { title } ... on Meeting { title } ... on SupervisionTask { title } } }`;
const LEDGER = `query($n: Int!) { supervisionLedger(first: $n) { edges { node { id title sourceRecord { id ... on Opinion { title } } } } } }`;

describe('nodes(ids:) and the ledger source records, batched per type', () => {
  let app: TestApp;
  const opinions: string[] = [];
  const meetings: string[] = [];
  const tasks: string[] = [];
  beforeAll(async () => {
    app = await startTestApp();
    app.clock.set(new Date('2026-05-04T01:00:00Z'));
    const staff = app.as('wh.staff');
    const dept = toGlobalId('HandlingUnit', (await app.db.query(`select unit_id from app_user where login = 'wh.dept'`)).rows[0].unit_id);
    for (let i = 1; i <= 18; i++) {
      const o = ok<any>(await staff(`mutation($i: SubmitOpinionInput!) { submitOpinion(input: $i) { id } }`, { i: { title: `关于翠湖周边停车难的第${i}条反映`, content: '周末翠湖周边停车位紧张，群众反映强烈。' } }), 'submitOpinion');
      opinions.push(o.id);
    }
    for (let i = 1; i <= 16; i++) {
      const m = ok<any>(
        await staff(`mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id } }`, {
          i: { kind: 'MEMBERS_HOME', title: `委员之家第${i}期履职活动`, location: '五华区政协委员之家', startsAt: `2026-06-${String(i).padStart(2, '0')}T01:00:00Z`, endsAt: `2026-06-${String(i).padStart(2, '0')}T03:00:00Z` },
        }),
        'scheduleMeeting',
      );
      meetings.push(m.id);
    }
    for (let i = 1; i <= 16; i++) {
      const t = ok<any>(
        await staff(`mutation($i: OpenSupervisionTaskInput!) { openSupervisionTask(input: $i) { id } }`, {
          i: { source: 'INSTRUCTION', sourceRecord: opinions[i - 1], title: `落实区委批示第${i}项`, requirement: '请牵头研究解决翠湖周边停车难问题', owner: dept, deadline: '2026-07-31T09:00:00Z' },
        }),
        'openSupervisionTask',
      );
      tasks.push(t.id);
    }
  });
  afterAll(() => app.stop());

  it('50 ids of 3 types cost the statements of 3 ids, answered in the order given', async () => {
    const staff = app.as('wh.staff');
    const all = [...opinions, ...meetings, ...tasks];
    // Interleaved, with an id of no record and one no valid id: each answered in place.
    const ids = all.flatMap((id, i) => (i === 10 ? [id, toGlobalId('Opinion', '00000000-0000-4000-8000-000000000000'), 'not-an-id'] : [id]));
    expect(all).toHaveLength(50);
    const three = await staff(NODES, { ids: [opinions[0], meetings[0], tasks[0]] });
    const many = await staff(NODES, { ids });
    const got = ok<any[]>(many, 'nodes');
    expect(got.map((n) => n?.id ?? null)).toEqual(ids.map((id, i) => (i === 11 || i === 12 ? null : id)));
    expect(got.filter(Boolean).map((n) => n.__typename)).toEqual([...opinions.map(() => 'Opinion'), ...meetings.map(() => 'Meeting'), ...tasks.map(() => 'SupervisionTask')]);
    console.log(`nodes(ids:): ${statements(three)} SQL statements for 3 ids of 3 types, ${statements(many)} for ${ids.length} ids`);
    expect(statements(many)).toBe(statements(three));

    // node(id:) answers as before, one record at a time.
    const one = ok<any>(await staff(`query($id: ID!) { node(id: $id) { id ... on Meeting { title } } }`, { id: meetings[3] }), 'node');
    expect(one).toEqual({ id: meetings[3], title: '委员之家第4期履职活动' });
  });

  it('the batch reads with the same rule: another committee and a member without a part get nulls', async () => {
    const ids = [opinions[0], meetings[0], tasks[0], opinions[1]];
    expect(ok<any[]>(await app.as('pl.staff')(NODES, { ids }), 'nodes')).toEqual([null, null, null, null]);
    // A member sees neither the office's opinions, nor meetings they are not invited to, nor the ledger.
    expect(ok<any[]>(await app.as('wh.member')(NODES, { ids }), 'nodes')).toEqual([null, null, null, null]);
    // The unit responsible sees its tasks (and not the opinions they came from).
    expect(ok<any[]>(await app.as('wh.dept')(NODES, { ids }), 'nodes')).toEqual([null, null, { id: tasks[0], __typename: 'SupervisionTask', title: '落实区委批示第1项' }, null]);
  });

  it('a ledger page with its source records costs the same for 2 tasks and for 16', async () => {
    const staff = app.as('wh.staff');
    const small = await staff(LEDGER, { n: 2 });
    const large = await staff(LEDGER, { n: 16 });
    const rows = ok<any>(large, 'supervisionLedger').edges.map((e: any) => e.node);
    expect(rows).toHaveLength(16);
    for (const r of rows) expect(r.sourceRecord.title).toMatch(/^关于翠湖周边停车难的第\d+条反映$/);
    expect(new Set(rows.map((r: any) => r.sourceRecord.id)).size).toBe(16);
    console.log(`supervisionLedger with sourceRecord: ${statements(small)} SQL statements for 2 tasks, ${statements(large)} for 16`);
    expect(statements(large)).toBe(statements(small));
    // A department reads its tasks, but not a source it may not see.
    const dept = ok<any>(await app.as('wh.dept')(LEDGER, { n: 16 }), 'supervisionLedger').edges.map((e: any) => e.node);
    expect(dept).toHaveLength(16);
    expect(dept.every((r: any) => r.sourceRecord === null)).toBe(true);
  });
});
