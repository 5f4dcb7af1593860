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
const keyOf = (secret: string): KeyObject => {
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
    .sign(keyOf(secret));
}

/** An EdDSA token's public key by its key id (signing-keys.ts: sign-in tokens); an unknown id is not valid. */
async function signedKey(kid: unknown): Promise<KeyObject> {
  const k = await publicKeyFor(kid);
  if (!k) throw unauthenticated(text('令牌无效', 'Token is not valid'));
  return k;
}

/** The credentials of an `Authorization` value: the scheme is case-insensitive (RFC 7235 §2.1). */
const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/** A token verified lately, by its text: its claims, expiry (epoch seconds) and signing key id (EdDSA). */
interface Verified {
  claims: TokenClaims;
  exp: number;
  kid?: unknown;
}
/** By secret, then by token text: a token is known only to the secret it was verified with. */
const verifiedBySecret = new Map<string, Map<string, Verified>>();
/** Distinct tokens kept (a few megabytes at most); the oldest goes first. */
const VERIFIED_MAX = 10_000;

/**
 * Accepts "Bearer <jwt>" (any case of the scheme) with an expiry time; anything missing, forged, expired,
 * unbounded or malformed is UNAUTHENTICATED. A client sends the same token with every request until it
 * expires, so a token's signature is checked once (an HMAC or an Ed25519 verification is a good part of a
 * small request's CPU) and its text remembered with its claims: later, only its expiry is checked again,
 * and for an EdDSA token that its key is still known (a key dropped from the ring refuses its tokens as
 * before). The secret of HS256 tokens is fixed for the process's life.
 */
export async function verifyAuthorization(secret: string, header: unknown): Promise<TokenClaims> {
  const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
  if (!token) throw unauthenticated();
  let verified = verifiedBySecret.get(secret);
  if (!verified) verifiedBySecret.set(secret, (verified = new Map()));
  const known = verified.get(token);
  if (known) {
    if (Math.floor(Date.now() / 1000) >= known.exp) {
      verified.delete(token);
      throw unauthenticated(text('令牌已过期', 'Token has expired'));
    }
    if (known.kid !== undefined && !(await publicKeyFor(known.kid))) throw unauthenticated(text('令牌无效', 'Token is not valid'));
    return known.claims;
  }
  const v = await verifyToken(secret, token);
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  verified.set(token, v);
  return v.claims;
}

async function verifyToken(secret: string, token: string): Promise<Verified> {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, (h) => (h.alg === ASYMMETRIC_ALG ? signedKey(h.kid) : keyOf(secret)), { issuer: ISSUER, algorithms: [ALG, ASYMMETRIC_ALG], requiredClaims: ['exp'] });
    if (!isUuid(payload.sub) || !isUuid(payload.tid)) throw unauthenticated(text('令牌无效', 'Token is not valid'));
    return { claims: { sub: payload.sub, tid: payload.tid }, exp: payload.exp!, ...(protectedHeader.alg === ASYMMETRIC_ALG ? { kid: protectedHeader.kid } : {}) };
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw unauthenticated(text('令牌已过期', 'Token has expired'));
    if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'exp' && e.reason === 'missing') throw unauthenticated(text('令牌缺少过期时间（exp）', 'Token has no expiry time (exp)'));
    throw unauthenticated(text('令牌无效', 'Token is not valid'));
  }
}
