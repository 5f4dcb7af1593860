import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { APP_ROLE } from '../../src/core/database.js';
import {
  attempt,
  byKeys,
  cloneDatabase,
  committees,
  coversAllCommands,
  Fixture,
  inScope,
  insertSql,
  isTenantOwned,
  readCatalog,
  tenantValue,
  type Committee,
  type Row,
  type Scope,
  type TableInfo,
} from '../helpers/rls.js';

/**
 * Wall two alone, table by table. The list of tables is read from the database catalog when this file
 * loads, so a table added by a later migration is checked here without anyone adding it to a list: it is
 * either on the short reviewed list of global tables below, or it must have row-level security enabled and
 * forced with policies for every command, and (if it carries tenant_id) pass every isolation check below.
 *
 * Every check runs directly as the application role (no ORM, no service adding the tenant to a `where`),
 * inside a transaction with 五华's settings set by the statement a request sends, against a fixture
 * inserted by the owner with one row per table for 五华 (A), its sibling 盘龙 (B), its parent 昆明 (P)
 * and 承德县 in another province (O), every tenant column of each row filled for that committee.
 */

/** Tables readable (or not even that) without a committee, reviewed. Everything else needs RLS. */
const GLOBAL: Record<string, string> = {
  tenant: 'the committee tree: every signed-in user reads it; only the owner (tree sync) writes it',
  mikro_orm_migrations: 'migration bookkeeping: the application role has no grant on it',
  account_credential: 'password hashes, looked up by login before any committee is known: no grant; reached only through auth_credential and auth_set_password (0011)',
  auth_throttle: 'failed sign-in counters per login and client address, shared by all instances: no grant; reached only through auth_throttle_* (0011)',
  signing_key: 'token signing keys of the deployment: no grant; reached only through auth_signing_keys and auth_add_signing_key (0013)',
  oidc_link: 'links from an OIDC subject to an account, looked up before any committee is known: no grant; reached only through auth_oidc_account and auth_oidc_link (0020)',
  tenant_source: 'which content of each tenants/ file the tree was synced from (0100): written by the owner (tree sync) only, no grant',
};
/**
 * Tenant-owned tables whose rows name a project or topic whose owner the insert policy checks (migration 0014):
 * the generic row names no real item, so even 五华's own is refused; real ones are in rls-shared.test.ts.
 */
const NAMES_AN_ITEM: Record<string, string> = {
  joint_participant: 'a participation names its item; only the item’s owner (or a take-up) writes one',
  joint_membership: 'an access row names its item; only its owner, or an invitee holding a participation, writes one',
};
/**
 * Tenant-owned tables whose rows belong to one person acting for the committee (migration 0030): the generic
 * row names another account of 五华 than the one acting, so even 五华's own is refused; the person's own rows
 * are in tests/integration/notifications.test.ts.
 */
const PERSONAL: Record<string, string> = {
  notification: "a person's inbox: only that person, acting for that committee, writes it; they and the committee's background work (no user, migration 0120) read it",
  notification_preference: "a person's notification settings, theirs alone",
  notification_delivery: "the outbox of a person's notifications: theirs, and the committee's background delivery (no user set)",
};
/** Tenant-owned tables whose fixture row others refer to with a restricting foreign key, reviewed. */
const REFERENCED: Record<string, string> = {
  member_seat: "a seat with an archive is ended, never deleted (on delete restrict, migration 0010)",
};
/** RLS tables without a tenant column, reviewed: bookkeeping only the counter functions touch. */
const NO_TENANT_COLUMN: Record<string, string> = {
  stat_item: 'shared-item buckets for the counters; the application role has no grant on it',
  stat_once: 'which once-per-item facts were counted (stat_record_once, 0010); the application role has no grant on it',
  stat_pending: "counter changes of the open transaction, added to the counters at its commit (0110); each transaction sees only its own; the application role has no grant on it",
};

const [A, B, P, O] = ['530102', '530103', '530100', '130821'] as const;

const db = await cloneDatabase();
const catalog = await readCatalog(db.admin);
const owned = [...catalog.values()].filter(isTenantOwned);

let C: Record<string, Committee>;
let fx: Fixture;
let scopeA: Scope;
const candidates = new Map<string, Record<string, Row>>();

