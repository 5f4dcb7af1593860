import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';
import { newId } from '../../src/core/ids.js';
import { MemberSeat } from '../../src/core/identity/member-seat.entity.js';
import { applyOrmScope } from '../../src/core/tenancy.js';

/**
 * 五华区 and 盘龙区 are sibling counties under 昆明. Every route a 五华 user has to 盘龙's roster must come
 * back empty or NOT_FOUND, with the ORM filter on, and with it off (RLS alone).
 */
for (const ormTenantFilter of [true, false]) {
  describe(`sibling isolation (ORM filter ${ormTenantFilter ? 'on' : 'off: RLS alone'})`, () => {
    let app: TestApp;
    let foreignSeat: string;
    let foreignSeatGid: string;
    let panlongSeats: number;
    beforeAll(async () => {
      app = await startTestApp({ ormTenantFilter });
      const r = await app.db.query(`select s.id from member_seat s join tenant t on t.id = s.tenant_id where t.code = '530103' order by s.id`);
      foreignSeat = r.rows[0].id;
      foreignSeatGid = toGlobalId('MemberSeat', foreignSeat);
      panlongSeats = r.rowCount!;
    });
    afterAll(() => app.stop());

    const seatRow = () => app.db.query('select sector, title, status from member_seat where id = $1', [foreignSeat]).then((r) => r.rows[0]);

    it('runs with the ORM filter as configured', async () => {
      expect(app.running.orm.config.get('filters').tenant!.default).toBe(ormTenantFilter);
      const em = app.running.orm.em.fork();
      // With the filter off, an unscoped ORM query runs and only RLS stands between it and the rows.
      if (!ormTenantFilter) await expect(em.find(MemberSeat, {})).resolves.toEqual([]);
    });

    it('lists and counts only its own roster', async () => {
      const r = await app.as('wh.staff')(`{ members(first: 100) { totalCount edges { node { tenant { code } } } } }`);
      const own = (await app.db.query(`select count(*)::int n from member_seat s join tenant t on t.id = s.tenant_id where t.code = '530102'`)).rows[0].n;
      expect(r.body.data.members.totalCount).toBe(own);
      expect(new Set(r.body.data.members.edges.map((e: any) => e.node.tenant.code))).toEqual(new Set(['530102']));
      expect(panlongSeats).toBeGreaterThan(0);
    });

    it('a guessed foreign id reads as null, exactly like a missing one', async () => {
      const q = `query($id: ID!) { node(id: $id) { id } }`;
      const foreign = await app.as('wh.staff')(q, { id: foreignSeatGid });
      const missing = await app.as('wh.staff')(q, { id: toGlobalId('MemberSeat', newId()) });
      expect(foreign.body).toEqual({ data: { node: null } });
      expect(missing.body).toEqual(foreign.body);
      const user = (await app.db.query(`select id from app_user where login = 'pl.staff'`)).rows[0].id;
      expect((await app.as('wh.staff')(q, { id: toGlobalId('User', user) })).body).toEqual({ data: { node: null } });
    });

    it('cannot update or delete a sibling seat: NOT_FOUND, identical to a missing id, nothing changes', async () => {
      const before = await seatRow();
      const upd = `mutation($id: ID!) { updateMember(id: $id, input: { sector: "改写" }) { id } }`;
      const del = `mutation($id: ID!) { removeMember(id: $id) }`;
      const missingId = toGlobalId('MemberSeat', newId());
      for (const q of [upd, del]) {
        const foreign = await app.as('wh.staff')(q, { id: foreignSeatGid });
        const missing = await app.as('wh.staff')(q, { id: missingId });
        expect(foreign.body).toEqual({ data: null, errors: [{ message: 'Member seat not found', path: [expect.any(String)], locations: expect.any(Array), extensions: { code: 'NOT_FOUND' } }] });
        expect(missing.body).toEqual(foreign.body);
      }
      expect(await seatRow()).toEqual(before);
    });

    it('an ancestor (昆明) does not see a county record either', async () => {
      const r = await app.as('km.staff')(`query($id: ID!) { node(id: $id) { id } }`, { id: foreignSeatGid });
      expect(r.body).toEqual({ data: { node: null } });
      const list = await app.as('km.staff')(`{ members(first: 100) { edges { node { tenant { code } } } } }`);
      expect(new Set(list.body.data.members.edges.map((e: any) => e.node.tenant.code))).toEqual(new Set(['530100']));
    });

    it('a city roster names its members whose home is a county; the account stays hidden from everyone else', async () => {
      // 周明远 (wh.member) lives on 五华区 and holds a seat on 昆明 too.
      const list = await app.as('km.staff')(`{ members(first: 100) { edges { node { tenant { code } user { login displayName homeTenant { code } } } } } }`);
      const edges = list.body.data.members.edges;
      expect(edges.filter((e: any) => e.node.user === null)).toEqual([]);
      expect(edges.filter((e: any) => e.node.user.login === 'wh.member')).toEqual([{ node: { tenant: { code: '530100' }, user: { login: 'wh.member', displayName: '周明远', homeTenant: { code: '530102' } } } }]);
      const user = toGlobalId('User', (await app.db.query(`select id from app_user where login = 'wh.member'`)).rows[0].id);
      const q = `query($id: ID!) { node(id: $id) { ... on User { login } } }`;
      expect((await app.as('km.member')(q, { id: user })).body).toEqual({ data: { node: { login: 'wh.member' } } });
      for (const login of ['pl.staff', 'yn.staff', 'km.dept']) expect({ login, body: (await app.as(login)(q, { id: user })).body }).toEqual({ login, body: { data: { node: null } } });
      // The city sees no county account that holds no seat on it.
      const staff = toGlobalId('User', (await app.db.query(`select id from app_user where login = 'wh.staff'`)).rows[0].id);
      expect((await app.as('km.staff')(q, { id: staff })).body).toEqual({ data: { node: null } });
    });

    it('the owner still reads and changes its own seat', async () => {
      const r = await app.as('pl.staff')(`mutation($id: ID!) { updateMember(id: $id, input: { title: "常委" }) { title tenant { code } } }`, { id: foreignSeatGid });
      expect(r.body).toEqual({ data: { updateMember: { title: '常委', tenant: { code: '530103' } } } });
    });
  });
}

