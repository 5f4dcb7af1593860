// The console's session: the only file that knows how tokens are obtained. They come from the API's public
// mutations (signIn, refreshSession, switchCommittee, signOut), sent without an access token.

/** The access token, also read by the explorer at GET /graphql to prefill its headers editor. */
const TOKEN_KEY = 'cppcc.token';
/** The refresh token and the access token's expiry (absent for a pasted token). */
const SESSION_KEY = 'cppcc.session';

/** What each step of the API hands back. */
export interface Tokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  /** The committee the tokens act for. */
  tenantCode: string;
}

interface Stored {
  refreshToken: string;
  /** Milliseconds since the epoch. */
  accessTokenExpiresAt: number;
  tenantCode: string;
}

/** A refusal in the API's error model: `code` is `extensions.code`, `reason` its `details.reason` if any. */
export class AuthError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

const TOKENS = 'accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt tenantCode';

/** One public mutation, without an access token; a refusal becomes an AuthError with its code and reason. */
async function call<T>(field: string, query: string, variables: Record<string, unknown>): Promise<T> {
  let res: Response;
  try {
    res = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new AuthError('无法连接服务器', 'NETWORK');
  }
  const json = (await res.json().catch(() => null)) as { data?: Record<string, T> | null; errors?: { message: string; extensions?: { code?: string; details?: { reason?: string } } }[] } | null;
  const err = json?.errors?.[0];
  if (err || !json?.data) throw new AuthError(err?.message ?? `HTTP ${res.status}`, String(err?.extensions?.code ?? res.status), err?.extensions?.details?.reason);
  return json.data[field] as T;
}

/** The API's sign-in steps: the one place that names them. */
const transport = {
  signIn: (login: string, password: string) =>
    call<Tokens>('signIn', `mutation($login: String!, $password: String!) { signIn(login: $login, password: $password) { ${TOKENS} } }`, { login, password }),
  changePassword: (login: string, password: string, newPassword: string) =>
    call<Tokens>('signIn', `mutation($login: String!, $password: String!, $newPassword: String) { signIn(login: $login, password: $password, newPassword: $newPassword) { ${TOKENS} } }`, { login, password, newPassword }),
  refresh: (refreshToken: string) =>
    call<Tokens>('refreshSession', `mutation($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { ${TOKENS} } }`, { refreshToken }),
  switchCommittee: (refreshToken: string, code: string) =>
    call<Tokens>('switchCommittee', `mutation($refreshToken: String!, $code: String!) { switchCommittee(refreshToken: $refreshToken, code: $code) { ${TOKENS} } }`, { refreshToken, code }),
  signOut: (refreshToken: string) => call<boolean>('signOut', `mutation($refreshToken: String!) { signOut(refreshToken: $refreshToken) }`, { refreshToken }),
};

function stored(): Stored | null {
  try {
    const s = JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null') as Stored | null;
    return s && typeof s.refreshToken === 'string' ? s : null;
  } catch {
    return null;
  }
}

function keep(t: Tokens): void {
  localStorage.setItem(TOKEN_KEY, t.accessToken);
  localStorage.setItem(SESSION_KEY, JSON.stringify({ refreshToken: t.refreshToken, accessTokenExpiresAt: Date.parse(t.accessTokenExpiresAt), tenantCode: t.tenantCode } satisfies Stored));
}

function forget(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(SESSION_KEY);
}

/** Whether there is anything to call the API with. */
export const signedIn = (): boolean => localStorage.getItem(TOKEN_KEY) !== null;

/** Whether this session can change committee and renew itself (signed in with a password, not a pasted token). */
export const renewable = (): boolean => stored() !== null;

export async function signIn(login: string, password: string): Promise<void> {
  keep(await transport.signIn(login, password));
}

/** Signing in with a new password, for an account whose password an administrator gave or reset. */
export async function changePassword(login: string, password: string, newPassword: string): Promise<void> {
  keep(await transport.changePassword(login, password, newPassword));
}

/** A token issued by an operator (`npm run token`): used as it is, until it expires. */
export function useToken(token: string): void {
  forget();
  localStorage.setItem(TOKEN_KEY, token);
}

// A refresh token is single-use, and presenting a spent one ends the whole session: every caller waits for
// the one rotation in flight instead of starting its own.
let rotating: Promise<void> | null = null;
function rotate(step: (refreshToken: string) => Promise<Tokens>): Promise<void> {
  const s = stored();
  if (!s) return Promise.reject(new AuthError('会话不可续期', 'UNAUTHENTICATED'));
  rotating ??= step(s.refreshToken)
    .then(keep, (e: unknown) => {
      if (e instanceof AuthError && e.code === 'UNAUTHENTICATED') forget();
      throw e;
    })
    .finally(() => {
      rotating = null;
    });
  return rotating;
}

/** The access token to send, renewed first when it expires within a minute (or a renewal is under way). */
export async function accessToken(): Promise<string | null> {
  if (rotating) await rotating.catch(() => undefined);
  const s = stored();
  if (s && s.accessTokenExpiresAt - Date.now() < 60_000) await rotate(transport.refresh).catch(() => undefined);
  return localStorage.getItem(TOKEN_KEY);
}

/** After an UNAUTHENTICATED answer: renew once; false when the session cannot be renewed (sign in again). */
export async function renew(): Promise<boolean> {
  if (!renewable()) return false;
  try {
    await rotate(transport.refresh);
    return true;
  } catch {
    return false;
  }
}

/** Act for another committee where the account holds a seat: a new pair of tokens for it. */
export async function switchCommittee(code: string): Promise<void> {
  if (rotating) await rotating.catch(() => undefined);
  await rotate((refreshToken) => transport.switchCommittee(refreshToken, code));
}

/** Ends the session on the server (when there is one) and forgets the tokens here. */
export async function signOut(): Promise<void> {
  const s = stored();
  forget();
  if (s) await transport.signOut(s.refreshToken).catch(() => undefined);
}

/** Forget the tokens without telling the server (a token it refused). */
export const drop = forget;
