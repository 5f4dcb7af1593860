import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { syncTenants } from '../../src/modules/tenant/tenant-sync.js';
import { TENANTS_DIR } from '../../src/core/paths.js';
import { TEST_PROVINCES } from '../helpers/global-setup.js';
import { treeShape } from '../../src/modules/tenant/tenant.shape.js';

let app: TestApp;
let dir: string;
beforeAll(async () => {
  app = await startTestApp();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenants-'));
});
afterAll(async () => {
  await app.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const snapshot = () => app.db.query('select id, code, name, level, parent_id, province_id, city_id, path, depth from tenant order by code').then((r) => r.rows);

describe('tenants:sync', () => {
  it('is idempotent: a second run changes nothing and keeps ids', async () => {
    const before = await snapshot();
    const reports = await syncTenants(app.dbUrl, TENANTS_DIR, { provinces: TEST_PROVINCES });
    expect(reports).toEqual([
      { file: '130000-hebei.json', inserted: 0, updated: 0, unchanged: 179 },
      { file: '530000-yunnan.json', inserted: 0, updated: 0, unchanged: 146 },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('TENANT_PROVINCES naming a province without a file is refused, and the named files still load', async () => {
    await expect(syncTenants(app.dbUrl, TENANTS_DIR, { provinces: ['530000', '990000'] })).rejects.toThrow(`TENANT_PROVINCES names 990000, but ${TENANTS_DIR} has no file for it`);
    expect((await app.db.query(`select count(*)::int n from tenant where code like '99%' or code = '500000'`)).rows[0].n).toBe(0);
  });

  it('stores ancestry: a county carries its province and city ids', async () => {
    const r = await app.db.query(`select t.code, p.code province, c.code city from tenant t join tenant p on p.id = t.province_id left join tenant c on c.id = t.city_id where t.code in ('530000','530100','530102','131127') order by t.code`);
    expect(r.rows).toEqual([
      { code: '131127', province: '130000', city: '131100' },
      { code: '530000', province: '530000', city: null },
      { code: '530100', province: '530000', city: '530100' },
      { code: '530102', province: '530000', city: '530100' },
    ]);
  });

  it('a rejected file applies nothing, a good file beside it still loads, and the error names file and entry', async () => {
    fs.writeFileSync(path.join(dir, '1-good.json'), JSON.stringify({ province: '620000', tenants: [
      { code: '620000', name: '甘肃省', level: 'PROVINCE' },
      { code: '620100', name: '兰州市', level: 'CITY', parent: '620000' },
    ] }));
    fs.writeFileSync(path.join(dir, '2-bad.json'), JSON.stringify({ province: '500000', tenants: [
      { code: '500000', name: '重庆市', level: 'PROVINCE' },
      { code: '500101', name: '万州区', level: 'COUNTY', parent: '500000' },
      { code: '500102', name: '涪陵区', level: 'COUNTY', parent: '500199' },
    ] }));
    await expect(syncTenants(app.dbUrl, dir)).rejects.toThrow('2-bad.json: entry 500102 (涪陵区): unknown parent 500199');
    const codes = (await app.db.query(`select code from tenant where code like '62%' or code like '50%' order by code`)).rows.map((r) => r.code);
    expect(codes).toEqual(['620000', '620100']);
  });

  it('a code already defined by another file is rejected as a whole file', async () => {
    fs.rmSync(path.join(dir, '2-bad.json'));
    fs.writeFileSync(path.join(dir, '3-dup.json'), JSON.stringify({ province: '630000', tenants: [
      { code: '630000', name: '青海省', level: 'PROVINCE' },
      { code: '620100', name: '兰州市', level: 'CITY', parent: '630000' },
    ] }));
    await expect(syncTenants(app.dbUrl, dir)).rejects.toThrow('3-dup.json: entry 620100 (兰州市): already defined by 1-good.json');
    expect((await app.db.query(`select count(*)::int n from tenant where code = '630000'`)).rows[0].n).toBe(0);
  });
});

describe('every province (31 files, about 3,200 committees)', () => {
  let all: TestApp;
  const ROLLUP = `{ rollup(period: "2026") { own { metrics { metric value } } subtree { metrics { metric value } } children { tenant { code } subtree { metrics { metric value } } } } }`;
  const PROVINCE_TREE = `query($code: String!) { tenant(code: $code) { code name children { code name level children { code name level } } } }`;
  const statements = (r: { headers: Headers }) => Number(r.headers.get('x-sql-statements'));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  /** `runs` province roll-ups of 云南 as its office, after a few unmeasured: the median in ms. */
  const rollupMs = async (runs: number) => {
    const ask = all.as('yn.staff');
    for (let i = 0; i < 5; i++) expect((await ask(ROLLUP)).body.errors).toBeUndefined();
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = await ask(ROLLUP);
      ms.push(performance.now() - t0);
      expect(r.body.errors).toBeUndefined();
    }
    return median(ms);
  };
  let twoProvinces: number;
  beforeAll(async () => {
    all = await startTestApp();
  });
  afterAll(() => all.stop());

  it('loads all of them once, then a second run inserts and updates nothing; start-up\'s run skips every file', async () => {
    twoProvinces = await rollupMs(40);
    const t0 = performance.now();
    const first = await syncTenants(all.dbUrl, TENANTS_DIR);
    const firstMs = performance.now() - t0;
    expect(first).toHaveLength(31);
    const t1 = performance.now();
    const second = await syncTenants(all.dbUrl, TENANTS_DIR);
    const secondMs = performance.now() - t1;
    const t2 = performance.now();
    const skipped = await syncTenants(all.dbUrl, TENANTS_DIR, { skipUnchanged: true });
    const skippedMs = performance.now() - t2;
    const committees = (await all.db.query('select count(*)::int n from tenant')).rows[0].n;
    console.log(
      `tree sync of ${committees} committees in 31 files: first ${firstMs.toFixed(0)} ms (${first.reduce((a, r) => a + r.inserted, 0)} inserted), ` +
        `second ${secondMs.toFixed(0)} ms (every row compared), start-up's ${skippedMs.toFixed(0)} ms (unchanged files skipped)`,
    );
    expect(committees).toBeGreaterThan(3100);
    expect(first.filter((r) => r.file === '530000-yunnan.json' || r.file === '130000-hebei.json').map((r) => r.inserted)).toEqual([0, 0]);
    expect(second.map((r) => [r.inserted, r.updated])).toEqual(second.map(() => [0, 0]));
    expect(second.reduce((a, r) => a + r.unchanged, 0)).toBe(committees);
    expect(skipped.every((r) => r.skipped)).toBe(true);
    // Municipalities: districts directly under the province-level committee, with no city.
    const wanzhou = (await all.db.query(`select t.level, t.depth, p.code parent, t.city_id from tenant t join tenant p on p.id = t.parent_id where t.code = '500101'`)).rows[0];
    expect(wanzhou).toEqual({ level: 'COUNTY', depth: 1, parent: '500000', city_id: null });
    expect(treeShape.roots).toBe(31);
  });

  it('a changed file is synced at the next start even when others are skipped', async () => {
    await all.db.query(`update tenant_source set sha256 = 'stale' where file = '500000-chongqing.json'`);
    await all.db.query(`update tenant set name = '万州' where code = '500101'`);
    const reports = await syncTenants(all.dbUrl, TENANTS_DIR, { skipUnchanged: true });
    expect(reports.filter((r) => !r.skipped)).toEqual([{ file: '500000-chongqing.json', inserted: 0, updated: 1, unchanged: 38 }]);
    expect((await all.db.query(`select name from tenant where code = '500101'`)).rows[0].name).toBe('万州区');
  });

  it('a province tree three levels deep takes the same few statements with every province loaded', async () => {
    const counts: Record<string, number> = {};
    for (const code of ['530000', '130000', '500000', '510000']) {
      const r = await all.as('yn.staff')(PROVINCE_TREE, { code });
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.tenant.children.length).toBeGreaterThan(0);
      counts[code] = statements(r);
    }
    console.log(`province tree of depth 3 with every province loaded, SQL statements: ${JSON.stringify(counts)}`);
    // begin, RLS settings, the committee, one statement per level below it, commit.
    expect(Math.max(...Object.values(counts))).toBeLessThanOrEqual(6);
    expect(new Set(Object.values(counts)).size).toBe(1);
  });

  it('a province roll-up is as fast with every province loaded (latency printed, not gated)', async () => {
    const allProvinces = await rollupMs(40);
    console.log(`province roll-up (云南, 2026) median over 40: ${twoProvinces.toFixed(1)} ms with 2 provinces loaded, ${allProvinces.toFixed(1)} ms with all 31`);
    const r = await all.as('yn.staff')(ROLLUP);
    expect(r.body.data.rollup.children.map((c: { tenant: { code: string } }) => c.tenant.code)).toHaveLength(16);
  });
});
