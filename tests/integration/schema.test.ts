import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isIntrospectionType, isSpecifiedScalarType } from 'graphql';
import { getSchema, schemaSdl } from '../../src/core/schema.js';
import { ROOT } from '../../src/core/boot.js';

const CJK = /[\u4e00-\u9fff]/;

describe('schema artifact', () => {
  it('schema/schema.graphql is what the code builds', async () => {
    expect(fs.readFileSync(path.join(ROOT, 'schema/schema.graphql'), 'utf8')).toBe(await schemaSdl());
  });

  it('every type, field, argument and enum value is described; types and fields name the Chinese term', async () => {
    const schema = await getSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
      if (['Query', 'Mutation', 'Subscription'].includes(type.name)) {
        // Root types are containers; their fields carry the descriptions.
      } else if (!type.description || !CJK.test(type.description)) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description || !CJK.test(field.description)) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isEnumType(type)) for (const v of type.getValues()) if (!v.description || !CJK.test(v.description)) missing.push(`${type.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });
});
