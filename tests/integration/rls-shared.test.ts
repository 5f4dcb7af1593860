import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { newId } from '../../src/core/ids.js';
import {
  attempt,
  byKeys,
  cloneDatabase,
  committees,
  copyWithNewKey,
  Fixture,
  inScope,
  insertSql,
  readCatalog,
  type Committee,
  type Row,
} from '../helpers/rls.js';

/**
 * Rows that may be seen beyond their owner, each with its expected matrix of who sees it, who may update
 * it, delete it and insert one like it, checked directly in SQL as the application role with each viewer's
 * settings (the statement a request sends): joint items and their invitations, published plans, topics
 * recommended upward, forwarded reports, counters of the subtree, deliberation sessions, and a member's own
 * account and seats. The rows are inserted by the owner; every column a scenario does not set is filled
 * from the catalog like the per-table fixture (rls-tables.test.ts).
 */

const CODES = {
  WH: '530102', // 五华区
  PL: '530103', // 盘龙区
  GD: '530111', // 官渡区
  XS: '530112', // 西山区
  DC: '530113', // 东川区
  KM: '530100', // 昆明市
  QJ: '530300', // 曲靖市
  YN: '530000', // 云南省
  CDX: '130821', // 承德县
  HB: '130000', // 河北省
} as const;
type Code = keyof typeof CODES;

interface Viewer {
  at: Code;
  /** A row key whose id is the user (default: the committee's fixture user). */
  user?: string;
}
interface Expect {
  see: string[];
  update: string[];
  delete: string[];
  insert: string[];
}
interface Scenario {
  name: string;
  viewers: Record<string, Viewer>;
  rows: { key: string; label: string; table: string; at: Code; set: (r: (key: string) => Row) => Row; expect: Expect }[];
}

const only = (...v: string[]) => ({ update: v, delete: v, insert: v });

