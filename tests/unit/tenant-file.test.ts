import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateTenantFile, readTenantFiles, type TenantFile } from '../../src/modules/tenant/tenant-sync.js';
import { generateTenantFiles, loadDivisions } from '../../src/modules/tenant/tenant-generate.js';
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
  it('the shipped files: all 31 provincial-level committees, 云南 (1 + 16 + 129) as it was, 河北 whole with its demo counties', () => {
    const files = Object.fromEntries(readTenantFiles(TENANTS_DIR).map((f) => [f.file, validateTenantFile(f.file, f.raw)]));
    expect(Object.keys(files)).toHaveLength(31);
    const all = Object.values(files).flat();
    expect(all.length).toBeGreaterThan(3100);
    expect(all.filter((t) => t.level === 'PROVINCE')).toHaveLength(31);
    const count = (file: string, level: string) => files[file]!.filter((t) => t.level === level).length;
    expect([count('530000-yunnan.json', 'PROVINCE'), count('530000-yunnan.json', 'CITY'), count('530000-yunnan.json', 'COUNTY')]).toEqual([1, 16, 129]);
    const hebei = files['130000-hebei.json']!;
    expect(hebei.filter((t) => t.level === 'CITY')).toHaveLength(11);
    expect(hebei.filter((t) => ['130821', '130324', '131127'].includes(t.code)).map((t) => [t.code, t.name, t.path])).toEqual([
      ['130324', '卢龙县', '130000.130300.130324'],
      ['130821', '承德县', '130000.130800.130821'],
      ['131127', '景县', '130000.131100.131127'],
    ]);
    // Municipalities and counties a province administers directly sit right under the province committee.
    expect(files['500000-chongqing.json']!.find((t) => t.code === '500101')).toMatchObject({ name: '万州区', level: 'COUNTY', path: '500000.500101', depth: 1 });
    expect(files['110000-beijing.json']!.filter((t) => t.level === 'CITY')).toEqual([]);
    expect(files['420000-hubei.json']!.find((t) => t.code === '429004')).toMatchObject({ name: '仙桃市', level: 'COUNTY', path: '420000.429004' });
    // A prefecture-level city without counties, and no functional zones (statistical codes ending 71–79).
    expect(files['440000-guangdong.json']!.filter((t) => t.path.startsWith('440000.441900'))).toMatchObject([{ code: '441900', name: '东莞市', level: 'CITY' }]);
    expect(all.filter((t) => /^\d{4}7\d$/.test(t.code))).toEqual([]);
  });

  it('the files are what `npm run tenants:generate` makes from the division data, and the demo files keep every entry', () => {
    const existing = new Map(
      fs.readdirSync(TENANTS_DIR).map((f) => {
        const text = fs.readFileSync(path.join(TENANTS_DIR, f), 'utf8');
        return [f, { text, doc: JSON.parse(text) as TenantFile }];
      }),
    );
    const generated = generateTenantFiles(loadDivisions(), existing);
    expect(generated.map((g) => g.file).sort()).toEqual([...existing.keys()].sort());
    for (const g of generated) expect(g.text, g.file).toBe(existing.get(g.file)!.text);
    expect(generated.flatMap((g) => g.kept)).toEqual([]);
    // Generating onto the demo subset of 河北 keeps its entries and settings, and adds the rest.
    const subset = { province: '130000', settings: { '130821': { x: 1 } }, tenants: [
      { code: '130000', name: '河北省', level: 'PROVINCE' },
      { code: '130800', name: '承德市', level: 'CITY', parent: '130000' },
      { code: '130821', name: '承德县（示范）', level: 'COUNTY', parent: '130800' },
    ] } as TenantFile;
    const text = `{\n  "province": "130000",\n  "settings": {"130821": {"x": 1}},\n  "tenants": []\n}\n`;
    const hebei = generateTenantFiles(loadDivisions(), new Map([['130000-hebei.json', { text, doc: subset }]])).find((g) => g.file === '130000-hebei.json')!;
    const doc = JSON.parse(hebei.text) as TenantFile;
    expect(doc.settings).toEqual({ '130821': { x: 1 } });
    expect(doc.tenants.find((t) => t.code === '130821')).toEqual(subset.tenants[2]);
    expect(doc.tenants).toHaveLength(existing.get('130000-hebei.json')!.doc.tenants.length);
    expect(hebei.kept).toEqual(['130821 承德县（示范）: the division data names it 承德县']);
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
