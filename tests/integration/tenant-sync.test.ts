import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { syncTenants } from '../../src/modules/tenant/tenant-sync.js';
import { TENANTS_DIR } from '../../src/core/paths.js';

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
    const reports = await syncTenants(app.dbUrl, TENANTS_DIR);
    expect(reports).toEqual([
      { file: '130000-hebei.json', inserted: 0, updated: 0, unchanged: 36 },
      { file: '530000-yunnan.json', inserted: 0, updated: 0, unchanged: 146 },
    ]);
    expect(await snapshot()).toEqual(before);
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
