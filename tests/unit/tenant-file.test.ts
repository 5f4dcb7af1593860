import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateTenantFile, readTenantFiles } from '../../src/modules/tenant/tenant-sync.js';
import { TENANTS_DIR } from '../../src/core/paths.js';

const base = () => ({
  province: '530000',
  tenants: [
    { code: '530000', name: '云南省', level: 'PROVINCE' },
    { code: '530100', name: '昆明市', level: 'CITY', parent: '530000' },
    { code: '530102', name: '五华区', level: 'COUNTY', parent: '530100' },
  ],
});

describe('tenant files', () => {
  it('the shipped files: all of 云南 (1 + 16 + 129) and part of 河北 with its required counties', () => {
    const files = Object.fromEntries(readTenantFiles(TENANTS_DIR).map((f) => [f.file, validateTenantFile(f.file, f.raw)]));
    const count = (file: string, level: string) => files[file]!.filter((t) => t.level === level).length;
    expect([count('530000-yunnan.json', 'PROVINCE'), count('530000-yunnan.json', 'CITY'), count('530000-yunnan.json', 'COUNTY')]).toEqual([1, 16, 129]);
    const hebei = files['130000-hebei.json']!;
    expect(hebei.filter((t) => t.level === 'CITY').map((t) => t.name).sort()).toEqual(['保定市', '张家口市', '承德市', '石家庄市', '秦皇岛市', '衡水市', '邢台市'].sort());
    expect(hebei.filter((t) => ['130821', '130324', '131127'].includes(t.code)).map((t) => [t.code, t.name, t.path])).toEqual([
      ['130324', '卢龙县', '130000.130300.130324'],
      ['130821', '承德县', '130000.130800.130821'],
      ['131127', '景县', '130000.131100.131127'],
    ]);
  });

  it('computes path and depth', () => {
    expect(validateTenantFile('x.json', base()).map((t) => [t.code, t.path, t.depth])).toEqual([
      ['530000', '530000', 0],
      ['530100', '530000.530100', 1],
      ['530102', '530000.530100.530102', 2],
    ]);
  });

  const reject = (mutate: (d: ReturnType<typeof base>) => void) => {
    const d = base();
    mutate(d);
    return () => validateTenantFile('bad.json', d);
  };

  it('rejects a duplicate code, naming file and entry', () => {
    expect(reject((d) => d.tenants.push({ code: '530102', name: '重复区', level: 'COUNTY', parent: '530100' }))).toThrow('bad.json: entry 530102 (重复区): duplicate code');
  });
  it('rejects an unknown parent', () => {
    expect(reject((d) => d.tenants.push({ code: '530103', name: '盘龙区', level: 'COUNTY', parent: '539900' }))).toThrow('bad.json: entry 530103 (盘龙区): unknown parent 539900');
  });
  it('rejects a cycle', () => {
    expect(
      reject((d) => {
        d.tenants.push({ code: '530300', name: '甲', level: 'CITY', parent: '530301' }, { code: '530301', name: '乙', level: 'COUNTY', parent: '530300' });
      }),
    ).toThrow(/bad\.json: entry 5303\d\d \([甲乙]\): parent chain forms a cycle/);
  });
  it('rejects a level that does not fit its parent', () => {
    expect(reject((d) => d.tenants.push({ code: '530199', name: '错层', level: 'CITY', parent: '530100' }))).toThrow('bad.json: entry 530199 (错层): level CITY cannot sit under CITY 530100');
  });
  it('rejects a bad code, a second root and a mismatched province', () => {
    expect(reject((d) => (d.tenants[2]!.code = '5301'))).toThrow('bad.json: entry 5301 (五华区): code must be a 6-digit administrative division code');
    expect(reject((d) => d.tenants.push({ code: '130000', name: '河北省', level: 'PROVINCE' }))).toThrow('bad.json: a file holds exactly one province');
    expect(reject((d) => (d.province = '130000'))).toThrow('bad.json: "province" is 130000 but the root entry is 530000');
  });

  it('every file in tenants/ is valid JSON', () => {
    for (const f of fs.readdirSync(TENANTS_DIR)) expect(() => JSON.parse(fs.readFileSync(path.join(TENANTS_DIR, f), 'utf8'))).not.toThrow();
  });
});
