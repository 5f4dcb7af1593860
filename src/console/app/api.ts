// The console's one way to the API: GraphQL over HTTP with the session's access token.
import * as auth from './auth.js';

export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/** A GraphQL operation over HTTP; an UNAUTHENTICATED answer renews the session once and tries again. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}, retry = true): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${(await auth.accessToken()) ?? ''}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) {
    const code = String(body.errors[0].extensions?.code ?? '');
    if (code === 'UNAUTHENTICATED' && retry && (await auth.renew())) return gql(query, variables, false);
    throw new ApiError(body.errors[0].message, code);
  }
  return body.data as T;
}

export const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
