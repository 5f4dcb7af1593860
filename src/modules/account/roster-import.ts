import type { Context } from '../../core/context.js';
import ExcelJS from 'exceljs';
import { badInput, forbidden, text } from '../../core/errors.js';
import { Role, User } from '../../core/identity/user.entity.js';
import { MemberSeat } from '../../core/identity/member-seat.entity.js';
import { ownership } from '../../core/tenant-owned.js';

/** Column headers a roster may use, English or Chinese (委员名单: 姓名, 界别, 职务, 届次, 电话). */
const HEADERS: Record<string, keyof RosterRow> = {
  name: 'name', 姓名: 'name',
  sector: 'sector', 界别: 'sector',
  title: 'title', 职务: 'title',
  term: 'term', 届次: 'term',
  phone: 'phone', 电话: 'phone', 联系电话: 'phone', 手机: 'phone',
};
const REQUIRED: (keyof RosterRow)[] = ['name', 'sector', 'term'];
export const MAX_ROSTER_ROWS = 5000;

export interface RosterRow {
  name: string;
  sector: string;
  title: string;
  term: string;
  phone: string;
}

export interface RosterError {
  /** Line of the file (the header is line 1). */
  row: number;
  field: string;
  message: string;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. Returns rows with their first line. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const src = text.replace(/^\uFEFF/, '');
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') (cells.push(cell), (cell = ''));
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      cells.push(cell);
      rows.push({ line: start, cells });
      (cells = []), (cell = '');
      start = ++line;
    } else cell += c;
  }
  if (cell !== '' || cells.length) (cells.push(cell), rows.push({ line: start, cells }));
  return rows.filter((r) => r.cells.some((c) => c.trim() !== ''));
}

/** Every row of a CSV roster checked before anything is written; all errors at once, each with its line and column. */
export function checkRoster(text: string): { rows: (RosterRow & { line: number })[]; errors: RosterError[] } {
  if (text.includes('\u0000')) return { rows: [], errors: [{ row: 1, field: 'file', message: 'contains NUL characters' }] };
  return checkRosterRows(parseCsv(text));
}

/** Largest Excel file taken, in bytes (a roster of the row limit is far smaller). */
export const MAX_XLSX_BYTES = 5 * 1024 * 1024;

/**
 * The cells of the first worksheet of an Excel workbook (.xlsx, Office Open XML) as text, each row with its
 * number in the sheet (what the user sees at the left), empty rows left out. Numbers are read as Excel shows
 * them (a phone number typed as a number stays its digits), formulas as their result. `null`: not a workbook.
 */
export async function readXlsx(file: Buffer): Promise<{ line: number; cells: string[] }[] | null> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(file as never);
  } catch {
    return null;
  }
  const sheet = wb.worksheets[0];
  if (!sheet) return [];
  const rows: { line: number; cells: string[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c)));
    if (cells.some((c) => c.trim() !== '')) rows.push({ line: row.number, cells });
  });
  return rows;
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  // A number of 11 or more digits (a mobile phone) would show in exponent form: keep its digits.
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object' && 'result' in v) return v.result === undefined || v.result === null ? '' : String(v.result instanceof Date ? v.result.toISOString().slice(0, 10) : v.result);
  return cell.text ?? '';
}

