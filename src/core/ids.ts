import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/**
 * UUIDv7 (RFC 9562): time-ordered, so ordering by primary key is creation order and cursor pages need
 * nothing but the id. Within one process ids are strictly increasing: ids made in the same millisecond
 * carry a counter in rand_a (the RFC's method 1); when it runs out the timestamp moves on by one.
 */
export function newId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs++;
    counter = 0;
  }
  const b = randomBytes(16);
  b.writeUIntBE(lastMs, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A lowercase UUID as this platform writes them (any version). */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v);

/**
 * A UUID as an SQL literal, for the few statements sent as text without parameters so that several go in
 * one round trip (the simple query protocol takes no parameters). Only a well-formed UUID passes, so no
 * quoting question arises; anything else throws.
 */
export function uuidLiteral(v: string): string {
  if (!isUuid(v)) throw new Error('uuidLiteral: not a UUID');
  return `'${v}'`;
}