const SCENARIOS: Scenario[] = [
  {
    name: 'joint research led by 五华: 盘龙 accepted, 官渡 pending, 西山 declined; 东川 (sibling), 昆明 (ancestor), 承德县 (other province) uninvited',
    viewers: { owner: { at: 'WH' }, accepted: { at: 'PL' }, pending: { at: 'GD' }, declined: { at: 'XS' }, sibling: { at: 'DC' }, ancestor: { at: 'KM' }, otherProvince: { at: 'CDX' } },
    rows: [
      { key: 'R', label: 'the project', table: 'research_project', at: 'WH', set: () => ({ status: 'IN_PROGRESS' }), expect: { see: ['owner', 'accepted'], ...only('owner') } },
      { key: 'RO', label: 'an outcome of the project', table: 'research_outcome', at: 'WH', set: (r) => ({ project_id: r('R').id }), expect: { see: ['owner', 'accepted'], ...only('owner') } },
      { key: 'Cown', label: "the lead's own contribution", table: 'research_contribution', at: 'WH', set: (r) => ({ project_id: r('R').id, owner_tenant_id: r('R').tenant_id }), expect: { see: ['owner'], ...only('owner') } },
      { key: 'Cpl', label: "盘龙's contribution", table: 'research_contribution', at: 'PL', set: (r) => ({ project_id: r('R').id, owner_tenant_id: r('R').tenant_id }), expect: { see: ['owner', 'accepted'], ...only('accepted') } },
      { key: 'Dpl', label: "盘龙's draft contribution (its own until submitted)", table: 'research_contribution', at: 'PL', set: (r) => ({ project_id: r('R').id, owner_tenant_id: r('R').tenant_id, status: 'DRAFT' }), expect: { see: ['accepted'], ...only('accepted') } },
      {
        key: 'SCdpl', label: "the history entry of 盘龙's draft", table: 'state_change', at: 'PL',
        set: (r) => ({ owner_tenant_id: r('Dpl').tenant_id, item_type: 'ResearchContribution', item_id: r('Dpl').id, joint_item_id: r('Dpl').id, changes: JSON.stringify([{ field: 'body', before: '初稿', after: '第二稿' }]) }),
        expect: { see: ['accepted'], ...only('accepted') },
      },
      {
        key: 'SCcpl', label: "the history entry of 盘龙's submitted contribution", table: 'state_change', at: 'PL',
        set: (r) => ({ owner_tenant_id: r('R').tenant_id, item_type: 'ResearchContribution', item_id: r('Cpl').id, joint_item_id: r('Cpl').id }),
        expect: { see: ['owner', 'accepted'], ...only('accepted') },
      },
      { key: 'Tpl', label: "盘龙's team member", table: 'research_team_member', at: 'PL', set: (r) => ({ project_id: r('R').id, owner_tenant_id: r('R').tenant_id }), expect: { see: ['owner', 'accepted'], ...only('accepted') } },
      {
        key: 'Ipl', label: "盘龙's accepted invitation", table: 'joint_participant', at: 'PL',
        set: (r) => ({ item_type: 'ResearchProject', item_id: r('R').id, owner_tenant_id: r('R').tenant_id, kind: 'INVITATION', status: 'ACCEPTED' }),
        expect: { see: ['owner', 'accepted'], update: ['owner', 'accepted'], delete: ['owner'], insert: ['owner'] },
      },
      {
        key: 'Igd', label: "官渡's pending invitation", table: 'joint_participant', at: 'GD',
        set: (r) => ({ item_type: 'ResearchProject', item_id: r('R').id, owner_tenant_id: r('R').tenant_id, kind: 'INVITATION', status: 'PENDING' }),
        expect: { see: ['owner', 'accepted', 'pending'], update: ['owner', 'pending'], delete: ['owner'], insert: ['owner'] },
      },
      {
        key: 'Ixs', label: "西山's declined invitation", table: 'joint_participant', at: 'XS',
        set: (r) => ({ item_type: 'ResearchProject', item_id: r('R').id, owner_tenant_id: r('R').tenant_id, kind: 'INVITATION', status: 'DECLINED', reason: '不参加' }),
        expect: { see: ['owner', 'accepted', 'declined'], update: ['owner', 'declined'], delete: ['owner'], insert: ['owner'] },
      },
      {
        key: 'Mpl', label: "盘龙's membership (access index)", table: 'joint_membership', at: 'PL',
        set: (r) => ({ item_type: 'ResearchProject', item_id: r('R').id, owner_tenant_id: r('R').tenant_id, access: 'MEMBER' }),
        expect: { see: ['owner', 'accepted'], update: ['accepted'], delete: ['owner', 'accepted'], insert: ['owner', 'accepted'] },
      },
      {
        key: 'SCgd', label: "the lead's history entry about 官渡's invitation", table: 'state_change', at: 'WH',
        set: (r) => ({ owner_tenant_id: r('R').tenant_id, subject_tenant_id: r('Igd').tenant_id, item_type: 'JointParticipant', item_id: r('Igd').id, joint_item_id: r('R').id }),
        expect: { see: ['owner', 'accepted', 'pending'], ...only('owner') },
      },
      {
        key: 'SCpl', label: "盘龙's history entry of accepting", table: 'state_change', at: 'PL',
        set: (r) => ({ owner_tenant_id: r('R').tenant_id, subject_tenant_id: r('Ipl').tenant_id, item_type: 'JointParticipant', item_id: r('Ipl').id, joint_item_id: r('R').id }),
        expect: { see: ['owner', 'accepted'], ...only('accepted') },
      },
    ],
  },
  {
    name: 'consultation topics of 昆明: one in a draft plan with 五华 accepted, 盘龙 pending, 官渡 declined; one in a published plan; 曲靖 (sibling city), 云南 (ancestor), 河北 (other province)',
    viewers: { owner: { at: 'KM' }, accepted: { at: 'WH' }, pending: { at: 'PL' }, declined: { at: 'GD' }, sibling: { at: 'QJ' }, ancestor: { at: 'YN' }, otherProvince: { at: 'HB' } },
    rows: [
      { key: 'Pd', label: 'the draft plan', table: 'consultation_plan', at: 'KM', set: () => ({ year: 2031, status: 'DRAFT' }), expect: { see: ['owner'], ...only('owner') } },
      { key: 'T1', label: 'the joint topic of the draft plan', table: 'consultation_topic', at: 'KM', set: (r) => ({ plan_id: r('Pd').id, plan_published: false, year: 2031 }), expect: { see: ['owner', 'accepted'], ...only('owner') } },
      { key: 'S1', label: 'a suggestion of the joint topic', table: 'consultation_suggestion', at: 'KM', set: (r) => ({ topic_id: r('T1').id }), expect: { see: ['owner', 'accepted'], ...only('owner') } },
      {
        key: 'Iwh', label: "五华's accepted invitation", table: 'joint_participant', at: 'WH',
        set: (r) => ({ item_type: 'ConsultationTopic', item_id: r('T1').id, owner_tenant_id: r('T1').tenant_id, kind: 'INVITATION', status: 'ACCEPTED' }),
        expect: { see: ['owner', 'accepted'], update: ['owner', 'accepted'], delete: ['owner'], insert: ['owner'] },
      },
      {
        key: 'Ipl', label: "盘龙's pending invitation", table: 'joint_participant', at: 'PL',
        set: (r) => ({ item_type: 'ConsultationTopic', item_id: r('T1').id, owner_tenant_id: r('T1').tenant_id, kind: 'INVITATION', status: 'PENDING' }),
        expect: { see: ['owner', 'accepted', 'pending'], update: ['owner', 'pending'], delete: ['owner'], insert: ['owner'] },
      },
      {
        key: 'Igd', label: "官渡's declined invitation", table: 'joint_participant', at: 'GD',
        set: (r) => ({ item_type: 'ConsultationTopic', item_id: r('T1').id, owner_tenant_id: r('T1').tenant_id, kind: 'INVITATION', status: 'DECLINED', reason: '不参加' }),
        expect: { see: ['owner', 'accepted', 'declined'], update: ['owner', 'declined'], delete: ['owner'], insert: ['owner'] },
      },
      {
        key: 'Mwh', label: "五华's membership", table: 'joint_membership', at: 'WH',
        set: (r) => ({ item_type: 'ConsultationTopic', item_id: r('T1').id, owner_tenant_id: r('T1').tenant_id, access: 'MEMBER' }),
        expect: { see: ['owner', 'accepted'], update: ['accepted'], delete: ['owner', 'accepted'], insert: ['owner', 'accepted'] },
      },
      { key: 'Pp', label: 'the published plan (descendants read it)', table: 'consultation_plan', at: 'KM', set: () => ({ year: 2032, status: 'PUBLISHED' }), expect: { see: ['owner', 'accepted', 'pending', 'declined'], ...only('owner') } },
      { key: 'T2', label: 'a topic of the published plan', table: 'consultation_topic', at: 'KM', set: (r) => ({ plan_id: r('Pp').id, plan_published: true, year: 2032 }), expect: { see: ['owner', 'accepted', 'pending', 'declined'], ...only('owner') } },
      { key: 'S2', label: 'a suggestion of that topic (nobody took it up)', table: 'consultation_suggestion', at: 'KM', set: (r) => ({ topic_id: r('T2').id }), expect: { see: ['owner'], ...only('owner') } },
    ],
  },
  {
    name: '五华 recommends a topic upward to 昆明; 云南 (not sent to), 盘龙 (sibling), 承德县 (other province)',
    viewers: { owner: { at: 'WH' }, recipient: { at: 'KM' }, unsentAncestor: { at: 'YN' }, sibling: { at: 'PL' }, otherProvince: { at: 'CDX' } },
    rows: [
      { key: 'P', label: "五华's draft plan", table: 'consultation_plan', at: 'WH', set: () => ({ year: 2033, status: 'DRAFT' }), expect: { see: ['owner'], ...only('owner') } },
      { key: 'T', label: 'the recommended topic', table: 'consultation_topic', at: 'WH', set: (r) => ({ plan_id: r('P').id, plan_published: false, year: 2033 }), expect: { see: ['owner', 'recipient'], ...only('owner') } },
      { key: 'S', label: 'a suggestion of it (not shared by a recommendation)', table: 'consultation_suggestion', at: 'WH', set: (r) => ({ topic_id: r('T').id }), expect: { see: ['owner'], ...only('owner') } },
      {
        key: 'Rkm', label: 'the recommendation (at 昆明)', table: 'joint_participant', at: 'KM',
        set: (r) => ({ item_type: 'ConsultationTopic', item_id: r('T').id, owner_tenant_id: r('T').tenant_id, kind: 'RECOMMENDATION', status: 'PENDING' }),
        expect: { see: ['owner', 'recipient'], update: ['owner', 'recipient'], delete: ['owner'], insert: ['owner'] },
      },
      {
        key: 'Mkm', label: "昆明's VIEW access", table: 'joint_membership', at: 'KM',
        set: (r) => ({ item_type: 'ConsultationTopic', item_id: r('T').id, owner_tenant_id: r('T').tenant_id, access: 'VIEW' }),
        expect: { see: ['owner', 'recipient'], update: ['recipient'], delete: ['owner', 'recipient'], insert: ['owner'] },
      },
    ],
  },
  {
    name: "五华's public-opinion report forwarded to 昆明; 云南 (not reached), 盘龙 (sibling), 承德县 (other province)",
    viewers: { owner: { at: 'WH' }, reached: { at: 'KM' }, unreached: { at: 'YN' }, sibling: { at: 'PL' }, otherProvince: { at: 'CDX' } },
    rows: [
      { key: 'O', label: 'the report', table: 'opinion', at: 'WH', set: () => ({}), expect: { see: ['owner', 'reached'], ...only('owner') } },
      {
        key: 'L0', label: "五华's own level", table: 'opinion_route', at: 'WH',
        set: (r) => ({ opinion_id: r('O').id, origin_tenant_id: r('O').tenant_id, from_tenant_id: null, depth: 2 }),
        expect: { see: ['owner'], ...only('owner') },
      },
      {
        key: 'L1', label: 'the level at 昆明', table: 'opinion_route', at: 'KM',
        set: (r) => ({ opinion_id: r('O').id, origin_tenant_id: r('O').tenant_id, from_tenant_id: r('O').tenant_id, depth: 1 }),
        expect: { see: ['owner', 'reached'], update: ['reached'], delete: ['owner'], insert: ['owner'] },
      },
    ],
  },
  ...['stat_counter', 'stat_counter_year'].map(
    (table): Scenario => ({
      name: `${table}: aggregates of the subtree (五华, 盘龙 under 昆明 under 云南; 承德县 under 河北)`,
      viewers: { county: { at: 'WH' }, sibling: { at: 'PL' }, city: { at: 'KM' }, province: { at: 'YN' }, otherCounty: { at: 'CDX' }, otherProvince: { at: 'HB' } },
      rows: (
        [
          ['WH', ['county', 'city', 'province']],
          ['PL', ['sibling', 'city', 'province']],
          ['KM', ['city', 'province']],
          ['YN', ['province']],
          ['CDX', ['otherCounty', 'otherProvince']],
          ['HB', ['otherProvince']],
        ] as [Code, string[]][]
      ).map(([at, see]) => ({ key: at, label: `the counter of ${CODES[at]}`, table, at, set: () => ({ metric: 'rls.matrix', own: 1, subtree: 1 }), expect: { see, ...only() } })),
    }),
  ),
  {
    name: 'a deliberation session hosted by 昆明 with 五华 taking part; 盘龙 (not taking part), 云南 (ancestor), 承德县 (other province)',
    viewers: { host: { at: 'KM' }, participant: { at: 'WH' }, nonParticipant: { at: 'PL' }, ancestor: { at: 'YN' }, otherProvince: { at: 'CDX' } },
    rows: [
      {
        key: 'D', label: 'the session', table: 'deliberation_session', at: 'KM', set: (r) => ({ participant_ids: [r('#KM').id, r('#WH').id], status: 'LIVE' }),
        expect: { see: ['host', 'participant'], update: ['host', 'participant'], delete: ['host'], insert: ['host'] },
      },
      {
        key: 'E', label: 'a message by 五华', table: 'deliberation_event', at: 'KM', set: (r) => ({ participant_ids: r('D').participant_ids, session_id: r('D').id, actor_tenant_id: r('#WH').id, kind: 'MESSAGE_POSTED' }),
        expect: { see: ['host', 'participant'], update: ['host', 'participant'], delete: ['host', 'participant'], insert: ['host', 'participant'] },
      },
      {
        key: 'Pr', label: "a 五华 member's presence", table: 'deliberation_presence', at: 'KM', set: (r) => ({ participant_ids: r('D').participant_ids, session_id: r('D').id, user_tenant_id: r('#WH').id }),
        expect: { see: ['host', 'participant'], update: ['host', 'participant'], delete: ['host', 'participant'], insert: ['host', 'participant'] },
      },
    ],
  },
  {
    name: 'a remote joint meeting hosted by 昆明 with a venue at 五华; 盘龙 (not taking part), 云南 (ancestor), 承德县 (other province)',
    viewers: { host: { at: 'KM' }, participant: { at: 'WH' }, nonParticipant: { at: 'PL' }, ancestor: { at: 'YN' }, otherProvince: { at: 'CDX' } },
    rows: [
      { key: 'MT', label: 'the meeting', table: 'meeting', at: 'KM', set: (r) => ({ participant_ids: [r('#KM').id, r('#WH').id], remote: true }), expect: { see: ['host', 'participant'], ...only('host') } },
      {
        key: 'Vkm', label: "the host's own venue", table: 'meeting_venue', at: 'KM', set: (r) => ({ meeting_id: r('MT').id, host_tenant_id: r('#KM').id }),
        expect: { see: ['host'], ...only('host') },
      },
      {
        key: 'Vwh', label: "五华's venue (its figures)", table: 'meeting_venue', at: 'WH', set: (r) => ({ meeting_id: r('MT').id, host_tenant_id: r('#KM').id, invited: 3, present: 2 }),
        expect: { see: ['host', 'participant'], update: ['participant'], delete: ['host'], insert: ['host'] },
      },
      {
        key: 'Awh', label: "a 五华 member's attendance", table: 'meeting_attendance', at: 'WH', set: (r) => ({ meeting_id: r('MT').id, venue_id: r('Vwh').id, status: 'CHECKED_IN' }),
        expect: { see: ['participant'], ...only('participant') },
      },
      {
        key: 'Nwh', label: "a 五华 member's notice", table: 'meeting_notice', at: 'WH', set: (r) => ({ meeting_id: r('MT').id, attendance_id: r('Awh').id }),
        expect: { see: ['participant'], ...only('participant') },
      },
    ],
  },
  {
    name: "a 五华 member (U) with a seat on 昆明 too: U's own rows follow U, not the committee",
    viewers: { selfAtHome: { at: 'WH', user: 'U' }, selfAtSeat: { at: 'KM', user: 'U' }, seatStaff: { at: 'KM' }, homeStaff: { at: 'WH' }, sibling: { at: 'PL' } },
    rows: [
      { key: 'U', label: "U's account", table: 'app_user', at: 'WH', set: () => ({ role: 'MEMBER' }), expect: { see: ['selfAtHome', 'selfAtSeat', 'homeStaff', 'seatStaff'], ...only('selfAtHome', 'homeStaff') } },
      { key: 'Skm', label: "U's seat on 昆明", table: 'member_seat', at: 'KM', set: (r) => ({ user_id: r('U').id }), expect: { see: ['selfAtHome', 'selfAtSeat', 'seatStaff'], ...only('selfAtSeat', 'seatStaff') } },
    ],
  },
];

