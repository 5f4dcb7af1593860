import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import type { Client } from 'graphql-ws';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

function run(client: Client, query: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let result: unknown;
    client.subscribe({ query }, { next: (r) => (result = r), error: reject, complete: () => resolve(result) });
  });
}

function closeCode(client: Client): Promise<number> {
  return new Promise((resolve) => client.on('closed', (e) => resolve((e as { code: number }).code)));
}

describe('graphql-ws on /graphql', () => {
  it('refuses a connection without a token with 4403', async () => {
    const client = app.ws();
    expect(await closeCode(client)).toBe(4403);
  });

  it('refuses a forged token with 4403', async () => {
    const client = app.ws('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad');
    expect(await closeCode(client)).toBe(4403);
  });

  it('runs an operation under the same scope and error model as HTTP', async () => {
    const client = app.ws(await app.token('pl.staff'));
    expect(await run(client, `{ me { role tenant { code } } }`)).toEqual({ data: { me: { role: 'STAFF', tenant: { code: '530103' } } } });
    const dept = app.ws(await app.token('pl.dept'));
    expect(await run(dept, `{ members { totalCount } }`)).toEqual({
      data: null,
      errors: [{ message: 'Not allowed for your role', path: ['members'], extensions: { code: 'FORBIDDEN' } }],
    });
  });
});
