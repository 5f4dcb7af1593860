import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { localeOf } from '../../src/core/errors.js';

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
