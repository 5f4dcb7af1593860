import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { unauthenticated, text } from './errors.js';
import { isUuid } from './ids.js';
import { ASYMMETRIC_ALG, publicKeyFor } from './signing-keys.js';

const ISSUER = 'cppcc-linkage';
const ALG = 'HS256';

export type { TokenClaims } from './signing-keys.js';
import type { TokenClaims } from './signing-keys.js';

/**
 * The signing key as a KeyObject, made once per secret: given raw bytes, jose imports a new key for every
 * token it signs or verifies, which every request and every live read would pay for.
 */
const keys = new Map<string, KeyObject>();
const key = (secret: string): KeyObject => {
  let k = keys.get(secret);
  if (!k) keys.set(secret, (k = createSecretKey(Buffer.from(secret, 'utf8'))));
  return k;
};

export async function signToken(secret: string, claims: TokenClaims, ttl = '12h'): Promise<string> {
  return new SignJWT({ tid: claims.tid })
    .setProtectedHeader({ alg: ALG })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(key(secret));
}

/** An EdDSA token's public key by its key id (signing-keys.ts: sign-in tokens); an unknown id is not valid. */
async function signedKey(kid: unknown): Promise<KeyObject> {
  const k = await publicKeyFor(kid);
  if (!k) throw unauthenticated(text('令牌无效', 'Token is not valid'));
  return k;
}

/** The credentials of an `Authorization` value: the scheme is case-insensitive (RFC 7235 §2.1). */
const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Accepts "Bearer <jwt>" (any case of the scheme) with an expiry time; anything missing, forged, expired,
 * unbounded or malformed is UNAUTHENTICATED.
 */
export async function verifyAuthorization(secret: string, header: unknown): Promise<TokenClaims> {
  const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
  if (!token) throw unauthenticated();
  try {
    const { payload } = await jwtVerify(token, (h) => (h.alg === ASYMMETRIC_ALG ? signedKey(h.kid) : key(secret)), { issuer: ISSUER, algorithms: [ALG, ASYMMETRIC_ALG], requiredClaims: ['exp'] });
    if (!isUuid(payload.sub) || !isUuid(payload.tid)) throw unauthenticated(text('令牌无效', 'Token is not valid'));
    return { sub: payload.sub, tid: payload.tid };
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw unauthenticated(text('令牌已过期', 'Token has expired'));
    if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'exp' && e.reason === 'missing') throw unauthenticated(text('令牌缺少过期时间（exp）', 'Token has no expiry time (exp)'));
    throw unauthenticated(text('令牌无效', 'Token is not valid'));
  }
}