beforeAll(async () => {
  C = await committees(db.admin, [A, B, P, O]);
  fx = new Fixture(catalog);
  for (const t of owned) for (const x of [A, B, P, O]) fx.mainRow(t.name, C[x]!);
  for (const t of owned) candidates.set(t.name, Object.fromEntries([A, B, P, O].map((x) => [x, fx.candidate(t.name, C[x]!)])));
  await fx.flush(db.admin);
  scopeA = { tenantId: C[A]!.id, userId: fx.main.get('app_user')!.get(A)!.id as string };
});
afterAll(() => db.close());

const main = (t: TableInfo, code: string) => fx.main.get(t.name)!.get(code)!;
const foreignRows = (t: TableInfo) => [B, P, O].map((x) => main(t, x));
/** A column to write back unchanged (`set c = c`): the first one outside the key. */
const touchColumn = (t: TableInfo) => (t.columns.find((c) => !t.pk.includes(c.name)) ?? t.columns[0]!).name;
const q = pg.escapeIdentifier;
/** An assignment that reads no existing value (so no SELECT policy joins the UPDATE policy). */
const blindSet = (t: TableInfo) =>
  t.columns.some((c) => c.name === 'updated_at')
    ? { set: 'updated_at = $1', params: ['2001-01-01T00:00:00Z'] }
    : { set: `${q(touchColumn(t))} = $1`, params: [main(t, A)[touchColumn(t)] ?? null] };

describe('the catalog: every table is global (reviewed) or behind forced row-level security', () => {
  it('every table in the application schema is on the global list or has RLS enabled and FORCED with select, insert, update and delete policies', () => {
    const problems: Record<string, string[]> = {};
    for (const t of catalog.values()) {
      if (GLOBAL[t.name]) continue;
      const p: string[] = [];
      if (!t.rls) p.push('row-level security is not enabled');
      if (!t.force) p.push('row-level security is not forced');
      if (!coversAllCommands(t)) p.push(`policies cover only [${t.policyCommands.join(', ')}] of select (r), insert (a), update (w), delete (d)`);
      if (p.length) problems[t.name] = p;
    }
    expect(problems).toEqual({});
  });

  it('global tables take no writes from the application role; the committee tree is readable, the rest not even that', () => {
    const grants = Object.fromEntries(Object.keys(GLOBAL).map((n) => [n, catalog.get(n)?.grants]));
    expect(grants).toEqual({
      tenant: { select: true, insert: false, update: false, delete: false },
      mikro_orm_migrations: { select: false, insert: false, update: false, delete: false },
      account_credential: { select: false, insert: false, update: false, delete: false },
      auth_throttle: { select: false, insert: false, update: false, delete: false },
      signing_key: { select: false, insert: false, update: false, delete: false },
      oidc_link: { select: false, insert: false, update: false, delete: false },
      tenant_source: { select: false, insert: false, update: false, delete: false },
    });
  });

  it('a table under RLS without tenant_id is reviewed bookkeeping the application role has no grant on', () => {
    const found = [...catalog.values()].filter((t) => !GLOBAL[t.name] && !isTenantOwned(t)).map((t) => [t.name, t.grants]);
    expect(Object.fromEntries(found)).toEqual(Object.fromEntries(Object.keys(NO_TENANT_COLUMN).map((n) => [n, { select: false, insert: false, update: false, delete: false }])));
  });

  it('the application role owns no table and cannot bypass RLS', async () => {
    const r = (await db.admin.query(
      `select r.rolsuper, r.rolbypassrls, (select count(*)::int from pg_class c where c.relowner = r.oid) as owns from pg_roles r where r.rolname = $1`,
      [APP_ROLE],
    )).rows[0];
    expect(r).toEqual({ rolsuper: false, rolbypassrls: false, owns: 0 });
  });

  it('the tenant-owned tables found in the catalog include every one the migrations create so far (the list below is a floor, not the source)', () => {
    const floor = [
      'app_user', 'member_seat', 'joint_membership', 'joint_participant', 'research_project', 'research_team_member', 'research_contribution',
      'research_outcome', 'consultation_plan', 'consultation_topic', 'consultation_suggestion', 'topic_recommendation', 'state_change', 'proposal',
      'opinion', 'opinion_route', 'duty_archive', 'duty_record', 'stat_counter', 'stat_counter_year', 'stat_item_member', 'stat_deadline',
      'deliberation_session', 'deliberation_event', 'deliberation_presence',
      'meeting', 'meeting_venue', 'meeting_attendance', 'meeting_notice', 'supervision_task', 'supervision_progress',
      'micro_suggestion', 'public_need', 'attachment', 'attachment_blob',
    ];
    expect(floor.filter((n) => !owned.some((t) => t.name === n))).toEqual([]);
  });
});

