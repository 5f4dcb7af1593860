import { hash, verify } from '@node-rs/argon2';
import { badInput, text } from '../../core/errors.js';

/**
 * argon2id with the library's defaults (m = 19 MiB, t = 2, p = 1: OWASP's first recommended setting), so a
 * stored hash says its own parameters and a later change of them only affects new hashes.
 */
export const hashPassword = (password: string): Promise<string> => hash(password);

/**
 * A hash of nothing anyone knows, verified against when the login is unknown, so an unknown login costs the
 * same argon2 work as a wrong password and the two cannot be told apart by time.
 */
let dummy: Promise<string> | undefined;
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  const h = stored ?? (await (dummy ??= hash(`no such account ${Math.random()}`)));
  try {
    const ok = await verify(h, password);
    return ok && !!stored;
  } catch {
    return false;
  }
}

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

/** The password policy (密码规则): 10 to 128 characters, not containing the login, not one repeated character. */
export function passwordProblems(password: string, login: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN) problems.push(`must be at least ${PASSWORD_MIN} characters`);
  if (length > PASSWORD_MAX) problems.push(`must be at most ${PASSWORD_MAX} characters`);
  if (password.includes('\u0000')) problems.push('must not contain NUL');
  if (login && password.toLowerCase().includes(login.toLowerCase())) problems.push('must not contain the login');
  if (length > 0 && new Set(password).size === 1) problems.push('must not be one repeated character');
  return problems;
}

export function checkPassword(password: string, login: string, field = 'newPassword'): void {
  const messages = passwordProblems(password, login);
  if (messages.length) throw badInput(text('密码不符合要求', 'Password does not meet the policy'), { fields: [{ field, messages }] });
}
