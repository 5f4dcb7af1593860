import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe('configuration', () => {
  it('defaults hold with nothing set; empty means unset', () => {
    const c = loadConfig({ PORT: '', MAX_DEPTH: '' });
    expect({ port: c.port, maxDepth: c.maxDepth, maxTokens: c.maxTokens, maxAliases: c.maxAliases, seedDemo: c.seedDemo, tracesExporter: c.tracesExporter, wsFraming: c.wsFraming }).toEqual({
      port: 4000,
      maxDepth: 12,
      maxTokens: 2000,
      maxAliases: 30,
      seedDemo: true,
      tracesExporter: 'none',
      wsFraming: 'direct',
    });
    expect(loadConfig({ PORT: '0', SEED_DEMO: '0', LOG_LEVEL: 'debug' })).toMatchObject({ port: 0, seedDemo: false, logLevel: 'debug' });
  });

  it('TENANT_PROVINCES: every province by default, or a list of province codes', () => {
    expect(loadConfig({}).tenantProvinces).toBeNull();
    expect(loadConfig({ TENANT_PROVINCES: 'all' }).tenantProvinces).toBeNull();
    expect(loadConfig({ TENANT_PROVINCES: '530000, 130000' }).tenantProvinces).toEqual(['530000', '130000']);
    expect(problems({ TENANT_PROVINCES: '53,13' })).toEqual(['TENANT_PROVINCES must be "all" or province codes such as 530000,130000 (got "53,13")']);
  });

  it('every variable that is wrong is named, with why, and secrets are not echoed', () => {
    expect(
      problems({ PORT: '80a', MAX_DEPTH: '0', WS_FRAMING: 'fast', LOG_LEVEL: 'loud', TOKEN_TTL: 'forever', SEED_DEMO: 'yes', BODY_LIMIT: 'big', DATABASE_URL: 'mysql://u:hunter2@h/db', JWT_SECRET: 'short' }),
    ).toEqual([
      'PORT must be a whole number from 0 to 65535 (got "80a")',
      'DATABASE_URL must be a postgres:// or postgresql:// URL',
      'JWT_SECRET must be at least 32 characters (it signs every token)',
      'TOKEN_TTL must be a duration such as 30m, 12h or 7d (got "forever")',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'MAX_DEPTH must be a whole number from 1 up (got "0")',
      'BODY_LIMIT must be a size such as 100kb or 1mb (got "big")',
      'WS_FRAMING must be one of direct, ws (got "fast")',
      'SEED_DEMO must be 0 or 1 (got "yes")',
    ]);
    expect(problems({ PORT: '70000' })).toEqual(['PORT must be a whole number from 0 to 65535 (got "70000")']);
  });
});