const db = await cloneDatabase();
const catalog = await readCatalog(db.admin);
let C: Record<string, Committee>;
let fx: Fixture;
/** Built rows: `${scenario index}:${key}`. */
const built = new Map<string, Row>();

beforeAll(async () => {
  C = await committees(db.admin, Object.values(CODES));
  fx = new Fixture(catalog);
  SCENARIOS.forEach((s, i) => {
    const ref = (key: string): Row => {
      if (key.startsWith('#')) return { id: C[CODES[key.slice(1) as Code]]!.id };
      const r = built.get(`${i}:${key}`);
      if (!r) throw new Error(`${s.name}: row ${key} is used before it is built`);
      return r;
    };
    for (const r of s.rows) {
      const at = C[CODES[r.at]]!;
      const row = { ...fx.build(r.table, at, (parent) => fx.mainRow(parent, at)), ...r.set(ref) };
      fx.pending.push({ table: r.table, row });
      built.set(`${i}:${r.key}`, row);
    }
  });
  for (const code of Object.values(CODES)) fx.mainRow('app_user', C[code]!);
  await fx.flush(db.admin);
});
afterAll(() => db.close());

const q = pg.escapeIdentifier;

SCENARIOS.forEach((s, i) => {
  describe(s.name, () => {
    for (const r of s.rows) {
      const e = r.expect;
      const list = (v: string[]) => (v.length ? v.join(', ') : 'nobody');
      it(`${r.label} (${r.table}): seen by ${list(e.see)}; updated by ${list(e.update)}; deleted by ${list(e.delete)}; inserted by ${list(e.insert)}`, async () => {
        const t = catalog.get(r.table)!;
        const row = built.get(`${i}:${r.key}`)!;
        const key = byKeys(t, [row]);
        const col = q(t.columns.find((c) => !t.pk.includes(c.name))!.name);
        const copy = t.grants.insert ? copyWithNewKey(t, row) : row;
        const ins = insertSql(r.table, copy);
        const got: Record<string, unknown> = {};
        const want: Record<string, unknown> = {};
        for (const [name, v] of Object.entries(s.viewers)) {
          const userId = (v.user ? built.get(`${i}:${v.user}`)!.id : fx.main.get('app_user')!.get(CODES[v.at])!.id) as string;
          got[name] = await inScope(db.app, { tenantId: C[CODES[v.at]]!.id, userId }, async (c) => {
            const see = await attempt(c, `select count(*)::int n from ${q(r.table)} where ${key.where}`, key.params);
            const upd = await attempt(c, `update ${q(r.table)} set ${col} = ${col} where ${key.where}`, key.params, { undo: true });
            const del = await attempt(c, `delete from ${q(r.table)} where ${key.where}`, key.params, { undo: true });
            const add = await attempt(c, ins.sql, ins.params, { undo: true });
            return {
              see: see.refusal ?? see.rows[0].n,
              update: upd.refusal ?? upd.rowCount,
              delete: del.refusal ?? del.rowCount,
              // Any outcome but a refusal (a duplicate key, say) means the policy let the row through.
              insert: add.refusal === 'rls' || add.refusal === 'privilege' ? add.refusal : 'passes',
            };
          });
          const g = t.grants;
          want[name] = {
            see: !g.select ? 'privilege' : e.see.includes(name) ? 1 : 0,
            update: !g.update ? 'privilege' : e.update.includes(name) ? 1 : 0,
            delete: !g.delete ? 'privilege' : e.delete.includes(name) ? 1 : 0,
            insert: !g.insert ? 'privilege' : e.insert.includes(name) ? 'passes' : 'rls',
          };
        }
        expect(got).toEqual(want);
      });
    }
  });
});

