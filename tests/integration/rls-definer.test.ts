import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { APP_ROLE } from '../../src/core/database.js';
import { newId } from '../../src/core/ids.js';
import { attempt, cloneDatabase, committees, Fixture, inScope, insertSql, readCatalog, type Committee, type Row, type Scope } from '../helpers/rls.js';

/**
 * The functions that run as the owner (security definer) are outside RLS: on the embedded server the owner
 * is a superuser, so FORCE does not restrict them. Each must check the committee it writes for against the
 * acting one itself (migration 0008). Called here directly as the application role with 五华's settings, on
 * rows of 盘龙 (sibling), 昆明 (parent) and 承德县 (other province): refused with 42501, nothing moves; the
 * calls the services make for 五华 itself still work. The list of definer functions comes from the catalog.
 */

/** Every security-definer function of the application schema, reviewed: why it is safe to run as owner. */
const DEFINERS: Record<string, { why: string; appMayExecute: boolean }> = {
  app_tenant_path: { why: "returns the acting committee's own path, nothing else", appMayExecute: true },
  opinion_reached: { why: 'answers only whether the acting committee holds a level of the report', appMayExecute: true },
  stat_record: { why: 'counts for the acting committee or one below it (checked)', appMayExecute: true },
  stat_record_item: { why: 'counts the acting committee, one below it, or the owner of a joint item both take part in (checked)', appMayExecute: true },
  stat_track_deadline: { why: "tracks the acting committee's own deadlines only (checked)", appMayExecute: true },
  stat_settle_deadline: { why: "settles the acting committee's own deadlines only (checked)", appMayExecute: true },
  stat_sweep_overdue: { why: "sweeps the acting committee's subtree only (checked)", appMayExecute: true },
  app_joint_item_owner: { why: 'names the owner of a project or topic by its id, for the insert policies of participations (0014); reveals nothing without the id', appMayExecute: true },
  app_takeable_topic: { why: "answers whether a topic is in a published plan of the acting committee's ancestor (0014)", appMayExecute: true },
  app_opinion_owner: { why: 'names the owner of a report by its id, for the insert policy of report levels (0014); reveals nothing without the id', appMayExecute: true },
  auth_credential: { why: 'the credential of a login, for sign-in, which comes before any committee (0011)', appMayExecute: true },
  auth_set_password: { why: "sets the password of the caller's own account or of an account of the acting committee only (checked; the resolver checks the role)", appMayExecute: true },
  auth_throttle_wait: { why: 'reads failed sign-in counters by login and address (0011)', appMayExecute: true },
  auth_throttle_fail: { why: 'counts one failed sign-in for a login and an address (0011)', appMayExecute: true },
  auth_throttle_clear: { why: 'clears the counter of a login after a successful sign-in (0011)', appMayExecute: true },
  auth_oidc_account: { why: 'the account an OIDC subject is linked to, for SSO sign-in, which comes before any committee (0020)', appMayExecute: true },
  auth_oidc_link: { why: 'links an account of the acting committee only to an OIDC subject (checked under the caller\'s RLS settings; the resolver checks the role) (0020)', appMayExecute: true },
  auth_signing_keys: { why: 'the signing keys still accepted, for signing and verifying tokens; private keys are stored encrypted (0013)', appMayExecute: true },
  auth_add_signing_key: { why: 'adds a signing key and retires the current one (rotation, 0013)', appMayExecute: true },
  stat_move_deadline: { why: "moves the acting committee's own open deadlines only (checked, 0041)", appMayExecute: true },
  stat_record_once: { why: 'counts a fact once per item for the acting committee or one below it, like stat_record (0010)', appMayExecute: true },
  app_enqueue_job: { why: 'adds a background job for the acting committee only: it stamps the committee and user into the payload and prefixes the key with the committee (0030), so it can neither pose as another committee nor replace its jobs', appMayExecute: true },
  stat_bump: { why: 'internal to the functions above; not executable by the application role', appMayExecute: false },
  stat_counter_year_add: { why: 'internal to the year-total trigger; not executable by the application role', appMayExecute: false },
  stat_counter_year_sync: { why: 'trigger function (cannot be called directly)', appMayExecute: true },
  stat_counter_year_clear: { why: 'trigger function (cannot be called directly)', appMayExecute: true },
  stat_apply_pending: { why: "adds to the counters only the calling transaction's own notes, which only the checked functions above write (0110)", appMayExecute: true },
  stat_pending_commit: { why: 'trigger function (cannot be called directly) (0110)', appMayExecute: true },
};

