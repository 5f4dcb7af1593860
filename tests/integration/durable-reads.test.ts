import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

/**
 * Deliberation messages may commit before their WAL is on disk (migration 0007), so a request that answers
 * with deliberation records takes a transaction id before it commits (its commit then flushes the WAL). The
 * entities declare it in their scope; no read path asks for it. Seen here as the one extra round trip a
 * request makes when, and only when, it read such records.
 */
describe('deliberation reads are durable by construction', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  const statements = (r: { headers: Headers }) => Number(r.headers.get('x-sql-statements'));
  const LIST = `query($status: DeliberationStatus) { deliberationSessions(first: 5, filter: { status: $status }) { edges { node { id status } } } }`;

  it('a list that returns sessions takes a transaction id before committing; an empty one does not', async () => {
    const as = app.as('wh.member');
    const ended = await as(LIST, { status: 'ENDED' });
    const paused = await as(LIST, { status: 'PAUSED' });
    expect(ended.body.data.deliberationSessions.edges.map((e: { node: { status: string } }) => e.node.status)).toEqual(['ENDED']);
    expect(paused.body).toEqual({ data: { deliberationSessions: { edges: [] } } });
    expect(statements(ended) - statements(paused)).toBe(1);
  });

  it('a proposal list makes no such round trip: its records are not declared durable', async () => {
    const as = app.as('wh.member');
    const some = await as(`{ proposals(first: 5) { edges { node { id } } } }`);
    const none = await as(`{ proposals(first: 5, filter: { status: CONVERTED }) { edges { node { id } } } }`);
    expect(some.body.data.proposals.edges.length).toBeGreaterThan(0);
    expect(statements(some)).toBe(statements(none));
  });
});
