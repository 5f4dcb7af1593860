import ExcelJS from 'exceljs';
import { chinaDate } from '../../core/clock.js';
import type { SupervisionTask } from './supervision.entities.js';
import type { SupervisionReport } from './supervision.service.js';

/*
 * The 督查专报 as a file, made the way the console makes the 通报 (src/console/tongbao.ts): one table for
 * .xlsx and CSV alike, CSV with a UTF-8 BOM and CRLF so Excel reads the Chinese, the workbook with a bold
 * title row, the period line and a frozen header.
 */

const SOURCE_ZH: Record<string, string> = { INSTRUCTION: '领导批示', CONSULTATION_OUTCOME: '协商成果', RESEARCH_OUTCOME: '调研成果' };
const day = (d: Date | null | undefined) => (d ? chinaDate(d) : '');

const title = (r: SupervisionReport) => `${r.tenantName}督查专报`;
const periodLine = (r: SupervisionReport) => `统计期间：${r.period}（${r.from} 至 ${r.to}，不含截止日）`;
const summaryLine = (r: SupervisionReport) =>
  `本期交办 ${r.issued} 项，销号 ${r.closed.length} 项（按期 ${r.closedOnTime} 项，逾期 ${r.closedLate} 项），逾期未销号 ${r.late.length} 项`;

export function unitTable(r: SupervisionReport): { header: string[]; rows: (string | number)[][] } {
  return {
    header: ['责任单位', '交办数', '销号数', '按期销号', '逾期销号', '逾期未销号'],
    rows: r.byUnit.map((u) => [u.ownerUnit, u.issued, u.closed, u.closedOnTime, u.closedLate, u.overdue]),
  };
}

const TASK_HEADER = ['督办事项', '来源', '责任单位', '交办日期', '办结时限', '销号日期', '办理情况'];
const taskRow = (t: SupervisionTask, state: string) => [t.title, SOURCE_ZH[t.source] ?? t.source, t.ownerUnit, day(t.issuedAt), day(t.deadline), day(t.closedAt), state];
const closedState = (t: SupervisionTask) => (t.closedAt && t.closedAt <= t.deadline ? '按期销号' : '逾期销号');

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reportCsv(r: SupervisionReport): string {
  const units = unitTable(r);
  const lines: (string | number)[][] = [
    [title(r)],
    [periodLine(r)],
    [summaryLine(r)],
    [],
    units.header,
    ...units.rows,
    [],
    ['本期销号事项'],
    TASK_HEADER,
    ...r.closed.map((t) => taskRow(t, closedState(t))),
    [],
    ['逾期未销号事项'],
    TASK_HEADER,
    ...r.late.map((t) => taskRow(t, '逾期未销号')),
  ];
  return '\uFEFF' + lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export async function reportXlsx(r: SupervisionReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '三级政协联动平台';
  const ws = wb.addWorksheet('督查专报');
  const units = unitTable(r);
  ws.addRow([title(r)]).font = { bold: true, size: 16 };
  ws.mergeCells(1, 1, 1, units.header.length);
  ws.addRow([periodLine(r)]);
  ws.addRow([summaryLine(r)]);
  ws.addRow(units.header).font = { bold: true };
  for (const row of units.rows) ws.addRow(row);
  ws.getColumn(1).width = 28;
  ws.views = [{ state: 'frozen', xSplit: 1, ySplit: 4 }];
  for (const [name, tasks, state] of [
    ['本期销号', r.closed, closedState],
    ['逾期未销号', r.late, () => '逾期未销号'],
  ] as const) {
    const sheet = wb.addWorksheet(name);
    sheet.addRow(TASK_HEADER).font = { bold: true };
    for (const t of tasks) sheet.addRow(taskRow(t, state(t)));
    sheet.getColumn(1).width = 40;
    sheet.getColumn(3).width = 24;
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
