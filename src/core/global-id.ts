import { badInput, text } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque global ids: base64url("Type:uuid"). Clients must not parse them. */
export function toGlobalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

export function parseGlobalId(globalId: string): { type: string; id: string } | null {
  if (typeof globalId !== 'string' || globalId.length > 200) return null;
  const raw = Buffer.from(globalId, 'base64url').toString('utf8');
  const i = raw.indexOf(':');
  if (i <= 0) return null;
  const type = raw.slice(0, i);
  const id = raw.slice(i + 1);
  return UUID.test(id) ? { type, id } : null;
}

/** Decode an id that must name a record of `type`; a malformed or wrong-type id is bad input. */
export function expectGlobalId(globalId: string, type: string, field = 'id'): string {
  const parsed = parseGlobalId(globalId);
  if (!parsed || parsed.type !== type) throw badInput(text(`${field} 不是 ${type} 的 id`, `${field} is not a ${type} id`), { field });
  return parsed.id;
}
