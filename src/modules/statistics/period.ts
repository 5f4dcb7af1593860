import { badInput, text } from '../../core/errors.js';

/** A reporting period resolved to month buckets [from, to) and the years it touches. */
export interface Period {
  label: string;
  /** First month bucket, inclusive (YYYY-MM-01). */
  from: string;
  /** Month bucket after the last one, exclusive (YYYY-MM-01). */
  to: string;
  fromYear: number;
  toYear: number;
}

const MAX_YEARS = 20;
const month = (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}-01`;
const next = (y: number, m: number): [number, number] => (m === 12 ? [y + 1, 1] : [y, m + 1]);

function span(label: string, y1: number, m1: number, y2: number, m2: number): Period {
  if (y2 * 12 + m2 < y1 * 12 + m1) throw badInput(text('统计期间的结束早于开始', 'period ends before it starts'), { field: 'period' });
  if (y2 - y1 >= MAX_YEARS) throw badInput(text(`统计期间最长 ${MAX_YEARS} 年`, `period may cover at most ${MAX_YEARS} years`), { field: 'period' });
  const [ny, nm] = next(y2, m2);
  return { label, from: month(y1, m1), to: month(ny, nm), fromYear: y1, toYear: y2 };
}

/**
 * Periods as people say them: `2025` (year), `2025-Q2` (quarter), `2025-03` (month), or a range of months
 * `2025-01..2025-06`. Anything else is bad input.
 */
export function parsePeriod(source: string): Period {
  const t = source.trim();
  let m: RegExpMatchArray | null;
  const year = (s: string) => {
    const y = Number(s);
    if (y < 2000 || y > 2100) throw badInput(text('年份须在 2000 至 2100 之间', 'year must be between 2000 and 2100'), { field: 'period' });
    return y;
  };
  const mon = (s: string) => {
    const n = Number(s);
    if (n < 1 || n > 12) throw badInput(text('月份须为 01 至 12', 'month must be 01–12'), { field: 'period' });
    return n;
  };
  if ((m = t.match(/^(\d{4})$/))) {
    const y = year(m[1]!);
    return span(`${y}`, y, 1, y, 12);
  }
  if ((m = t.match(/^(\d{4})-Q([1-4])$/))) {
    const y = year(m[1]!);
    const q = Number(m[2]);
    return span(`${y}-Q${q}`, y, q * 3 - 2, y, q * 3);
  }
  if ((m = t.match(/^(\d{4})-(\d{2})$/))) {
    const y = year(m[1]!);
    const mm = mon(m[2]!);
    return span(`${y}-${m[2]}`, y, mm, y, mm);
  }
  if ((m = t.match(/^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$/))) {
    return span(t, year(m[1]!), mon(m[2]!), year(m[3]!), mon(m[4]!));
  }
  throw badInput(text('统计期间须为 YYYY、YYYY-Qn、YYYY-MM 或 YYYY-MM..YYYY-MM', 'period must be YYYY, YYYY-Qn, YYYY-MM or YYYY-MM..YYYY-MM'), { field: 'period' });
}
