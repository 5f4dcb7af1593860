import fs from 'node:fs';
import path from 'node:path';
import { schemaSdl } from '../core/schema.js';
import { ROOT } from '../core/paths.js';
import { application } from '../app/boot.js';

const file = path.join(ROOT, 'schema', 'schema.graphql');
const sdl = await schemaSdl(application().resolvers);
if (process.argv.includes('--check')) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current !== sdl) {
    console.error('schema/schema.graphql differs from the schema the code builds; run `npm run schema` and commit it.');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date');
} else {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, sdl);
  console.log(`wrote ${path.relative(ROOT, file)}`);
}