const CODES = { WH: '530102', PL: '530103', KM: '530100', YN: '530000', QJ: '530300', CDX: '130821' } as const;
type Code = keyof typeof CODES;
const NOW = '2026-03-01T02:00:00Z';
const FAR_AHEAD = '2100-01-01T00:00:00Z';
const METRIC = 'rls.definer';

const db = await cloneDatabase();
const catalog = await readCatalog(db.admin);
let C: Record<Code, Committee>;
const rows: Record<string, Row> = {};
const user: Partial<Record<Code, string>> = {};
const scope = (code: Code): Scope => ({ tenantId: C[code].id, userId: user[code]! });

beforeAll(async () => {
  const byCode = await committees(db.admin, Object.values(CODES));
  C = Object.fromEntries(Object.entries(CODES).map(([k, code]) => [k, byCode[code]!])) as Record<Code, Committee>;
  const fx = new Fixture(catalog);
  const add = (key: string, table: string, at: Code, set: Row = {}) => {
    const row = { ...fx.build(table, C[at], (parent) => fx.mainRow(parent, C[at])), ...set };
    fx.pending.push({ table, row });
    rows[key] = row;
    return row;
  };
  for (const code of Object.keys(CODES) as Code[]) user[code] = fx.mainRow('app_user', C[code]).id as string;
  // 盘龙's project that invited 五华 (the invitation links them), and one that did not; a project of 昆明.
  const invitingProject = add('plInviting', 'research_project', 'PL');
  add('plOther', 'research_project', 'PL');
  add('kmProject', 'research_project', 'KM');
  add('whInvitation', 'joint_participant', 'WH', { item_type: 'ResearchProject', item_id: invitingProject.id, owner_tenant_id: C.PL.id, kind: 'INVITATION', status: 'PENDING' });
  // 昆明's topics: one in a published plan (a descendant may take it up), one in a draft plan.
  const published = add('kmPublished', 'consultation_plan', 'KM', { year: 2041, status: 'PUBLISHED' });
  const draft = add('kmDraft', 'consultation_plan', 'KM', { year: 2042, status: 'DRAFT' });
  add('kmTopic', 'consultation_topic', 'KM', { plan_id: published.id, plan_published: true, year: 2041 });
  add('kmDraftTopic', 'consultation_topic', 'KM', { plan_id: draft.id, plan_published: false, year: 2042 });
  // A deadline of each committee, long past and unanswered.
  for (const code of ['WH', 'PL', 'KM', 'CDX'] as Code[]) {
    add(`deadline${code}`, 'stat_deadline', code, { item_key: `Proposal:${newId()}`, metric: METRIC, due_at: '2025-01-15T00:00:00Z', settled_at: null, counted: false });
  }
  // A deadline of each committee still to come, for stat_move_deadline (after the far-ahead sweep's reach).
  for (const code of ['WH', 'PL', 'KM', 'CDX'] as Code[]) {
    add(`open${code}`, 'stat_deadline', code, { item_key: `Proposal:${newId()}`, metric: METRIC, due_at: '2199-01-15T00:00:00Z', settled_at: null, counted: false });
  }
  // 盘龙's live session with one numbered event, and a report of 盘龙's.
  const session = add('plSession', 'deliberation_session', 'PL', { status: 'LIVE', last_seq: 1 });
  add('plEvent', 'deliberation_event', 'PL', { session_id: session.id, seq: 1, kind: 'MESSAGE_POSTED' });
  add('plOpinion', 'opinion', 'PL');
  await fx.flush(db.admin);
});
afterAll(() => db.close());

