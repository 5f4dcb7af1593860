import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { browserAvailable, ensureConsoleBuilt, launch, offlineContext, screenshotPath, signInToConsole } from '../helpers/browser.js';
import { EXPORT_QUERY, formatRate, tongbaoTable, type ExportRollup } from '../../src/console/tongbao.js';

/** The demo data's silent quarter (seeds/records.ts): the last full quarter before the template was seeded. */
function lastQuarter(): string {
  const now = new Date();
  const q = Math.floor(now.getUTCMonth() / 3);
  return q === 0 ? `${now.getUTCFullYear() - 1}-Q4` : `${now.getUTCFullYear()}-Q${q}`;
}
const PERIOD = lastQuarter();
const TABLE_METRICS = ['proposal.submitted', 'proposal.filed', 'proposal.overdue', 'opinion.submitted', 'opinion.adopted', 'opinion.instructed', 'suggestion.total', 'suggestion.overdue'];

let app: TestApp;
let browser: Browser;
let origin: string;

describe.skipIf(!browserAvailable())('console in headless Chromium, no network but the server', () => {
  beforeAll(async () => {
    await ensureConsoleBuilt();
    app = await startTestApp();
    origin = new URL(app.url).origin;
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const signIn = (login: string) => signInToConsole(browser, origin, login);

  /** The children's table as shown: committee name → metric key → cell text. */
  async function tableOnScreen(page: Page): Promise<Record<string, Record<string, string>>> {
    return page.getByTestId('children-table').evaluate((table) => {
      const out: Record<string, Record<string, string>> = {};
      for (const tr of table.querySelectorAll('tbody tr')) {
        const row: Record<string, string> = {};
        for (const td of tr.querySelectorAll('td[data-metric]')) row[td.getAttribute('data-metric')!] = td.textContent!.trim();
        out[tr.querySelector('[data-testid=child-name]')!.textContent!.trim()] = row;
      }
      return out;
    });
  }

  /** What the same table must show, computed from the API's answer for the same query. */
  function tableFromApi(r: ExportRollup): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const c of r.children) {
      const row: Record<string, string> = {};
      for (const k of TABLE_METRICS) row[k] = String(c.subtree.metrics.find((m) => m.metric === k)!.value);
      for (const x of c.subtree.rates) row[x.rate] = formatRate(x.value, x.rate);
      out[c.tenant.committeeName] = row;
    }
    return out;
  }

  async function apiRollup(login: string, code: string): Promise<ExportRollup> {
    const res = await app.as(login)(EXPORT_QUERY, { code, period: PERIOD });
    expect(res.body.errors).toBeUndefined();
    return res.body.data.rollup;
  }

  it('province staff: cockpit figures equal the API, drill down to a city, download the 通报 .xlsx and read it back', async () => {
    const { page, context, blocked } = await signIn('yn.staff');
    expect(await page.getByTestId('viewer').textContent()).toContain('云南省政协');
    await page.getByTestId('period').fill(PERIOD);
    await page.getByTestId('load').click();
    await page.getByTestId('children-table').waitFor();
    await page.locator('#rank-chart[data-drawn=true]').waitFor();

    const province = await apiRollup('yn.staff', '530000');
    expect(await tableOnScreen(page)).toEqual(tableFromApi(province));
    // Headline figures (subtree and own) carry the roll-up's labels and values.
    const submitted = page.getByTestId('headline-proposal.submitted');
    expect(await submitted.locator('.label').textContent()).toBe(province.subtree.metrics.find((m) => m.metric === 'proposal.submitted')!.label);
    expect(await submitted.getByTestId('subtree-value').textContent()).toBe(String(province.subtree.metrics.find((m) => m.metric === 'proposal.submitted')!.value));
    // The trend line: the period's year month by month up to the period's end, as the API's month roll-ups say.
    const trend = page.locator('#trend-chart[data-drawn=true]');
    await trend.waitFor();
    expect(await trend.getAttribute('data-metric')).toBe('proposal.submitted');
    const year = Number(province.from.slice(0, 4));
    const lastMonth = Number(province.to.slice(0, 4)) > year ? 12 : Number(province.to.slice(5, 7)) - 1 || 12;
    const monthly: number[] = [];
    for (let m = 1; m <= lastMonth; m++) {
      const r = await app.as('yn.staff')(`query($p: String!) { rollup(code: "530000", period: $p) { subtree { metrics { metric value } } } }`, { p: `${year}-${String(m).padStart(2, '0')}` });
      monthly.push(r.body.data.rollup.subtree.metrics.find((x: { metric: string }) => x.metric === 'proposal.submitted').value);
    }
    expect(JSON.parse((await trend.getAttribute('data-values'))!)).toEqual(monthly);
    expect(monthly.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('cockpit-province.png'), fullPage: true });

    // Sorting by a column orders the rows by it (descending first).
    await page.locator('th[data-key="proposal.submitted"]').click();
    const shown = await page.locator('td[data-metric="proposal.submitted"]').allTextContents();
    expect(shown.map(Number)).toEqual([...shown.map(Number)].sort((a, b) => b - a));

    // Drill down: 昆明 → its counties, with 盘龙区 in the zero-report callout for the silent quarter.
    await page.getByTestId('child-row').filter({ hasText: '昆明市政协' }).click();
    await page.getByTestId('crumbs').filter({ hasText: '昆明市政协' }).waitFor();
    await page.getByTestId('children-table').filter({ hasText: '五华区政协' }).waitFor();
    const city = await apiRollup('yn.staff', '530100');
    expect(await tableOnScreen(page)).toEqual(tableFromApi(city));
    // 盘龙区 was silent that quarter, 五华区 was not (the other counties have no demo data at all).
    expect(city.silentChildren.map((t) => t.code)).toContain('530103');
    expect(city.silentChildren.map((t) => t.code)).not.toContain('530102');
    const callout = (await page.getByTestId('zero-report').textContent())!;
    expect(callout).toContain(city.silentChildren.map((t) => t.committeeName).join('、'));
    await page.locator('#rank-chart[data-drawn=true]').waitFor();
    await page.screenshot({ path: screenshotPath('cockpit-city.png'), fullPage: true });

    // The 通报 of the committee on screen, read back.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await download.path())!);
    const ws = wb.getWorksheet('量化通报')!;
    const { header, rows: expected } = tongbaoTable(city);
    const rows = ws.getSheetValues().slice(1).map((r) => (Array.isArray(r) ? r.slice(1) : []));
    // The title row is one cell merged across the table's width.
    expect(ws.getCell(1, 1).value).toBe('昆明市政协量化通报');
    expect(ws.getCell(1, header.length).isMerged).toBe(true);
    expect(rows[1]![0]).toContain(PERIOD);
    expect(rows[2]).toEqual(header);
    expect(rows.slice(3, 3 + expected.length)).toEqual(expected);
    expect(rows[3 + expected.length + 1]).toEqual([`零报送通报：${city.silentChildren.map((t) => t.committeeName).join('、')}`]);

    expect(blocked).toEqual([]);
    await context.close();
  });

  it('explorer at GET /graphql loads offline and runs a query with the token in its headers editor', async () => {
    const { page, context, blocked } = await signIn('yn.staff');
    await page.goto(origin + '/graphql');
    await page.locator('.graphiql-container').waitFor();
    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.result-window');
    await result.filter({ hasText: '云南省政协' }).waitFor();
    const text = (await result.textContent())!;
    expect(text).toContain('"role": "STAFF"');
    expect(text).toContain('"code": "530000"');
    await page.screenshot({ path: screenshotPath('explorer.png') });
    expect(blocked).toEqual([]);
    await context.close();
  });

  it('county desk: invitations, joint work and deadlines as the jointWork query answers; sign-out returns to sign-in', async () => {
    const { page, context, blocked } = await signIn('wh.staff');
    await page.getByRole('button', { name: '联动工作台' }).click();
    await page.getByTestId('desk').waitFor();
    const desk = (
      await app.as('wh.staff')(`{ jointWork { invitations { title } projects(first: 20) { edges { node { title } } } topics(first: 20) { edges { node { title } } } } }`)
    ).body.data.jointWork;
    const text = (await page.getByTestId('desk').textContent())!;
    const titles = [...desk.invitations.map((i: { title: string }) => i.title), ...desk.projects.edges.map((e: { node: { title: string } }) => e.node.title), ...desk.topics.edges.map((e: { node: { title: string } }) => e.node.title)];
    expect(titles.length).toBeGreaterThan(0);
    for (const t of titles) expect(text).toContain(t);
    await page.screenshot({ path: screenshotPath('desk-county.png'), fullPage: true });
    await page.getByTestId('signout').click();
    await page.getByTestId('signin').waitFor();
    expect(
      await page.evaluate(() => {
        const ls = (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage;
        return [ls.getItem('cppcc.token'), ls.getItem('cppcc.session')];
      }),
    ).toEqual([null, null]);
    expect(blocked).toEqual([]);
    await context.close();
  });

  it('a bad token stays on the sign-in screen with a message', async () => {
    const { context } = await offlineContext(browser, origin);
    const page = await context.newPage();
    await page.goto(origin + '/');
    await page.locator('summary').click();
    await page.getByTestId('token').fill('not-a-token');
    await page.getByTestId('token-button').click();
    await page.getByTestId('signin-error').filter({ hasText: '令牌无效或已过期' }).waitFor();
    await context.close();
  });
});
