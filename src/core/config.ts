import path from 'node:path';

/** Runtime configuration, read once from the environment (see the README's configuration table). */
export interface Config {
  port: number;
  host: string;
  /** Where the embedded PostgreSQL cluster and generated secrets live. */
  dataDir: string;
  /** Owner connection (runs migrations). Unset: an embedded PostgreSQL is started in dataDir. */
  databaseUrl?: string;
  /** Port of the embedded PostgreSQL. */
  embeddedPgPort: number;
  /** Password for the non-owner application role; derived from the JWT secret when unset. */
  appDbPassword?: string;
  jwtSecret?: string;
  /** Token lifetime for `npm run token`. */
  tokenTtl: string;
  logLevel: string;
  maxPageSize: number;
  maxDepth: number;
  maxComplexity: number;
  bodyLimit: string;
  /** Bytes waiting to be sent on one WebSocket beyond which the peer is dropped as too slow (close 1013). */
  wsMaxBufferedBytes: number;
  /**
   * Live feeds under steady traffic hand events to their subscribers at most once per this many ms; what
   * arrives meanwhile goes out in the same write. 0: every wake delivers at once.
   */
  liveBatchMs: number;
  /**
   * How a batch of live frames is written: `direct`, built in one buffer and written to the TCP socket once;
   * `ws`, each frame through ws's own send inside one cork. Kept for measuring one against the other.
   */
  wsFraming: 'direct' | 'ws';
  /** Turn the ORM tenant filter off (tests use it to prove RLS holds on its own). */
  ormTenantFilter: boolean;
  /** Load demo users and demo data on start. */
  seedDemo: boolean;
  /** Origins allowed to call the API from a browser (CORS_ORIGINS, comma-separated); none by default. */
  corsOrigins: string[];
}

function int(v: string | undefined, d: number): number {
  const n = v === undefined || v === '' ? d : Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid integer setting: ${v}`);
  return n;
}

function framing(v: string | undefined): Config['wsFraming'] {
  if (v === undefined || v === '' || v === 'direct') return 'direct';
  if (v === 'ws') return 'ws';
  throw new Error(`invalid WS_FRAMING: ${v} (direct or ws)`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  return {
    port: int(env.PORT, 4000),
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    databaseUrl: env.DATABASE_URL || undefined,
    embeddedPgPort: int(env.PG_PORT, 54329),
    appDbPassword: env.APP_DB_PASSWORD || undefined,
    jwtSecret: env.JWT_SECRET || undefined,
    tokenTtl: env.TOKEN_TTL || '12h',
    logLevel: env.LOG_LEVEL || 'info',
    maxPageSize: int(env.MAX_PAGE_SIZE, 100),
    maxDepth: int(env.MAX_DEPTH, 12),
    maxComplexity: int(env.MAX_COMPLEXITY, 5000),
    bodyLimit: env.BODY_LIMIT || '100kb',
    wsMaxBufferedBytes: int(env.WS_MAX_BUFFERED_BYTES, 4 * 1024 * 1024),
    liveBatchMs: int(env.LIVE_BATCH_MS, 50),
    wsFraming: framing(env.WS_FRAMING),
    ormTenantFilter: true,
    seedDemo: env.SEED_DEMO !== '0',
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    ...overrides,
  };
}