/** A definer call as the acting committee; its outcome ('ok' or the SQLSTATE). */
const call = async (c: pg.PoolClient, sql: string, params: unknown[]) => {
  const r = await attempt(c, sql, params);
  return r.ok ? 'ok' : r.code;
};
const counters = async (metric: string) =>
  Object.fromEntries(
    (await db.admin.query(`select t.code, sum(c.own)::int own, sum(c.subtree)::int subtree from stat_counter c join tenant t on t.id = c.tenant_id where c.metric = $1 group by t.code order by t.code`, [metric])).rows.map((r) => [
      r.code,
      { own: r.own, subtree: r.subtree },
    ]),
  );
const deadline = async (key: string) => (await db.admin.query('select counted, settled_at from stat_deadline where item_key = $1', [rows[key]!.item_key])).rows[0];

describe('security-definer functions, from the catalog', () => {
  it('every security-definer function of the application schema is on the reviewed list, and the application role may execute exactly the expected ones', async () => {
    const found = (await db.admin.query(
      `select p.proname, has_function_privilege($1, p.oid, 'execute') as x from pg_proc p where p.pronamespace = 'public'::regnamespace and p.prosecdef order by 1`,
      [APP_ROLE],
    )).rows;
    expect(Object.fromEntries(found.map((r) => [r.proname, r.x]))).toEqual(Object.fromEntries(Object.entries(DEFINERS).map(([n, d]) => [n, d.appMayExecute])));
  });

  it('the internal ones (stat_bump, stat_counter_year_add) are refused to the application role outright', async () => {
    await inScope(db.app, scope('WH'), async (c) => {
      expect({
        bump: await call(c, `select stat_bump($1, $2, '2026-03-01', 1, 1)`, [C.PL.id, METRIC]),
        yearAdd: await call(c, `select stat_counter_year_add($1, $2, '2026-01-01', $3, 1, 1)`, [C.PL.id, C.PL.path, METRIC]),
      }).toEqual({ bump: '42501', yearAdd: '42501' });
    });
  });
});

