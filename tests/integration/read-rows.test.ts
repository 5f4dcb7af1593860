import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityMetadata } from '@mikro-orm/core';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { readRows } from '../../src/core/read-rows.js';
import { applyOrmScope, createJointAccess, isDurable, rlsScopeSql } from '../../src/core/tenancy.js';
import { Proposal } from '../../src/modules/proposal/proposal.entity.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** A transaction with the RLS settings of `rls` and the ORM filter of `orm` (the same committee unless a test says otherwise). */
async function scoped(login: string, ormCode?: string): Promise<EntityManager> {
  const u = (await app.db.query(`select u.id, u.tenant_id, t.province_id, t.city_id from app_user u join tenant t on t.id = u.tenant_id where u.login = $1`, [login])).rows[0];
  const other = ormCode ? (await app.db.query(`select id, province_id, city_id from tenant where code = $1`, [ormCode])).rows[0] : { id: u.tenant_id, province_id: u.province_id, city_id: u.city_id };
  const em = app.running.orm.em.fork({ clear: true, useContext: false }) as EntityManager;
  await em.begin();
  await em.execute(rlsScopeSql({ tenantId: u.tenant_id, userId: u.id }));
  applyOrmScope(em, { tenantId: other.id, userId: u.id, joint: createJointAccess(em, other.id), ancestorIds: [other.province_id, other.city_id].filter((x: string | null) => x && x !== other.id) });
  return em;
}

const entities = () =>
  Object.values(app.running.orm.getMetadata().getAll()).filter((m: EntityMetadata) => !m.abstract && !m.virtual && !m.embeddable && m.class && m.primaryKeys.length === 1) as EntityMetadata[];

const plain = (meta: EntityMetadata, r: object) =>
  Object.fromEntries(meta.props.filter((p) => p.persist !== false && p.kind === 'scalar').map((p) => [p.name, (r as Record<string, unknown>)[p.name]]));

describe('reading records without the unit of work (readRows)', () => {
  it('builds for every entity what em.find builds, under the same scope, and keeps none of them in the identity map', async () => {
    const [a, b] = [await scoped('wh.staff'), await scoped('wh.staff')];
    let compared = 0;
    try {
      for (const meta of entities()) {
        const orderBy = { [meta.primaryKeys[0]!]: 'asc' } as never;
        const found = await a.find(meta.class, {}, { orderBy, limit: 30 });
        const read = await readRows(b, meta.class, {}, { orderBy, limit: 30 });
        expect({ entity: meta.className, rows: read.map((r) => plain(meta, r)) }).toEqual({ entity: meta.className, rows: found.map((r) => plain(meta, r)) });
        for (const r of read) expect(r).toBeInstanceOf(meta.class);
        if (found.length) compared++;
      }
      // Durable entities are read through em.find (the commit must know); every other stays out of the identity map.
      const held = [...b.getUnitOfWork().getIdentityMap().values()].map((e) => (e as object).constructor.name);
      expect(held.filter((n) => !isDurable(n))).toEqual([]);
    } finally {
      await a.rollback();
      await b.rollback();
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('applies the tenant filter (first wall) as em.find does: the filter of another committee under these RLS settings reads nothing', async () => {
    const own = await scoped('wh.staff');
    const crossed = await scoped('wh.staff', '530103');
    try {
      expect((await readRows(own, Proposal, {})).length).toBeGreaterThan(0);
      expect(await readRows(crossed, Proposal, {})).toEqual([]);
      expect(await crossed.find(Proposal, {})).toEqual([]);
    } finally {
      await own.rollback();
      await crossed.rollback();
    }
  });

  it('hands back the instance the request already holds', async () => {
    const em = await scoped('wh.staff');
    try {
      const [first] = await em.find(Proposal, {}, { limit: 1, orderBy: { id: 'asc' } });
      const [again] = await readRows(em, Proposal, {}, { limit: 1, orderBy: { id: 'asc' } });
      expect(again).toBe(first);
    } finally {
      await em.rollback();
    }
  });
});