/** Every row checked before anything is written; all errors at once, each with its row (the header is row 1 of a CSV) and column. */
export function checkRosterRows(parsed: { line: number; cells: string[] }[]): { rows: (RosterRow & { line: number })[]; errors: RosterError[] } {
  const errors: RosterError[] = [];
  parsed = parsed.map((r) => ({ line: r.line, cells: r.cells.map((c) => c.replace(/\u0000/g, '')) }));
  const header = parsed.shift();
  if (!header) return { rows: [], errors: [{ row: 1, field: 'file', message: 'is empty' }] };
  const headerRow = header.line;
  const columns = header.cells.map((h) => HEADERS[h.trim().toLowerCase()] ?? HEADERS[h.trim()]);
  header.cells.forEach((h, i) => {
    if (!columns[i]) errors.push({ row: headerRow, field: h.trim() || `column ${i + 1}`, message: 'is not a roster column (name/姓名, sector/界别, title/职务, term/届次, phone/电话)' });
  });
  for (const req of REQUIRED) if (!columns.includes(req)) errors.push({ row: headerRow, field: req, message: 'column is missing' });
  if (parsed.length > MAX_ROSTER_ROWS) errors.push({ row: headerRow, field: 'file', message: `has more than ${MAX_ROSTER_ROWS} rows` });
  if (parsed.length === 0) errors.push({ row: headerRow, field: 'file', message: 'has no rows' });
  if (errors.length) return { rows: [], errors };
  const rows: (RosterRow & { line: number })[] = [];
  for (const { line, cells } of parsed) {
    const r: RosterRow = { name: '', sector: '', title: '', term: '', phone: '' };
    if (cells.length > columns.length) errors.push({ row: line, field: 'row', message: `has ${cells.length} cells, the header ${columns.length}` });
    columns.forEach((col, i) => (r[col!] = (cells[i] ?? '').trim()));
    const limit = (field: keyof RosterRow, max: number, required: boolean) => {
      if (required && !r[field]) errors.push({ row: line, field, message: 'is required' });
      else if ([...r[field]].length > max) errors.push({ row: line, field, message: `must be at most ${max} characters` });
    };
    limit('name', 64, true);
    limit('sector', 64, true);
    limit('title', 64, false);
    limit('term', 32, true);
    if (r.phone && !/^\+?[0-9][0-9 -]{4,19}$/.test(r.phone)) errors.push({ row: line, field: 'phone', message: 'is not a phone number' });
    rows.push({ ...r, line });
  }
  return { rows, errors };
}

/**
 * Imports a member roster (委员名单) for the acting committee: one MEMBER account and seat per row. All rows are
 * checked first; if any is wrong nothing is written and the error lists each row and field. Logins continue
 * the committee's roster numbering (`m<code>.<nnn>`); the accounts have no password until one is set.
 */
export async function importRoster(ctx: Context, file: { csv?: string | null; xlsx?: string | null }): Promise<MemberSeat[]> {
  if (ctx.viewer.role !== Role.ADMIN && ctx.viewer.role !== Role.STAFF) throw forbidden();
  if ((file.csv == null) === (file.xlsx == null)) throw badInput(text('请提供 csv 或 xlsx 之一', 'Give the roster as csv or as xlsx, one of the two'), { field: file.csv == null ? 'csv' : 'xlsx' });
  let checked: ReturnType<typeof checkRoster>;
  if (file.csv != null) checked = checkRoster(file.csv);
  else {
    const raw = file.xlsx!.replace(/\s+/g, '');
    const bytes = /^[A-Za-z0-9+/]*={0,2}$/.test(raw) ? Buffer.from(raw, 'base64') : null;
    if (!bytes || bytes.length === 0) throw badInput(text('xlsx 应为 Base64 编码的 Excel 文件', 'xlsx must be an Excel file in Base64'), { field: 'xlsx' });
    if (bytes.length > MAX_XLSX_BYTES) throw badInput(text(`Excel 文件不能超过 ${MAX_XLSX_BYTES / 1024 / 1024} MB`, `The Excel file must be at most ${MAX_XLSX_BYTES / 1024 / 1024} MB`), { field: 'xlsx' });
    const sheet = await readXlsx(bytes);
    if (!sheet) throw badInput(text('不是 Excel 工作簿（.xlsx）', 'xlsx is not an Excel workbook (.xlsx)'), { field: 'xlsx' });
    checked = checkRosterRows(sheet);
  }
  const { rows, errors } = checked;
  if (errors.length) throw badInput(text('名单有误，未导入任何记录', 'Roster has errors; nothing was imported'), { rows: errors.slice(0, 200), errorCount: errors.length });
  const prefix = `m${ctx.tenant.code}.`;
  const existing = await ctx.em.execute<{ n: number | null }[]>(
    `select max(substring(login from ${prefix.length + 1})::int) n from app_user where tenant_id = ? and login like ? and substring(login from ${prefix.length + 1}) ~ '^[0-9]+$'`,
    [ctx.tenant.id, `${prefix}%`],
  );
  let n = existing[0]?.n ?? 0;
  const owner = ownership(ctx.tenant);
  const seats = rows.map((r) => {
    const user = ctx.em.create(User, { ...owner, login: `${prefix}${String(++n).padStart(3, '0')}`, displayName: r.name, role: Role.MEMBER });
    return ctx.em.create(MemberSeat, { ...owner, userId: user.id, sector: r.sector, title: r.title || null, term: r.term, phone: r.phone || null });
  });
  await ctx.em.flush();
  return seats;
}