for (const t of owned) {
  describe(`tenant-owned table ${t.name}, as the application role acting for 五华`, () => {
    const refusedBy = (granted: boolean) => (granted ? 'rls' : 'privilege');

    it('select and count(*) show none of the rows of 盘龙 (sibling), 昆明 (parent) or 承德县 (other province); 五华 sees its own', async () => {
      await inScope(db.app, scopeA, async (c) => {
        const foreign = byKeys(t, foreignRows(t));
        const mine = byKeys(t, [main(t, A)]);
        if (!t.grants.select) {
          const r = await attempt(c, `select count(*) from ${q(t.name)}`);
          expect(r.refusal).toBe('privilege');
          return;
        }
        const seen = (await c.query(`select ${t.pk.map(q).join(', ')} from ${q(t.name)} where ${foreign.where}`, foreign.params)).rows;
        const counted = (await c.query(`select count(*)::int n from ${q(t.name)} where ${foreign.where}`, foreign.params)).rows[0].n;
        const total = (await c.query(`select count(*)::int n from ${q(t.name)}`)).rows[0].n;
        const listed = (await c.query(`select ${t.pk.map(q).join(', ')} from ${q(t.name)}`)).rowCount;
        const own = (await c.query(`select count(*)::int n from ${q(t.name)} where ${mine.where}`, mine.params)).rows[0].n;
        expect({ seen, counted, own, countMatchesRows: total === listed }).toEqual({ seen: [], counted: 0, own: 1, countMatchesRows: true });
      });
    });

    it('an insert of a row owned by 盘龙, 昆明 or 承德县 is refused; 五华 may insert its own', async () => {
      const rows = candidates.get(t.name)!;
      await inScope(db.app, scopeA, async (c) => {
        const got: Record<string, string> = {};
        for (const x of [B, P, O, A]) {
          const ins = insertSql(t.name, rows[x]!);
          const o = await attempt(c, ins.sql, ins.params, { undo: true });
          got[C[x]!.name] = o.refusal ?? 'inserted';
        }
        expect(got).toEqual({
          [C[B]!.name]: refusedBy(t.grants.insert),
          [C[P]!.name]: refusedBy(t.grants.insert),
          [C[O]!.name]: refusedBy(t.grants.insert),
          [C[A]!.name]: !t.grants.insert ? 'privilege' : NAMES_AN_ITEM[t.name] || PERSONAL[t.name] ? 'rls' : 'inserted',
        });
      });
    });

    it("an update reaches none of the rows of 盘龙, 昆明 or 承德县, and moving 五华's own rows to 盘龙 is refused", async () => {
      const col = q(touchColumn(t));
      const foreign = byKeys(t, foreignRows(t));
      const mine = byKeys(t, [main(t, A)]);
      const moved = t.columns.map((cl) => [cl.name, tenantValue(t, cl, C[B]!)] as const).filter(([, v]) => v);
      const blind = blindSet(t);
      const undo = { undo: true };
      await inScope(db.app, scopeA, async (c) => {
        const foreignUpdate = await attempt(c, `update ${q(t.name)} set ${col} = ${col} where ${foreign.where}`, foreign.params, undo);
        // Reads no column, so only the UPDATE policy decides which rows it reaches (a WHERE would add the
        // SELECT policy): it must reach exactly what an update that reads (and so also sees) reaches.
        const blindReach = await attempt(c, `update ${q(t.name)} set ${blind.set}`, blind.params, undo);
        const seenReach = await attempt(c, `update ${q(t.name)} set ${col} = ${col} where ${q(t.pk[0]!)} is not null`, [], undo);
        // Again without reading: only the UPDATE policy's WITH CHECK stands between 五华's rows and 盘龙.
        const moveToB = await attempt(c, `update ${q(t.name)} set ${moved.map(([n], i) => `${q(n)} = $${i + 1}`).join(', ')}`, moved.map(([, v]) => v!.value), undo);
        const ownUpdate = await attempt(c, `update ${q(t.name)} set ${col} = ${col} where ${mine.where}`, mine.params, undo);
        const got = (o: typeof ownUpdate) => o.refusal ?? o.rowCount;
        expect({ foreignUpdate: got(foreignUpdate), blindReach: got(blindReach), moveToB: got(moveToB), ownUpdate: got(ownUpdate) }).toEqual(
          t.grants.update
            ? { foreignUpdate: 0, blindReach: got(seenReach), moveToB: 'rls', ownUpdate: 1 }
            : { foreignUpdate: 'privilege', blindReach: 'privilege', moveToB: 'privilege', ownUpdate: 'privilege' },
        );
      });
    });

    it('a delete touches nothing of 盘龙, 昆明 or 承德县 (and removes 五华’s own row when asked)', async () => {
      const foreign = byKeys(t, foreignRows(t));
      const mine = byKeys(t, [main(t, A)]);
      const undo = { undo: true };
      await inScope(db.app, scopeA, async (c) => {
        const foreignDelete = await attempt(c, `delete from ${q(t.name)} where ${foreign.where}`, foreign.params, undo);
        // Without a WHERE only the DELETE policy decides; with one the SELECT policy joins in.
        const blindReach = await attempt(c, `delete from ${q(t.name)}`, [], undo);
        const seenReach = await attempt(c, `delete from ${q(t.name)} where ${q(t.pk[0]!)} is not null`, [], undo);
        const ownDelete = await attempt(c, `delete from ${q(t.name)} where ${mine.where}`, mine.params, undo);
        // A row other rows refer to (a seat with its archive) is reached, then kept by its foreign key.
        const got = (o: typeof ownDelete) => (o.refusal === 'fk' ? 'reached, kept by a foreign key' : (o.refusal ?? o.rowCount));
        expect({ foreignDelete: got(foreignDelete), blindReach: got(blindReach), ownDelete: got(ownDelete) }).toEqual(
          t.grants.delete
            ? { foreignDelete: 0, blindReach: got(seenReach), ownDelete: REFERENCED[t.name] ? 'reached, kept by a foreign key' : 1 }
            : { foreignDelete: 'privilege', blindReach: 'privilege', ownDelete: 'privilege' },
        );
      });
      const left = (await db.admin.query(`select count(*)::int n from ${q(t.name)} where ${foreign.where}`, foreign.params)).rows[0].n;
      expect(left).toBe(3);
    });

    const withoutTenant = async (c: pg.PoolClient | pg.Client) => {
      const ins = insertSql(t.name, candidates.get(t.name)![A]!);
      const blind = blindSet(t);
      const undo = { undo: true };
      const got = (o: Awaited<ReturnType<typeof attempt>>) => o.refusal ?? (o.rows[0]?.n ?? o.rowCount);
      return {
        select: got(await attempt(c, `select count(*)::int n from ${q(t.name)}`)),
        insert: got(await attempt(c, ins.sql, ins.params, undo)),
        update: got(await attempt(c, `update ${q(t.name)} set ${blind.set}`, blind.params, undo)),
        delete: got(await attempt(c, `delete from ${q(t.name)}`, [], undo)),
      };
    };
    const nothing = () =>
      ({
        select: t.grants.select ? 0 : 'privilege',
        insert: t.grants.insert ? 'rls' : 'privilege',
        update: t.grants.update ? 0 : 'privilege',
        delete: t.grants.delete ? 0 : 'privilege',
      });

    it('with the settings never set (a fresh connection): shows nothing and accepts nothing', async () => {
      const c = new pg.Client({ connectionString: db.appUrl });
      await c.connect();
      try {
        await c.query('begin');
        expect((await c.query(`select current_setting('app.tenant_id', true) t, current_setting('app.user_id', true) u`)).rows[0]).toEqual({ t: null, u: null });
        expect(await withoutTenant(c)).toEqual(nothing());
      } finally {
        await c.query('rollback').catch(() => {});
        await c.end();
      }
    });

    it('with the settings empty (what a request without a committee sends): shows nothing and accepts nothing', async () => {
      await inScope(db.app, { tenantId: '', userId: '' }, async (c) => {
        expect((await c.query(`select current_setting('app.tenant_id', true) t`)).rows[0].t).toBe('');
        expect(await withoutTenant(c)).toEqual(nothing());
      });
    });
  });
}
