import { createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/** What a token says: who, and for which committee. */
export interface TokenClaims {
  /** User id. */
  sub: string;
  /** Committee the user acts for (their home committee, or one where they hold a member seat). */
  tid: string;
}

export const ISSUER = 'cppcc-linkage';
export const ASYMMETRIC_ALG = 'EdDSA';

/** Runs a statement on the application role (`?` placeholders). */
export type KeySql = <T = Record<string, any>>(text: string, params?: unknown[]) => Promise<T[]>;

interface KeyRow {
  kid: string;
  alg: string;
  public_jwk: Record<string, unknown>;
  private_enc: string;
  current: boolean;
}

interface Loaded {
  kid: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

/**
 * The EdDSA signing keys of one deployment (migration 0013), shared by every instance through the database.
 * Signing reads which key is current each time (sign-ins and refreshes are rare next to requests), so a
 * rotation by any instance or by an operator takes effect everywhere at once; verification finds a key by its
 * id in memory and reloads once when it meets an id it does not know (a key another instance just made).
 */
export class KeyRing {
  private keys = new Map<string, Loaded>();
  private published: Record<string, unknown>[] = [];
  private reloading: Promise<void> | undefined;
  private lastMiss = 0;
  private readonly wrap: Buffer;

  constructor(private readonly sql: KeySql, jwtSecret: string) {
    this.wrap = createHmac('sha256', jwtSecret).update('cppcc signing keys').digest();
  }

  private async reload(): Promise<KeyRow[]> {
    const rows = await this.sql<KeyRow>('select * from auth_signing_keys()');
    for (const r of rows) if (!this.keys.has(r.kid)) this.keys.set(r.kid, this.open(r));
    const live = new Set(rows.map((r) => r.kid));
    for (const kid of this.keys.keys()) if (!live.has(kid)) this.keys.delete(kid);
    this.published = rows.map((r) => this.keys.get(r.kid)!.publicJwk);
    return rows;
  }

  private open(r: KeyRow): Loaded {
    const raw = Buffer.from(r.private_enc, 'base64url');
    const d = createDecipheriv('aes-256-gcm', this.wrap, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    const jwk = JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8'));
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    return { kid: r.kid, privateKey, publicKey: createPublicKey(privateKey), publicJwk: r.public_jwk };
  }

  /** Makes a new key the current one; the previous one stays accepted (see migration 0013). Returns its id. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const kid = randomUUID();
    const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: ASYMMETRIC_ALG, use: 'sig' };
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.wrap, iv);
    const body = Buffer.concat([c.update(JSON.stringify(privateKey.export({ format: 'jwk' }))), c.final()]);
    await this.sql('select auth_add_signing_key(?, ?, ?::jsonb, ?)', [kid, ASYMMETRIC_ALG, JSON.stringify(publicJwk), Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url')]);
    await this.reload();
    return kid;
  }

  /**
   * Signs an access token with the current key (making the first key if there is none), issued at `now`
   * (milliseconds, rounded down to the second as JWT times are) and expiring `ttlSeconds` later: a caller that
   * tells the client the expiry computes it from the same instant.
   */
  async sign(claims: TokenClaims, ttlSeconds: number, now: number = Date.now()): Promise<string> {
    let rows = await this.reload();
    if (!rows.some((r) => r.current)) {
      await this.rotate();
      rows = await this.reload();
    }
    const current = this.keys.get(rows.find((r) => r.current)!.kid)!;
    return new SignJWT({ tid: claims.tid })
      .setProtectedHeader({ alg: ASYMMETRIC_ALG, kid: current.kid, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + ttlSeconds)
      .sign(current.privateKey);
  }

  /** The public key with this id, reloading once if it is not known here yet; undefined if there is none. */
  async publicKey(kid: unknown): Promise<KeyObject | undefined> {
    if (typeof kid !== 'string' || kid.length > 64) return undefined;
    // A miss reloads at most every 5 s, so made-up key ids cannot turn requests into database reads.
    if (!this.keys.has(kid) && Date.now() - this.lastMiss > 5000) {
      this.lastMiss = Date.now();
      this.reloading ??= this.reload().then(
        () => void (this.reloading = undefined),
        () => void (this.reloading = undefined),
      );
      await this.reloading;
    }
    return this.keys.get(kid)?.publicKey;
  }

  /** The JSON Web Key Set other services verify tokens with (`/.well-known/jwks.json`). */
  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    await this.reload();
    return { keys: this.published };
  }
}

const rings = new Set<KeyRing>();

/** Makes a ring's keys acceptable to verifyAuthorization in this process; returns the undo. */
export function registerKeyRing(ring: KeyRing): () => void {
  rings.add(ring);
  return () => rings.delete(ring);
}

/** The public key for a token's `kid` among the registered rings. */
export async function publicKeyFor(kid: unknown): Promise<KeyObject | undefined> {
  for (const ring of rings) {
    const k = await ring.publicKey(kid).catch(() => undefined);
    if (k) return k;
  }
  return undefined;
}
