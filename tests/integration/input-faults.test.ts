import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

/**
 * Input PostgreSQL cannot take, or graphql-js gives up on, is the client's fault: BAD_USER_INPUT naming the
 * field, never INTERNAL_SERVER_ERROR, and nothing written (issue 12, fault 4).
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const NUL = '\u0000';
const nulError = (path: string[], ...fields: string[]) => ({
  message: 'Input is not valid',
  path,
  locations: expect.any(Array),
  extensions: { code: 'BAD_USER_INPUT', details: { fields: fields.map((field) => ({ field, messages: [`${field} must not contain the NUL character (U+0000)`] })) } },
});
const count = (table: string) => app.db.query(`select count(*)::int n from ${table}`).then((r) => r.rows[0].n as number);

describe('NUL (U+0000) in a string input', () => {
  it('in a variable inside an input object: BAD_USER_INPUT naming the field, nothing written', async () => {
    const [users, seats] = [await count('app_user'), await count('member_seat')];
    const r = await app.as('pl.staff')(`mutation($input: AddMemberInput!) { addMember(input: $input) { id } }`, {
      input: { login: 'pl.nul.one', displayName: `张${NUL}云`, sector: `文化${NUL}艺术界`, term: '第十届' },
    });
    expect(r.body).toEqual({ data: null, errors: [nulError(['addMember'], 'displayName', 'sector')] });
    expect([await count('app_user'), await count('member_seat')]).toEqual([users, seats]);
  });

  it('in a literal argument of a query', async () => {
    const r = await app.as('wh.staff')(`{ tenant(code: "530102\\u0000") { name } }`);
    expect(r.body).toEqual({ data: { tenant: null }, errors: [nulError(['tenant'], 'code')] });
  });

  it('in one element of a list, and in an argument of a nested field', async () => {
    const r = await app.as('yn.staff')(`mutation($codes: [String!]!) { inviteToResearch(input: { itemId: "x", committeeCodes: $codes }) { id } }`, { codes: ['530100', `5301${NUL}02`] });
    expect(r.body).toEqual({ data: null, errors: [nulError(['inviteToResearch'], 'committeeCodes.1')] });
    const nested = await app.as('wh.staff')(`query($a: String) { me { tenant { code } } members(first: 1, after: $a) { totalCount } }`, { a: `c${NUL}` });
    expect(nested.body).toEqual({ data: null, errors: [nulError(['members'], 'after')] });
  });

  it('over WebSocket: a query and a subscription are refused the same way', async () => {
    const client = app.ws(await app.token('wh.member'));
    const run = (query: string, variables: Record<string, unknown>) =>
      new Promise<unknown>((resolve) => {
        const out: unknown[] = [];
        client.subscribe({ query, variables }, { next: (v) => out.push(v), error: (e) => resolve({ error: e }), complete: () => resolve(out) });
      });
    // graphql-ws answers carry no locations (see ws-transport).
    const { locations: _l, ...noLocations } = nulError(['tenant'], 'code');
    expect(await run(`query($c: String!) { tenant(code: $c) { name } }`, { c: `5301${NUL}` })).toEqual([{ data: { tenant: null }, errors: [noLocations] }]);
    const sub = await run(`subscription($id: ID!) { deliberationEvents(sessionId: $id) { seq } }`, { id: `RGVsaWJlcmF0aW9uU2Vzc2lvbjo${NUL}` });
    const { locations: _s, ...subError } = nulError(['deliberationEvents'], 'sessionId');
    expect(sub).toEqual([{ errors: [subError] }]);
  });
});

describe('dates outside what PostgreSQL stores', () => {
  const CREATE = `mutation($input: CreateResearchProjectInput!) { createResearchProject(input: $input) { id } }`;
  const project = (startDate: string) => ({ title: '年份为零的课题', background: '背景', goals: '目标', startDate, endDate: '2026-12-31' });

  it('a LocalDate in year 0 is BAD_USER_INPUT naming the field, nothing written', async () => {
    const before = await count('research_project');
    const r = await app.as('wh.staff')(CREATE, { input: project('0000-01-01') });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      {
        message: 'Variable "$input" got invalid value "0000-01-01" at "input.startDate"; Expected type "LocalDate". LocalDate must be a calendar date YYYY-MM-DD from 0001-01-01 to 9999-12-31',
        locations: expect.any(Array),
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expect(await count('research_project')).toBe(before);
  });

  it('a DateTime in year 0, or one that is in year 0 once in UTC, is BAD_USER_INPUT', async () => {
    const SCHEDULE = `mutation($input: ScheduleDeliberationInput!) { scheduleDeliberation(input: $input) { id } }`;
    for (const startsAt of ['0000-06-01T00:00:00Z', '0001-01-01T00:00:00+08:00', '9999-12-31T23:00:00-02:00']) {
      const r = await app.as('wh.staff')(SCHEDULE, { input: { topicTitle: '议题', title: '零年议政', startsAt, endsAt: '2026-05-01T00:00:00Z', participantIds: [] } });
      expect([r.status, r.body.errors]).toEqual([
        400,
        [
          {
            message: `Variable "$input" got invalid value "${startsAt}" at "input.startsAt"; Expected type "DateTime". DateTime must be an RFC 3339 instant with a zone (e.g. 2026-03-31T09:00:00+08:00) from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z`,
            locations: expect.any(Array),
            extensions: { code: 'BAD_USER_INPUT' },
          },
        ],
      ]);
    }
  });

  it('the first and last representable dates are taken', async () => {
    const r = await app.as('wh.staff')(`mutation($input: CreateResearchProjectInput!) { createResearchProject(input: $input) { startDate endDate } }`, {
      input: { ...project('0001-01-01'), endDate: '9999-12-31' },
    });
    expect(r.body).toEqual({ data: { createResearchProject: { startDate: '0001-01-01', endDate: '9999-12-31' } } });
  });
});

describe('graphql-js giving up on a variable', () => {
  it('1,000 invalid enum values in one variable: BAD_USER_INPUT, not INTERNAL_SERVER_ERROR', async () => {
    const r = await app.as('wh.staff')(`query($s: [ResearchStatus!]) { researchProjects(filter: { status: $s }) { totalCount } }`, { s: Array.from({ length: 1000 }, (_, i) => `NOPE_${i}`) });
    expect(r.status).toBe(400);
    expect(r.body.errors!.map((e) => e.extensions?.code)).toEqual(Array(51).fill('BAD_USER_INPUT'));
    expect(r.body.errors!.at(-1)).toEqual({ message: 'Too many errors processing variables, error limit reached. Execution aborted.', extensions: { code: 'BAD_USER_INPUT' } });
  });
});
