import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isIntrospectionType, isSpecifiedScalarType } from 'graphql';
import { buildAppSchema, schemaSdl } from '../../src/core/schema.js';
import { application } from '../../src/app/boot.js';
import { ROOT } from '../../src/core/paths.js';

const CJK = /[\u4e00-\u9fff]/;

describe('schema artifact', () => {
  it('schema/schema.graphql is what the code builds', async () => {
    expect(fs.readFileSync(path.join(ROOT, 'schema/schema.graphql'), 'utf8')).toBe(await schemaSdl(application().resolvers));
  });

  it('every type (the root types too), field, argument and enum value is described; types and fields name the Chinese term', async () => {
    const schema = await buildAppSchema(application().resolvers);
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
      if (!type.description || !CJK.test(type.description)) missing.push(type.name);
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
