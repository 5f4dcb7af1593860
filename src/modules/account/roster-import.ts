import type { Context } from '../../core/context.js';
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

/** Every row checked before anything is written; all errors at once, each with its line and column. */
export function checkRoster(text: string): { rows: (RosterRow & { line: number })[]; errors: RosterError[] } {
  const errors: RosterError[] = [];
  if (text.includes('\u0000')) return { rows: [], errors: [{ row: 1, field: 'file', message: 'contains NUL characters' }] };
  const parsed = parseCsv(text);
  const header = parsed.shift();
  if (!header) return { rows: [], errors: [{ row: 1, field: 'file', message: 'is empty' }] };
  const columns = header.cells.map((h) => HEADERS[h.trim().toLowerCase()] ?? HEADERS[h.trim()]);
  header.cells.forEach((h, i) => {
    if (!columns[i]) errors.push({ row: 1, field: h.trim() || `column ${i + 1}`, message: 'is not a roster column (name/姓名, sector/界别, title/职务, term/届次, phone/电话)' });
  });
  for (const req of REQUIRED) if (!columns.includes(req)) errors.push({ row: 1, field: req, message: 'column is missing' });
  if (parsed.length > MAX_ROSTER_ROWS) errors.push({ row: 1, field: 'file', message: `has more than ${MAX_ROSTER_ROWS} rows` });
  if (parsed.length === 0) errors.push({ row: 1, field: 'file', message: 'has no rows' });
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
export async function importRoster(ctx: Context, csv: string): Promise<MemberSeat[]> {
  if (ctx.viewer.role !== Role.ADMIN && ctx.viewer.role !== Role.STAFF) throw forbidden();
  const { rows, errors } = checkRoster(csv);
  if (errors.length) throw badInput(text('名册有误，未导入任何记录', 'Roster has errors; nothing was imported'), { rows: errors.slice(0, 200), errorCount: errors.length });
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
