import ExcelJS from 'exceljs';

/** The 通报's read: the public `rollup` query, run in the caller's context. */
export const EXPORT_QUERY = /* GraphQL */ `
  query Tongbao($code: String, $period: String!) {
    rollup(code: $code, period: $period) {
      period
      from
      to
      tenant { code committeeName }
      subtree { ...F }
      children { tenant { code committeeName } subtree { ...F } }
      rankings { metric label entries { rank value tenant { code } } }
      silentChildren { code committeeName }
    }
  }
  fragment F on Figures {
    metrics { metric label value }
    rates { rate label numerator denominator value }
  }
`;

interface Figures {
  metrics: { metric: string; label: string; value: number }[];
  rates: { rate: string; label: string; numerator: number; denominator: number; value: number | null }[];
}
export interface ExportRollup {
  period: string;
  from: string;
  to: string;
  tenant: { code: string; committeeName: string };
  subtree: Figures;
  children: { tenant: { code: string; committeeName: string }; subtree: Figures }[];
  rankings: { metric: string; label: string; entries: { rank: number; value: number; tenant: { code: string } }[] }[];
  silentChildren: { code: string; committeeName: string }[];
}

/** Rates that are averages (积分), not shares: shown as a number. */
export const AVERAGE_RATES = new Set(['perf.average_score']);
/** A rate as shown: a percentage with one decimal (an average as a number), or — when there is no denominator. */
export const formatRate = (value: number | null, rate = ''): string =>
  value === null ? '—' : AVERAGE_RATES.has(rate) ? value.toFixed(1) : `${(value * 100).toFixed(1)}%`;

/** One table: header row and a row per child, then the subtree total; the same for .xlsx and CSV. */
export function tongbaoTable(r: ExportRollup): { header: string[]; rows: (string | number)[][] } {
  const metrics = r.subtree.metrics;
  const rates = r.subtree.rates;
  const header = ['下级政协', '区划代码', ...metrics.map((m) => m.label), ...rates.map((x) => x.label), ...r.rankings.map((k) => `${k.label}排名`)];
  const rows = r.children.map((c) => {
    const value = new Map(c.subtree.metrics.map((m) => [m.metric, m.value]));
    const rate = new Map(c.subtree.rates.map((x) => [x.rate, x.value]));
    return [
      c.tenant.committeeName,
      c.tenant.code,
      ...metrics.map((m) => value.get(m.metric) ?? 0),
      ...rates.map((x) => formatRate(rate.get(x.rate) ?? null, x.rate)),
      ...r.rankings.map((k) => k.entries.find((e) => e.tenant.code === c.tenant.code)?.rank ?? ''),
    ];
  });
  rows.push(['合计（本级及所属）', r.tenant.code, ...metrics.map((m) => m.value), ...rates.map((x) => formatRate(x.value, x.rate)), ...r.rankings.map(() => '')]);
  return { header, rows };
}

const title = (r: ExportRollup) => `${r.tenant.committeeName}量化通报`;
const periodLine = (r: ExportRollup) => `统计期间：${r.period}（${r.from} 至 ${r.to}，不含截止日）`;
const silentLine = (r: ExportRollup) =>
  `零报送通报：${r.silentChildren.length ? r.silentChildren.map((t) => t.committeeName).join('、') : '无'}`;

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a UTF-8 BOM, so Excel reads the Chinese. */
export function tongbaoCsv(r: ExportRollup): string {
  const { header, rows } = tongbaoTable(r);
  const lines = [[title(r)], [periodLine(r)], header, ...rows, [], [silentLine(r)]];
  return '\uFEFF' + lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The 通报 workbook: title row, period, the children's table with rates and ranks, the zero-report list. */
export async function tongbaoXlsx(r: ExportRollup): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '三级政协联动平台';
  const ws = wb.addWorksheet('量化通报');
  const { header, rows } = tongbaoTable(r);
  ws.addRow([title(r)]).font = { bold: true, size: 16 };
  ws.mergeCells(1, 1, 1, header.length);
  ws.addRow([periodLine(r)]);
  const h = ws.addRow(header);
  h.font = { bold: true };
  h.alignment = { wrapText: true, vertical: 'middle' };
  for (const row of rows) ws.addRow(row);
  ws.getRow(ws.rowCount).font = { bold: true };
  ws.addRow([]);
  ws.addRow([silentLine(r)]).font = { color: { argb: 'FFC00000' }, bold: true };
  ws.getColumn(1).width = 22;
  ws.views = [{ state: 'frozen', xSplit: 1, ySplit: 3 }];
  const zero = wb.addWorksheet('零报送通报');
  zero.addRow(['下级政协', '区划代码']).font = { bold: true };
  for (const t of r.silentChildren) zero.addRow([t.committeeName, t.code]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