describe('the counter functions, called as the application role acting for 五华', () => {
  it('stat_record for 盘龙, 昆明 or 承德县 is refused (42501); for itself it counts, and only its own and its ancestors’ subtree figures move', async () => {
    const got = await inScope(
      db.app,
      scope('WH'),
      async (c) => ({
        PL: await call(c, 'select stat_record($1, $2, $3, 1, false)', [C.PL.id, METRIC, NOW]),
        KM: await call(c, 'select stat_record($1, $2, $3, 1, false)', [C.KM.id, METRIC, NOW]),
        CDX: await call(c, 'select stat_record($1, $2, $3, 1, false)', [C.CDX.id, METRIC, NOW]),
        unknown: await call(c, 'select stat_record($1, $2, $3, 1, false)', [newId(), METRIC, NOW]),
        WH: await call(c, 'select stat_record($1, $2, $3, 1, false)', [C.WH.id, METRIC, NOW]),
      }),
      { commit: true },
    );
    expect(got).toEqual({ PL: '42501', KM: '42501', CDX: '42501', unknown: '42501', WH: 'ok' });
    expect(await counters(METRIC)).toEqual({ [CODES.YN]: { own: 0, subtree: 1 }, [CODES.KM]: { own: 0, subtree: 1 }, [CODES.WH]: { own: 1, subtree: 1 } });
  });

  it('an ancestor (昆明) may credit a committee below it (a report it adopted), not one beside it (曲靖) or above it (云南)', async () => {
    await inScope(db.app, scope('KM'), async (c) => {
      expect({
        WH: await call(c, 'select stat_record($1, $2, $3, 1, false)', [C.WH.id, 'rls.credit', NOW]),
        QJ: await call(c, 'select stat_record($1, $2, $3, 1, false)', [C.QJ.id, 'rls.credit', NOW]),
        YN: await call(c, 'select stat_record($1, $2, $3, 1, false)', [C.YN.id, 'rls.credit', NOW]),
      }).toEqual({ WH: 'ok', QJ: '42501', YN: '42501' });
    });
  });

  it('stat_record_item: counting 盘龙, 昆明 or 承德县 into an item 五华 has no part in is refused; itself, and the owner of an item it is invited to or takes up, it may', async () => {
    const item = (type: string, key: string) => `${type}:${rows[key]!.id}`;
    const sql = 'select stat_record_item($1, $2, $3, $4, true)';
    const got = await inScope(db.app, scope('WH'), async (c) => ({
      siblingsOtherProject: await call(c, sql, [item('ResearchProject', 'plOther'), 'research.projects', C.PL.id, NOW]),
      parentsProject: await call(c, sql, [item('ResearchProject', 'kmProject'), 'research.projects', C.KM.id, NOW]),
      parentsDraftTopic: await call(c, sql, [item('ConsultationTopic', 'kmDraftTopic'), 'topic.joint', C.KM.id, NOW]),
      otherProvince: await call(c, sql, [`ResearchProject:${newId()}`, 'research.projects', C.CDX.id, NOW]),
      notAnItem: await call(c, sql, ['ResearchProject:17', 'research.projects', C.PL.id, NOW]),
      itself: await call(c, sql, [item('ResearchProject', 'plOther'), 'research.projects', C.WH.id, NOW]),
      ownerOfItsInvitation: await call(c, sql, [item('ResearchProject', 'plInviting'), 'research.projects', C.PL.id, NOW]),
      ownerOfAPublishedTopic: await call(c, sql, [item('ConsultationTopic', 'kmTopic'), 'topic.joint', C.KM.id, NOW]),
    }));
    expect(got).toEqual({
      siblingsOtherProject: '42501',
      parentsProject: '42501',
      parentsDraftTopic: '42501',
      otherProvince: '42501',
      notAnItem: '42501',
      itself: 'ok',
      ownerOfItsInvitation: 'ok',
      ownerOfAPublishedTopic: 'ok',
    });
  });

  it("stat_track_deadline for 盘龙, 昆明 or 承德县 is refused; for itself it tracks", async () => {
    const sql = 'select stat_track_deadline($1, $2, $3, $4)';
    await inScope(db.app, scope('WH'), async (c) => {
      expect({
        PL: await call(c, sql, [`Proposal:${newId()}`, METRIC, C.PL.id, FAR_AHEAD]),
        KM: await call(c, sql, [`Proposal:${newId()}`, METRIC, C.KM.id, FAR_AHEAD]),
        CDX: await call(c, sql, [`Proposal:${newId()}`, METRIC, C.CDX.id, FAR_AHEAD]),
        WH: await call(c, sql, [`Proposal:${newId()}`, METRIC, C.WH.id, FAR_AHEAD]),
      }).toEqual({ PL: '42501', KM: '42501', CDX: '42501', WH: 'ok' });
    });
  });

  it("stat_settle_deadline on a deadline of 盘龙, 昆明 or 承德县 is refused and leaves it open", async () => {
    const sql = 'select stat_settle_deadline($1, $2)';
    const got = await inScope(
      db.app,
      scope('WH'),
      async (c) => ({
        PL: await call(c, sql, [rows.deadlinePL!.item_key, NOW]),
        KM: await call(c, sql, [rows.deadlineKM!.item_key, NOW]),
        CDX: await call(c, sql, [rows.deadlineCDX!.item_key, NOW]),
      }),
      { commit: true },
    );
    expect(got).toEqual({ PL: '42501', KM: '42501', CDX: '42501' });
    expect([await deadline('deadlinePL'), await deadline('deadlineKM'), await deadline('deadlineCDX')]).toEqual(Array(3).fill({ counted: false, settled_at: null }));
  });

  it("stat_move_deadline on a deadline of 盘龙, 昆明 or 承德县 is refused and leaves it where it was; its own it moves", async () => {
    const sql = 'select stat_move_deadline($1, $2)';
    const later = '2199-03-01T00:00:00Z';
    const got = await inScope(
      db.app,
      scope('WH'),
      async (c) => ({
        PL: await call(c, sql, [rows.openPL!.item_key, later]),
        KM: await call(c, sql, [rows.openKM!.item_key, later]),
        CDX: await call(c, sql, [rows.openCDX!.item_key, later]),
        WH: await call(c, sql, [rows.openWH!.item_key, later]),
      }),
      { commit: true },
    );
    expect(got).toEqual({ PL: '42501', KM: '42501', CDX: '42501', WH: 'ok' });
    const due = async (key: string) => ((await db.admin.query('select due_at from stat_deadline where item_key = $1', [rows[key]!.item_key])).rows[0].due_at as Date).toISOString();
    expect({ PL: await due('openPL'), KM: await due('openKM'), CDX: await due('openCDX'), WH: await due('openWH') }).toEqual({
      PL: '2199-01-15T00:00:00.000Z',
      KM: '2199-01-15T00:00:00.000Z',
      CDX: '2199-01-15T00:00:00.000Z',
      WH: '2199-03-01T00:00:00.000Z',
    });
  });

  it("stat_sweep_overdue with a clock far ahead counts 五华's own overdue deadlines only: 盘龙's, 昆明's and 承德县's stay uncounted", async () => {
    const before = await counters(METRIC);
    const n = await inScope(db.app, scope('WH'), async (c) => (await c.query('select stat_sweep_overdue($1) n', [FAR_AHEAD])).rows[0].n, { commit: true });
    expect(n).toBeGreaterThanOrEqual(1);
    expect({
      WH: (await deadline('deadlineWH')).counted,
      PL: (await deadline('deadlinePL')).counted,
      KM: (await deadline('deadlineKM')).counted,
      CDX: (await deadline('deadlineCDX')).counted,
    }).toEqual({ WH: true, PL: false, KM: false, CDX: false });
    const after = await counters(METRIC);
    // The January 2025 bucket is not the one stat_record used above: only 五华's deadline lands there.
    const jan = (await db.admin.query(`select t.code, own::int, subtree::int from stat_counter c join tenant t on t.id = c.tenant_id where metric = $1 and bucket = '2025-01-01' order by 1`, [METRIC])).rows;
    expect(jan).toEqual([
      { code: CODES.YN, own: 0, subtree: 1 },
      { code: CODES.KM, own: 0, subtree: 1 },
      { code: CODES.WH, own: 1, subtree: 1 },
    ].sort((a, b) => a.code.localeCompare(b.code)));
    expect(after[CODES.PL]).toEqual(before[CODES.PL]);
    expect(after[CODES.CDX]).toEqual(before[CODES.CDX]);
  });

  it('stat_rollup_read (runs with the caller’s rights) returns 五华’s figures and none of 盘龙’s, 昆明’s or 承德县’s', async () => {
    // Under a committee's settings, as the workflow writes counters: the trigger keeping stat_counter_year runs
    // as the owner, which FORCE holds on a server where the owner is not a superuser.
    await inScope(db.admin, scope('WH'), (c) => c.query(
      `insert into stat_counter (tenant_id, path, bucket, metric, own, subtree) select id, path, '2026-03-01', 'rls.rollup', 5, 5 from tenant where id = any ($1) on conflict do nothing`,
      [[C.WH.id, C.PL.id, C.KM.id, C.CDX.id]],
    ), { commit: true });
    const got = await inScope(db.app, scope('WH'), async (c) =>
      (await c.query(
        `select t.code, r.own::int from stat_rollup_read($1::timestamptz, $2::uuid[], array['rls.rollup'], array[]::text[], 2026, 2026, '2026-03-01', '2026-04-01', '2026-04-01', '2026-04-01') r join tenant t on t.id = r.tenant_id`,
        [NOW, [C.WH.id, C.PL.id, C.KM.id, C.CDX.id]],
      )).rows,
    );
    expect(got).toEqual([{ code: CODES.WH, own: 5 }]);
  });

  it("counters move at commit (0110): an open transaction's count is its own until then, stat_apply_pending of another transaction does not apply it, and the application role cannot reach the notes", async () => {
    const metric = 'rls.pending';
    const read = (c: pg.PoolClient) =>
      c.query(
        `select t.code, r.own::int, r.subtree::int from stat_rollup_read($1::timestamptz, $2::uuid[], array[$3], array[]::text[], 2026, 2026, '2026-03-01', '2026-04-01', '2026-04-01', '2026-04-01') r join tenant t on t.id = r.tenant_id`,
        [NOW, [C.WH.id], metric],
      ).then((r) => r.rows);
    const during = await inScope(
      db.app,
      scope('WH'),
      async (c) => {
        await c.query('select stat_record($1, $2, $3, 1, false)', [C.WH.id, metric, NOW]);
        const other = await inScope(db.app, scope('KM'), async (k) => ({
          applied: (await k.query('select stat_apply_pending() n')).rows[0].n,
          notes: (await attempt(k, 'select count(*) from stat_pending')).refusal,
          write: (await attempt(k, `insert into stat_pending (committee_id, path, bucket, metric, own, subtree) values ($1, $2, '2026-03-01', $3, 1, 1)`, [C.KM.id, C.KM.path, metric])).refusal,
        }), { commit: true });
        return { other, committedSoFar: await counters(metric), ownRead: await read(c) };
      },
      { commit: true },
    );
    expect(during).toEqual({ other: { applied: 0, notes: 'privilege', write: 'privilege' }, committedSoFar: {}, ownRead: [{ code: CODES.WH, own: 1, subtree: 1 }] });
    expect(await counters(metric)).toEqual({ [CODES.YN]: { own: 0, subtree: 1 }, [CODES.KM]: { own: 0, subtree: 1 }, [CODES.WH]: { own: 1, subtree: 1 } });
    // Counted and rolled back: nothing moves, and nothing is left behind.
    await inScope(db.app, scope('WH'), (c) => c.query('select stat_record($1, $2, $3, 5, false)', [C.WH.id, metric, NOW]));
    expect(await counters(metric)).toEqual({ [CODES.YN]: { own: 0, subtree: 1 }, [CODES.KM]: { own: 0, subtree: 1 }, [CODES.WH]: { own: 1, subtree: 1 } });
    expect((await db.admin.query('select count(*)::int n from stat_pending')).rows[0].n).toBe(0);
  });

  it("opinion_reached and app_tenant_path answer for 五华 only: 盘龙's report reads as not reached", async () => {
    await inScope(db.app, scope('WH'), async (c) => {
      expect((await c.query('select opinion_reached($1) r, app_tenant_path() p', [rows.plOpinion!.id])).rows[0]).toEqual({ r: false, p: C.WH.path });
    });
  });

  it('with no acting committee every counter function refuses (42501) and the read helpers answer nothing', async () => {
    const got = await inScope(db.app, { tenantId: '', userId: '' }, async (c) => ({
      record: await call(c, 'select stat_record($1, $2, $3, 1, false)', [C.WH.id, METRIC, NOW]),
      recordItem: await call(c, 'select stat_record_item($1, $2, $3, $4, true)', [`ResearchProject:${rows.plOther!.id}`, 'research.projects', C.WH.id, NOW]),
      track: await call(c, 'select stat_track_deadline($1, $2, $3, $4)', [`Proposal:${newId()}`, METRIC, C.WH.id, FAR_AHEAD]),
      settle: await call(c, 'select stat_settle_deadline($1, $2)', [rows.deadlineWH!.item_key, NOW]),
      sweep: await call(c, 'select stat_sweep_overdue($1)', [FAR_AHEAD]),
      move: await call(c, 'select stat_move_deadline($1, $2)', [rows.openWH!.item_key, FAR_AHEAD]),
      reached: (await c.query('select opinion_reached($1) r', [rows.plOpinion!.id])).rows[0].r,
      path: (await c.query('select app_tenant_path() p')).rows[0].p,
    }));
    expect(got).toEqual({ record: '42501', recordItem: '42501', track: '42501', settle: '42501', sweep: '42501', move: '42501', reached: false, path: null });
  });
});