/**
 * Insert policies once checked only the new row's own tenant columns, so a committee could write a row naming
 * itself that opened another committee's item or report to it. Migration 0014 checks the item the row names.
 */
describe('insert policies check the item a row names (migration 0014)', () => {
  const research = 0;
  const opinion = SCENARIOS.findIndex((s) => s.rows.some((r) => r.table === 'opinion'));
  const deliberation = SCENARIOS.findIndex((s) => s.rows.some((r) => r.table === 'deliberation_session'));
  const user = (code: string) => fx.main.get('app_user')!.get(code)!.id as string;

  it("东川 (uninvited sibling) cannot give itself a joint_membership on 五华's project and so read it", async () => {
    const project = built.get(`${research}:R`)!;
    const dc = C[CODES.DC]!;
    await inScope(db.app, { tenantId: dc.id, userId: user(dc.code) }, async (c) => {
      const forged = { id: newId(), tenant_id: dc.id, province_id: dc.provinceId, city_id: dc.cityId, item_type: 'ResearchProject', item_id: project.id, owner_tenant_id: project.tenant_id, access: 'MEMBER' };
      const ins = insertSql('joint_membership', forged);
      await attempt(c, ins.sql, ins.params);
      const seen = (await c.query('select count(*)::int n from research_project where id = $1', [project.id])).rows[0].n;
      expect(seen).toBe(0);
    });
  });

  it("盘龙 (sibling) cannot write itself a level of 五华's report and so read it", async () => {
    const report = built.get(`${opinion}:O`)!;
    const pl = C[CODES.PL]!;
    await inScope(db.app, { tenantId: pl.id, userId: user(pl.code) }, async (c) => {
      const forged = { id: newId(), opinion_id: report.id, tenant_id: pl.id, province_id: pl.provinceId, city_id: pl.cityId, origin_tenant_id: report.tenant_id, from_tenant_id: pl.id, depth: 2, received_at: new Date() };
      const ins = insertSql('opinion_route', forged);
      await attempt(c, ins.sql, ins.params);
      const seen = (await c.query('select count(*)::int n from opinion where id = $1', [report.id])).rows[0].n;
      expect(seen).toBe(0);
    });
  });

  it("盘龙 (not taking part) cannot put an event into 昆明's session that its participants then read", async () => {
    const session = built.get(`${deliberation}:D`)!;
    const pl = C[CODES.PL]!;
    const wh = C[CODES.WH]!;
    const event = {
      id: newId(), tenant_id: pl.id, province_id: pl.provinceId, city_id: pl.cityId, participant_ids: [...(session.participant_ids as string[]), pl.id],
      session_id: session.id, seq: 9999, kind: 'MESSAGE_POSTED', actor_id: newId(), actor_name: '冒名', actor_tenant_id: pl.id, text: '越界', at: new Date(),
    };
    await inScope(db.app, { tenantId: pl.id, userId: user(pl.code) }, async (c) => {
      const ins = insertSql('deliberation_event', event);
      await attempt(c, ins.sql, ins.params);
    }, { commit: true });
    try {
      await inScope(db.app, { tenantId: wh.id, userId: user(wh.code) }, async (c) => {
        const seen = (await c.query('select count(*)::int n from deliberation_event where id = $1', [event.id])).rows[0].n;
        expect(seen).toBe(0);
      });
    } finally {
      await db.admin.query('delete from deliberation_event where id = $1', [event.id]);
    }
  });
});
