import { describe, expect, it } from 'vitest';
import { newId, uuidLiteral } from '../../src/core/ids.js';
import { rlsScopeSql } from '../../src/core/tenancy.js';

describe('newId', () => {
  it('is a version-7, variant-1 UUID', () => {
    expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('strictly increases, also within one millisecond and past the counter', () => {
    const ms = Date.now() + 10_000;
    const ids = Array.from({ length: 5000 }, () => newId(ms));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(newId(ms - 5000) > ids.at(-1)!).toBe(true);
  });
});

describe('uuidLiteral and rlsScopeSql', () => {
  it('inline well-formed UUIDs only; anything else throws before any SQL is made', () => {
    const id = newId();
    expect(uuidLiteral(id)).toBe(`'${id}'`);
    for (const bad of [`${id}'; drop table app_user; --`, id.toUpperCase(), '', 'x']) expect(() => uuidLiteral(bad)).toThrow('not a UUID');
    expect(rlsScopeSql({ tenantId: id, userId: undefined })).toBe(`select set_config('app.tenant_id', '${id}', true), set_config('app.user_id', '', true)`);
    expect(() => rlsScopeSql({ tenantId: "' or true --" })).toThrow('not a UUID');
  });
});