describe('the deliberation functions, as the application role acting for 五华', () => {
  it("deliberation_events_after refuses to read 盘龙's session for 盘龙 inside a transaction acting for 五华; without settings (the live feed) it reads under the scope it is given", async () => {
    const args = [C.PL.id, user.PL, rows.plSession!.id];
    const inside = await inScope(db.app, scope('WH'), async (c) => call(c, 'select seq from deliberation_events_after($1, $2, $3, 0, 10)', args));
    const feed = await inScope(db.app, null, async (c) => (await c.query('select seq from deliberation_events_after($1, $2, $3, 0, 10)', args)).rows);
    const asWh = await inScope(db.app, null, async (c) => (await c.query('select seq from deliberation_events_after($1, $2, $3, 0, 10)', [C.WH.id, user.WH, rows.plSession!.id])).rows);
    expect({ inside, feed, asWh }).toEqual({ inside: '42501', feed: [{ seq: 1 }], asWh: [] });
  });

  it('stat_record_once for 盘龙, 昆明 or 承德县 is refused (42501); for itself it counts once', async () => {
    await inScope(db.app, scope('WH'), async (c) => {
      const at = (code: Code) => call(c, `select stat_record_once($1, $2, $3, $4)`, [`test:${code}`, METRIC, C[code].id, NOW]);
      expect({ PL: await at('PL'), KM: await at('KM'), CDX: await at('CDX') }).toEqual({ PL: '42501', KM: '42501', CDX: '42501' });
      const own = async () => (await c.query(`select stat_record_once('test:WH', $1, $2, $3) r`, [METRIC, C.WH.id, NOW])).rows[0].r;
      expect([await own(), await own()]).toEqual([true, false]);
    });
  });

  it("auth_set_password as 五华 sets no password of 盘龙's or 昆明's accounts; its own it sets", async () => {
    const credentials = async (id: string) => (await db.admin.query('select count(*)::int n from account_credential where user_id = $1', [id])).rows[0].n;
    const before = { PL: await credentials(user.PL!), KM: await credentials(user.KM!) };
    const got = await inScope(db.app, scope('WH'), async (c) => ({
      PL: (await c.query(`select auth_set_password($1, 'x', false) r`, [user.PL])).rows[0].r,
      KM: (await c.query(`select auth_set_password($1, 'x', false) r`, [user.KM])).rows[0].r,
      WH: (await c.query(`select auth_set_password($1, 'x', false) r`, [user.WH])).rows[0].r,
    }));
    expect(got).toEqual({ PL: false, KM: false, WH: true });
    expect({ PL: await credentials(user.PL!), KM: await credentials(user.KM!) }).toEqual(before);
  });

  it("auth_oidc_link as 五华 links no account of 盘龙 or 昆明; its own it links, and auth_oidc_account finds it", async () => {
    const links = async (id: string) => (await db.admin.query('select count(*)::int n from oidc_link where user_id = $1', [id])).rows[0].n;
    const got = await inScope(db.app, scope('WH'), async (c) => ({
      PL: (await c.query(`select auth_oidc_link($1, 'https://sso.test', 'pl-person') r`, [user.PL])).rows[0].r,
      KM: (await c.query(`select auth_oidc_link($1, 'https://sso.test', 'km-person') r`, [user.KM])).rows[0].r,
      WH: (await c.query(`select auth_oidc_link($1, 'https://sso.test', 'wh-person') r`, [user.WH])).rows[0].r,
    }), { commit: true });
    expect(got).toEqual({ PL: false, KM: false, WH: true });
    expect({ PL: await links(user.PL!), KM: await links(user.KM!), WH: await links(user.WH!) }).toEqual({ PL: 0, KM: 0, WH: 1 });
    const found = await inScope(db.app, null, async (c) => (await c.query(`select user_id from auth_oidc_account('https://sso.test', 'wh-person')`)).rows);
    expect(found).toEqual([{ user_id: user.WH }]);
    // Without settings nothing can be linked.
    expect(await inScope(db.app, null, async (c) => (await c.query(`select auth_oidc_link($1, 'https://sso.test', 'again') r`, [user.WH])).rows[0].r)).toBe(false);
  });

  it("numbering: a message 五华 writes into 盘龙's live session is refused at insert (RLS, migration 0014) and the session's counter does not move", async () => {
    const wh = C.WH;
    const event = {
      id: newId(), tenant_id: wh.id, province_id: wh.provinceId, city_id: wh.cityId, participant_ids: [wh.id], session_id: rows.plSession!.id,
      seq: null, kind: 'MESSAGE_POSTED', message_kind: 'SPEECH', actor_id: user.WH, actor_name: '越界', actor_tenant_id: wh.id, text: '越界', at: new Date(),
    };
    let error: any;
    await inScope(
      db.app,
      scope('WH'),
      async (c) => {
        const ins = insertSql('deliberation_event', event);
        await c.query(ins.sql, ins.params);
      },
      { commit: true },
    ).catch((e) => (error = e));
    expect({ code: error?.code, rls: /row-level security/.test(error?.message) }).toEqual({ code: '42501', rls: true });
    const s = (await db.admin.query('select last_seq from deliberation_session where id = $1', [rows.plSession!.id])).rows[0];
    const n = (await db.admin.query('select count(*)::int n from deliberation_event where session_id = $1', [rows.plSession!.id])).rows[0].n;
    expect({ lastSeq: s.last_seq, events: n }).toEqual({ lastSeq: 1, events: 1 });
  });
});

