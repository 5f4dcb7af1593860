import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { CONSOLE_DIST, CONSOLE_SRC } from './paths.js';

const APP = path.join(CONSOLE_SRC, 'app');

/** Newest modification time under a directory. */
function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** True when the bundle is missing or older than its sources or the lockfile (a new ECharts). */
export function consoleStale(): boolean {
  const index = path.join(CONSOLE_DIST, 'index.html');
  if (!fs.existsSync(index)) return true;
  const built = fs.statSync(index).mtimeMs;
  const lock = path.resolve(CONSOLE_SRC, '../../package-lock.json');
  return newest(APP) > built || (fs.existsSync(lock) && fs.statSync(lock).mtimeMs > built);
}

/**
 * Bundle the console (TypeScript + ECharts) with esbuild into dist/console: one hashed script, one hashed
 * stylesheet, index.html naming them. Everything the browser loads comes from this directory.
 */
export async function buildConsole(): Promise<{ files: { name: string; bytes: number }[] }> {
  fs.rmSync(CONSOLE_DIST, { recursive: true, force: true });
  fs.mkdirSync(CONSOLE_DIST, { recursive: true });
  const result = await build({
    entryPoints: [path.join(APP, 'main.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    outdir: path.join(CONSOLE_DIST, 'assets'),
    entryNames: '[name]-[hash]',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((o) => path.basename(o));
  const js = outputs.find((o) => o.endsWith('.js'))!;
  const css = outputs.find((o) => o.endsWith('.css'));
  const html = fs
    .readFileSync(path.join(APP, 'index.html'), 'utf8')
    .replace('<!--styles-->', css ? `<link rel="stylesheet" href="/assets/${css}">` : '')
    .replace('<!--script-->', `<script type="module" src="/assets/${js}"></script>`);
  fs.writeFileSync(path.join(CONSOLE_DIST, 'index.html'), html);
  const files = ['index.html', ...outputs.map((o) => `assets/${o}`)].map((name) => ({ name, bytes: fs.statSync(path.join(CONSOLE_DIST, name)).size }));
  return { files };
}

// `tsx src/console/build.ts [--if-stale]`: what `npm start` runs first.
if (process.argv[1] && path.resolve(process.argv[1]) === path.join(CONSOLE_SRC, 'build.ts')) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && !consoleStale()) {
    console.log('console bundle is up to date');
  } else {
    const { files } = await buildConsole();
    for (const f of files) console.log(`${f.name}  ${(f.bytes / 1024).toFixed(1)} KiB`);
  }
}