describe('RLS is a wall on its own', () => {
  let app: TestApp;
  let appRole: pg.Client;
  let tenants: Record<string, { id: string; province_id: string; city_id: string }>;
  beforeAll(async () => {
    app = await startTestApp();
    appRole = new pg.Client({ connectionString: app.running.db.appUrl });
    await appRole.connect();
    tenants = Object.fromEntries((await app.db.query(`select code, id, province_id, city_id from tenant where code in ('530102','530103')`)).rows.map((r) => [r.code, r]));
  });
  afterAll(async () => {
    await appRole.end();
    await app.stop();
  });

  async function asTenant<T>(code: string | null, fn: () => Promise<T>): Promise<T> {
    await appRole.query('begin');
    try {
      if (code) await appRole.query(`select set_config('app.tenant_id', $1, true)`, [tenants[code]!.id]);
      return await fn();
    } finally {
      await appRole.query('rollback');
    }
  }

  it('the app role owns nothing and cannot bypass RLS', async () => {
    const r = await appRole.query(`select rolsuper, rolbypassrls from pg_roles where rolname = current_user`);
    expect(r.rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
    const owned = await appRole.query(`select count(*)::int n from pg_tables where schemaname = 'public' and tableowner = current_user`);
    expect(owned.rows[0].n).toBe(0);
    const forced = await app.db.query(`select relname from pg_class where relname in ('app_user','member_seat') and relrowsecurity and relforcerowsecurity order by relname`);
    expect(forced.rows.map((r) => r.relname)).toEqual(['app_user', 'member_seat']);
  });

  it('without a tenant setting, raw SQL sees nothing (fails closed)', async () => {
    const n = await asTenant(null, () => appRole.query('select count(*)::int n from member_seat'));
    expect(n.rows[0].n).toBe(0);
  });

  it('raw SQL sees only the tenant in the setting, and cannot touch a sibling', async () => {
    const own = await asTenant('530102', () => appRole.query(`select distinct tenant_id from member_seat`));
    expect(own.rows).toEqual([{ tenant_id: tenants['530102']!.id }]);
    const upd = await asTenant('530102', () => appRole.query(`update member_seat set sector = 'x' where tenant_id = $1`, [tenants['530103']!.id]));
    expect(upd.rowCount).toBe(0);
    const del = await asTenant('530102', () => appRole.query(`delete from member_seat where tenant_id = $1`, [tenants['530103']!.id]));
    expect(del.rowCount).toBe(0);
    const t = tenants['530103']!;
    await expect(
      asTenant('530102', () =>
        appRole.query(`insert into app_user (id, tenant_id, province_id, city_id, login, display_name, role) values ($1,$2,$3,$4,'intruder','x','STAFF')`, [newId(), t.id, t.province_id, t.city_id]),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(asTenant('530102', () => appRole.query(`update tenant set name = 'x'`))).rejects.toThrow(/permission denied/);
  });

  it('the ORM filter refuses to run without a scope', async () => {
    const em = app.running.orm.em.fork();
    await expect(em.find(MemberSeat, {})).rejects.toThrow(/tenant scope is not set|No arguments provided/);
  });

  it('with the filter disabled on a query, RLS still hides siblings', async () => {
    const em = app.running.orm.em.fork();
    const rows = await em.transactional(async (tx) => {
      await tx.execute(`select set_config('app.tenant_id', ?, true), set_config('app.user_id', ?, true)`, [tenants['530102']!.id, newId()]);
      applyOrmScope(tx, { tenantId: tenants['530102']!.id, userId: newId() });
      return tx.find(MemberSeat, {}, { filters: false });
    });
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.tenantId))).toEqual(new Set([tenants['530102']!.id]));
  });

  it('a token without a committee is refused before any query', async () => {
    const r = await app.gql('Bearer not-a-jwt', '{ me { role } }');
    expect(r.status).toBe(401);
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  });
});
