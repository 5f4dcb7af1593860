import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { localeOf } from '../../src/core/errors.js';
import { toGlobalId } from '../../src/core/global-id.js';

// Messages people read are Chinese unless the client prefers English; codes and details never change.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

const post = async (headers: Record<string, string>, query: string) => {
  const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, body: await res.json() };
};

describe('the language of messages', () => {
  it('reads Accept-Language by its weights: English only when preferred', () => {
    expect(localeOf(undefined)).toBe('zh');
    expect(localeOf('')).toBe('zh');
    expect(localeOf('en')).toBe('en');
    expect(localeOf('en-US,en;q=0.9')).toBe('en');
    expect(localeOf('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(localeOf('en;q=0.5,zh;q=0.9')).toBe('zh');
    expect(localeOf('fr-FR')).toBe('zh');
    expect(localeOf('*')).toBe('zh');
  });

  it('answers an unauthenticated request in Chinese by default and in English when asked, with the same code', async () => {
    const zh = await post({}, '{ members(first: 1) { totalCount } }');
    const en = await post({ 'accept-language': 'en-GB,en;q=0.8' }, '{ members(first: 1) { totalCount } }');
    expect(zh).toEqual({ status: 401, body: { errors: [{ message: '请先登录', extensions: { code: 'UNAUTHENTICATED' } }] } });
    expect(en).toEqual({ status: 401, body: { errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }] } });
  });

  it('answers a role refusal over the socket in the language of its upgrade request', async () => {
    const token = await app.token('pl.dept');
    const ask = (lang?: string) =>
      new Promise<unknown>((resolve, reject) => {
        class Lang extends WebSocket {
          constructor(address: string | URL, protocols?: string | string[]) {
            super(address, protocols, lang ? { headers: { 'accept-language': lang } } : {});
          }
        }
        const c = createClient({ url: app.wsUrl, webSocketImpl: Lang, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
        const results: unknown[] = [];
        c.subscribe({ query: '{ members { totalCount } }' }, { next: (r) => results.push(r), error: reject, complete: () => { void c.dispose(); resolve(results); } });
      });
    const refused = (message: string) => [{ data: null, errors: [{ message, path: ['members'], extensions: { code: 'FORBIDDEN' } }] }];
    expect(await ask()).toEqual(refused('您的角色无权进行此操作'));
    expect(await ask('en')).toEqual(refused('Not allowed for your role'));
  });
});

/**
 * The main flows' refusals, whole shapes, as a client without Accept-Language reads them (Chinese) and as one
 * asking for English: the message names the thing; code, path and details are the same in both.
 */
describe('messages of the main flows', () => {
  const ask = async (login: string, query: string, variables: Record<string, unknown>, lang?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${await app.token(login)}`, ...(lang ? { 'accept-language': lang } : {}) };
    const res = await fetch(app.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: unknown; errors?: { message: string }[] };
  };
  const both = async (login: string, query: string, variables: Record<string, unknown>) => [await ask(login, query, variables), await ask(login, query, variables, 'en')];
  const ok = <T = any>(r: { body: { data?: any; errors?: unknown } }, field: string): T => {
    expect(r.body.errors).toBeUndefined();
    return r.body.data[field];
  };

  it('a suggestion assigned twice: 已交办的建议不能再次交办', async () => {
    const call = app.as('km.staff');
    const t = ok(await call(`mutation { createConsultationTopic(input: { title: "优化营商环境", description: "优化营商环境专题协商", source: CPPCC, form: THEMATIC, year: 2026 }) { id } }`), 'createConsultationTopic');
    for (const to of ['RESEARCH', 'CONSULT']) ok(await call(`mutation($id: ID!, $to: TopicStage!) { moveConsultationTopic(input: { id: $id, to: $to }) { stage } }`, { id: t.id, to }), 'moveConsultationTopic');
    const s = ok(await call(`mutation($id: ID!) { addConsultationSuggestion(input: { topicId: $id, content: "建立企业诉求快速响应机制" }) { id } }`, { id: t.id }), 'addConsultationSuggestion');
    ok(await call(`mutation($id: ID!) { moveConsultationTopic(input: { id: $id, to: ASSIGN }) { stage } }`, { id: t.id }), 'moveConsultationTopic');
    const ASSIGN = `mutation($id: ID!, $dept: ID!) { assignSuggestion(input: { id: $id, unit: $dept }) { status } }`;
    const vars = { id: s.id, dept: toGlobalId('HandlingUnit', (await app.db.query('select unit_id from app_user where login = $1', ['km.dept'])).rows[0].unit_id) };
    ok(await call(ASSIGN, vars), 'assignSuggestion');
    const shape = (message: string) => ({ data: null, errors: [{ message, locations: [{ line: 1, column: 34 }], path: ['assignSuggestion'], extensions: { code: 'INVALID_TRANSITION', details: { from: 'ASSIGNED', to: 'ASSIGNED' } } }] });
    expect(await both('km.staff', ASSIGN, vars)).toEqual([shape('已交办的建议不能再次交办'), shape('This suggestion has already been assigned')]);
  });

  it('a proposal replied to before it is assigned, and one that is not found', async () => {
    const p = ok(await app.as('wh.member')(`mutation { submitProposal(input: { title: "关于加强社区食堂建设的提案", content: "建议在老旧社区增设社区食堂。", kind: MEMBER }) { id } }`), 'submitProposal');
    const REPLY = `mutation($id: ID!) { replyProposal(id: $id, input: { replyClass: A, text: "已办理" }) { status } }`;
    const shape = (message: string) => ({ data: null, errors: [{ message, locations: [{ line: 1, column: 22 }], path: ['replyProposal'], extensions: { code: 'INVALID_TRANSITION', details: { from: 'SUBMITTED', to: 'REPLIED' } } }] });
    expect(await both('wh.staff', REPLY, { id: p.id })).toEqual([shape('“已提交”的提案不能答复'), shape('A proposal that is SUBMITTED cannot be replied to')]);
    const missing = (message: string) => ({ data: null, errors: [{ message, locations: [{ line: 1, column: 22 }], path: ['replyProposal'], extensions: { code: 'NOT_FOUND' } }] });
    expect(await both('pl.staff', REPLY, { id: p.id })).toEqual([missing('提案不存在'), missing('Proposal not found')]);
  });

  it('a participant moving the lead’s project, and a move its state does not allow', async () => {
    const lead = app.as('km.staff');
    const project = ok(await lead(`mutation { createResearchProject(input: { title: "滇池保护治理联动调研", background: "滇池流域保护治理。", goals: "形成调研报告。", startDate: "2026-03-01", endDate: "2026-09-30" }) { id } }`), 'createResearchProject');
    ok(await lead(`mutation($id: ID!) { moveResearchProject(input: { id: $id, to: INVITING }) { status } }`, { id: project.id }), 'moveResearchProject');
    const [inv] = ok(await lead(`mutation($id: ID!) { inviteToResearch(input: { itemId: $id, committeeCodes: ["530102"] }) { id } }`, { id: project.id }), 'inviteToResearch');
    ok(await app.as('wh.staff')(`mutation($id: ID!) { respondToInvitation(id: $id, accept: true) { status } }`, { id: inv.id }), 'respondToInvitation');
    const MOVE = `mutation($id: ID!, $to: ResearchStatus!) { moveResearchProject(input: { id: $id, to: $to }) { status } }`;
    const refused = (message: string) => ({ data: null, errors: [{ message, locations: [{ line: 1, column: 44 }], path: ['moveResearchProject'], extensions: { code: 'FORBIDDEN' } }] });
    expect(await both('wh.staff', MOVE, { id: project.id, to: 'IN_PROGRESS' })).toEqual([refused('只有牵头单位可以进行此操作'), refused('Only the lead committee can do this')]);
    const invalid = (message: string) => ({ data: null, errors: [{ message, locations: [{ line: 1, column: 44 }], path: ['moveResearchProject'], extensions: { code: 'INVALID_TRANSITION', details: { from: 'INVITING', to: 'SUBMITTED' } } }] });
    expect(await both('km.staff', MOVE, { id: project.id, to: 'SUBMITTED' })).toEqual([invalid('课题当前为“邀请参与”，不能转为“已报送”'), invalid('A project that is INVITING cannot move to SUBMITTED')]);
    const answered = (message: string) => ({ data: null, errors: [{ message, locations: [{ line: 1, column: 22 }], path: ['respondToInvitation'], extensions: { code: 'INVALID_TRANSITION', details: { from: 'ACCEPTED', to: 'DECLINED' } } }] });
    const RESPOND = `mutation($id: ID!) { respondToInvitation(id: $id, accept: false, reason: "改变主意") { status } }`;
    expect(await both('wh.staff', RESPOND, { id: inv.id })).toEqual([answered('该邀请已接受，不能再次答复'), answered('This invitation has already been accepted')]);
  });

  it('input that fails validation: the summary is translated, the field messages in details are not', async () => {
    const Q = `mutation { submitProposal(input: { title: "短", content: "建议在老旧社区增设社区食堂。", kind: MEMBER }) { id } }`;
    const shape = (message: string) => ({
      data: null,
      errors: [{ message, locations: [{ line: 1, column: 12 }], path: ['submitProposal'], extensions: { code: 'BAD_USER_INPUT', details: { fields: [{ field: 'title', messages: ['title must be longer than or equal to 4 characters'] }] } } }],
    });
    expect(await both('wh.member', Q, {})).toEqual([shape('输入不符合要求'), shape('Input is not valid')]);
  });

  it('a query deeper than the limit (validation) and a subscription over HTTP', async () => {
    const deep = `{ ${'node(id: "x") { ... on ResearchProject { leadCommittee { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { code } } } } } } } } } } } } } }'} }`;
    const [zh, en] = await both('km.staff', deep, {});
    expect([zh!.errors?.map((e) => e.message), en!.errors?.map((e) => e.message)]).toEqual([['查询嵌套 14 层，上限为 12 层'], ['Query is nested 14 levels deep; the limit is 12']]);
    const sub = `subscription { deliberationEvents(sessionId: "x") { seq } }`;
    const [szh, sen] = await both('km.staff', sub, {});
    expect([szh!.errors?.[0]?.message, sen!.errors?.[0]?.message]).toEqual([
      '订阅须通过 /graphql 上的 WebSocket（graphql-transport-ws）进行，不支持 HTTP',
      'Subscriptions are served over WebSocket (graphql-transport-ws) on /graphql, not over HTTP',
    ]);
  });

  it('a failed sign-in (signIn)', async () => {
    const signIn = async (lang?: string) => {
      const res = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(lang ? { 'accept-language': lang } : {}) },
        body: JSON.stringify({ query: 'mutation { signIn(login: "km.staff", password: "wrong-password") { accessToken } }' }),
      });
      return { status: res.status, body: await res.json() };
    };
    const refused = (message: string) => ({ status: 401, body: { data: null, errors: [{ message, locations: [{ line: 1, column: 12 }], path: ['signIn'], extensions: { code: 'UNAUTHENTICATED' } }] } });
    expect(await signIn()).toEqual(refused('登录名或密码错误'));
    expect(await signIn('en')).toEqual(refused('Login or password is wrong'));
  });

  it('a refusal of a mutation over the socket, in the language of its upgrade request', async () => {
    const p = ok(await app.as('pl.member')(`mutation { submitProposal(input: { title: "关于完善农村客运的提案", content: "建议优化农村客运线路。", kind: MEMBER }) { id } }`), 'submitProposal');
    const token = await app.token('pl.staff');
    const run = (lang?: string) =>
      new Promise<unknown>((resolve, reject) => {
        class Lang extends WebSocket {
          constructor(address: string | URL, protocols?: string | string[]) {
            super(address, protocols, lang ? { headers: { 'accept-language': lang } } : {});
          }
        }
        const c = createClient({ url: app.wsUrl, webSocketImpl: Lang, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
        const results: unknown[] = [];
        c.subscribe(
          { query: `mutation($id: ID!) { rateProposal(id: $id, satisfaction: SATISFIED) { status } }`, variables: { id: p.id } },
          { next: (r) => results.push(r), error: reject, complete: () => { void c.dispose(); resolve(results); } },
        );
      });
    const shape = (message: string) => [{ data: null, errors: [{ message, path: ['rateProposal'], extensions: { code: 'FORBIDDEN' } }] }];
    expect(await run()).toEqual(shape('您的角色无权进行此操作'));
    expect(await run('en')).toEqual(shape('Not allowed for your role'));
  });
});
