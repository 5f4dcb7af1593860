import fs from 'node:fs';
import path from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from './config.js';

interface Secrets {
  jwtSecret: string;
  pgPassword: string;
}

/** Secrets not given in the environment are generated once and kept in the data directory (mode 600). */
export function loadSecrets(config: Config): Secrets {
  const file = path.join(config.dataDir, 'secrets.json');
  const stored: Partial<Secrets> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const kept: Secrets = {
    jwtSecret: stored.jwtSecret ?? randomBytes(32).toString('base64url'),
    pgPassword: stored.pgPassword ?? randomBytes(18).toString('base64url'),
  };
  if (kept.jwtSecret !== stored.jwtSecret || kept.pgPassword !== stored.pgPassword) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(kept, null, 2), { mode: 0o600 });
  }
  return { ...kept, jwtSecret: config.jwtSecret ?? kept.jwtSecret };
}

/** The app role's password: given, or derived from the JWT secret so every instance agrees on it. */
export function appDbPassword(config: Config, jwtSecret: string): string {
  return config.appDbPassword ?? createHmac('sha256', jwtSecret).update('cppcc_app database role').digest('base64url');
}
