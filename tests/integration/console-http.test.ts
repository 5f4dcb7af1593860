import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { EXPORT_QUERY, tongbaoTable, type ExportRollup } from '../../src/console/tongbao.js';

const PERIOD = '2026';
const ALLOWED = 'https://console.example.gov.cn';

let app: TestApp;
let origin: string;
let rlsOnly: TestApp;
beforeAll(async () => {
  // One after the other: two boots at once race on the shared cluster's role setup (tuple concurrently updated).
  app = await startTestApp({ corsOrigins: [ALLOWED] });
  rlsOnly = await startTestApp({ ormTenantFilter: false });
  origin = new URL(app.url).origin;
});
afterAll(async () => {
  await rlsOnly?.stop();
  await app?.stop();
});

async function exportAs(a: TestApp, login: string | null, format: string, query: string) {
  const headers: Record<string, string> = login ? { authorization: `Bearer ${await a.token(login)}` } : {};
  return fetch(`${new URL(a.url).origin}/export/tongbao.${format}?${query}`, { headers });
}

async function api(a: TestApp, login: string, code: string): Promise<ExportRollup> {
  const res = await a.as(login)(EXPORT_QUERY, { code, period: PERIOD });
  expect(res.body.errors).toBeUndefined();
  return res.body.data.rollup;
}

describe('通报 export', () => {
  it('CSV: BOM, title, period, the same table as the API figures, the zero-report line', async () => {
    const res = await exportAs(app, 'km.staff', 'csv', `period=${PERIOD}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain(`tongbao-530100-${PERIOD}.csv`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const r = await api(app, 'km.staff', '530100');
    const { header, rows } = tongbaoTable(r);
    const silent = r.silentChildren.length ? r.silentChildren.map((t) => t.committeeName).join('、') : '无';
    expect(text.split('\r\n')).toEqual([
      '昆明市政协量化通报',
      `统计期间：${PERIOD}（${r.from} 至 ${r.to}，不含截止日）`,
      header.join(','),
      ...rows.map((row) => row.join(',')),
      '',
      `零报送通报：${silent}`,
      '',
    ]);
    // Every child of 昆明 has a row, and the figures are the API's.
    expect(rows.slice(0, -1).map((row) => row[1])).toEqual(r.children.map((c) => c.tenant.code));
  });

  it('.xlsx: a workbook with the 通报 sheet and the zero-report sheet, for a committee below the caller', async () => {
    const res = await exportAs(app, 'yn.staff', 'xlsx', `code=530100&period=${PERIOD}`);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(['量化通报', '零报送通报']);
    const r = await api(app, 'yn.staff', '530100');
    const { header, rows } = tongbaoTable(r);
    const ws = wb.getWorksheet('量化通报')!;
    expect(ws.getCell(1, 1).value).toBe('昆明市政协量化通报');
    const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
    expect(values(3)).toEqual(header);
    expect(rows.map((_, i) => values(4 + i))).toEqual(rows);
    const zero = wb.getWorksheet('零报送通报')!;
    expect((zero.getSheetValues().slice(2) as unknown[][]).map((v) => v.slice(1))).toEqual(r.silentChildren.map((t) => [t.committeeName, t.code]));
  });

  it('same visibility rule as the API: no token 401, a member 403, a parent or a sibling is not found (also with the ORM filter off)', async () => {
    const body = async (res: Response) => ({ status: res.status, code: ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code });
    expect(await body(await exportAs(app, null, 'xlsx', `period=${PERIOD}`))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await body(await exportAs(app, 'wh.member', 'xlsx', `period=${PERIOD}`))).toEqual({ status: 403, code: 'FORBIDDEN' });
    for (const a of [app, rlsOnly]) {
      expect(await body(await exportAs(a, 'wh.staff', 'xlsx', `code=530100&period=${PERIOD}`))).toEqual({ status: 404, code: 'NOT_FOUND' });
      expect(await body(await exportAs(a, 'wh.staff', 'csv', `code=530103&period=${PERIOD}`))).toEqual({ status: 404, code: 'NOT_FOUND' });
      expect(await body(await exportAs(a, 'km.staff', 'csv', `code=530000&period=${PERIOD}`))).toEqual({ status: 404, code: 'NOT_FOUND' });
    }
    expect(await body(await exportAs(app, 'km.staff', 'csv', 'period=2026-13'))).toEqual({ status: 400, code: 'BAD_USER_INPUT' });
    expect((await exportAs(app, 'km.staff', 'pdf', `period=${PERIOD}`)).status).toBe(404);
  });
});

describe('explorer and console pages', () => {
  it('GET /graphql from a browser is the self-hosted explorer: every script and style from this server', async () => {
    const res = await fetch(app.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('GraphiQL');
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs).toEqual(['/explorer/graphiql.css', '/explorer/react.js', '/explorer/react-dom.js', '/explorer/graphiql.js']);
    for (const ref of refs) expect((await fetch(origin + ref)).status).toBe(200);
    expect((await fetch(origin + '/explorer/other.js')).status).toBe(404);
  });

  it('GET /graphql with a query string is still the API', async () => {
    const res = await fetch(`${app.url}?query=${encodeURIComponent('{ me { role } }')}`, {
      headers: { authorization: `Bearer ${await app.token('yn.staff')}`, 'apollo-require-preflight': 'true' },
    });
    expect(await res.json()).toEqual({ data: { me: { role: 'STAFF' } } });
  });
});

describe('CORS', () => {
  const preflight = (base: string, from: string) =>
    fetch(base, { method: 'OPTIONS', headers: { origin: from, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });

  it('an allowlisted origin gets the CORS headers on preflight and on the call', async () => {
    const pre = await preflight(app.url, ALLOWED);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { origin: ALLOWED, 'content-type': 'application/json', authorization: `Bearer ${await app.token('yn.staff')}` },
      body: JSON.stringify({ query: '{ me { role } }' }),
    });
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('an origin not on the list, and every origin by default, gets none', async () => {
    for (const [base, from] of [[app.url, 'https://evil.example'], [rlsOnly.url, ALLOWED]] as const) {
      const pre = await preflight(base, from);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      const res = await fetch(base, { method: 'POST', headers: { origin: from, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me { role } }' }) });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});