describe('app_enqueue_job, as the application role', () => {
  const enqueueSql = `select app_enqueue_job($1, $2::jsonb, $3, null)`;
  const jobs = async (task: string) =>
    // The public view leaves the payload out; the private table holds it.
    (await db.admin.query(`select j.key, j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = $1 order by j.id`, [task])).rows.map((r) => ({ key: r.key, by: r.payload.enqueuedBy, note: r.payload.note }));

  it('without a committee, or with a task name that is not module.verb-noun, nothing is enqueued (P0001)', async () => {
    const none = await inScope(db.app, null as never, (c) => call(c, enqueueSql, ['rls.probe', '{}', null]));
    const bad = await inScope(db.app, scope('WH'), (c) => call(c, enqueueSql, ['rls probe; drop', '{}', null]));
    expect({ none, bad }).toEqual({ none: 'P0001', bad: 'P0001' });
    expect(await jobs('rls.probe')).toEqual([]);
  });

  it('the job names the acting committee whatever the payload says, and its key is the committee’s own: 盘龙 cannot replace 五华’s job', async () => {
    await inScope(db.app, scope('WH'), (c) => call(c, enqueueSql, ['rls.stamp', JSON.stringify({ note: 'wh', enqueuedBy: { tenantId: C.PL.id } }), 'same-key']), { commit: true });
    await inScope(db.app, scope('PL'), (c) => call(c, enqueueSql, ['rls.stamp', JSON.stringify({ note: 'pl' }), 'same-key']), { commit: true });
    expect(await jobs('rls.stamp')).toEqual([
      { key: `${C.WH.id}:same-key`, by: { tenantId: C.WH.id, userId: user.WH }, note: 'wh' },
      { key: `${C.PL.id}:same-key`, by: { tenantId: C.PL.id, userId: user.PL }, note: 'pl' },
    ]);
  });

  it('the application role has no grant on the worker’s own schema', async () => {
    expect(await inScope(db.app, scope('WH'), (c) => call(c, 'select count(*) from graphile_worker.jobs', []))).toBe('42501');
  });
});
