import path from 'node:path';
import { z } from 'zod';

/** Runtime configuration, read once from the environment (see the README's configuration table). */
export interface Config {
  port: number;
  host: string;
  /** Where the embedded PostgreSQL cluster and generated secrets live. */
  dataDir: string;
  /** Owner connection (runs migrations). Unset: an embedded PostgreSQL is started in dataDir. */
  databaseUrl?: string;
  /**
   * Number of the embedded PostgreSQL's Unix socket (`<dataDir>/pg/.s.PGSQL.<port>`); it listens on no TCP
   * port, so nothing can reach it from the network and no client's ephemeral port can ever collide with it.
   */
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
  /** Lexical tokens a document may have; the parser stops at the first one past it. */
  maxTokens: number;
  /** Aliased fields an operation may have, counted through the fragments it spreads. */
  maxAliases: number;
  /** Bytes an answer may have; a larger one is replaced by an error (and what the operation wrote rolled back). */
  maxResponseBytes: number;
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
  /** On SIGTERM/SIGINT, how long requests in flight may take before the connections still open are cut. */
  shutdownGraceMs: number;
  /** Where finished trace spans go: nowhere (the default), an OTLP/HTTP collector, or stdout. */
  tracesExporter: 'none' | 'otlp' | 'console';
  /** `service.name` of the spans. */
  serviceName: string;
  /** Turn the ORM tenant filter off (tests use it to prove RLS holds on its own). */
  ormTenantFilter: boolean;
  /** Load demo users and demo data on start. */
  seedDemo: boolean;
  /** Province codes whose committee trees (tenants/) load; null: every file. */
  tenantProvinces: string[] | null;
  /** The one password of every demo account (documented default for the embedded demo). */
  demoPassword: string;
  /** Lifetime of access tokens from signIn / refreshSession, in seconds. */
  accessTokenTtl: number;
  /** Lifetime of a refresh token (and of a session without use), in seconds. */
  refreshTokenTtl: number;
  /** Failed sign-ins per login, and per client address, within `signInWindow` seconds before further attempts are refused. */
  signInMaxFailuresPerLogin: number;
  signInMaxFailuresPerAddress: number;
  signInWindow: number;
  /** Origins allowed to call the API from a browser (CORS_ORIGINS, comma-separated); none by default. */
  corsOrigins: string[];
  /** Needs the public may raise (社会提需求) per client address, and per committee, within `publicNeedWindow` seconds. */
  publicNeedsPerAddress: number;
  publicNeedsPerCommittee: number;
  publicNeedWindow: number;
  /** Largest attachment accepted, in bytes. */
  attachmentMaxBytes: number;
  /** Where attachment contents are kept: in PostgreSQL (default) or an S3-compatible object store. */
  attachmentStore: 'postgres' | 's3';
  /** The S3-compatible store (ATTACHMENT_STORE=s3): endpoint (unset: AWS), region, bucket, credentials. */
  s3?: { endpoint?: string; region: string; bucket: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean };
  /** Run the job worker (scheduled work, reminders, notification delivery) in this process. */
  jobsWorker: boolean;
  /** Jobs one instance runs at once. */
  jobsConcurrency: number;
  /** How often an idle worker looks for due jobs, in ms (LISTEN/NOTIFY wakes it sooner). */
  jobsPollMs: number;
  /** SMTP server notification e-mail goes through (smtp:// or smtps:// URL); unset: no e-mail is sent. */
  smtpUrl?: string;
  /** Sender of notification e-mail. */
  mailFrom: string;
  /** HTTP endpoint of the SMS gateway (a provider webhook, POSTed JSON); unset: no SMS is sent. */
  smsGatewayUrl?: string;
  /** Seconds a delivering instance holds a message before another may take it over. */
  deliveryLeaseSeconds: number;
  /** Sign-in through an external OpenID Connect provider (government SSO); absent unless OIDC_ISSUER is set. */
  oidc?: OidcConfig;
}

export interface OidcConfig {
  /** The provider's issuer URL; its discovery document is read from `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Client secret (client_secret_basic); none: a public client (PKCE only). */
  clientSecret?: string;
  /** This deployment's callback as registered at the provider: `https://<host>/auth/oidc/callback`. */
  redirectUri: string;
  scopes: string;
  /** The ID token claim that identifies the person; an ADMIN links its value to an account (linkOidcSubject). */
  subjectClaim: string;
  /** Where the browser goes after signing in, tokens in the URL fragment; unset: the callback answers the tokens as JSON. */
  postLoginUrl?: string;
  /** Accept a provider over plain http (tests and local development only). */
  allowHttp: boolean;
}

/** A setting that does not hold; the message names every variable that is wrong, and why. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const whole = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}`);
const oneOf = <T extends string>(values: readonly [T, ...T[]]) => z.enum(values, { error: `must be one of ${values.join(', ')}` });
const flag = z.enum(['0', '1', 'true', 'false'], { error: 'must be 0 or 1' }).transform((v) => v === '1' || v === 'true');
/** What jose's `setExpirationTime` reads: a number and a unit. */
const duration = z.string().regex(/^\d+(\.\d+)?\s*(s|sec|secs|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|y|yrs?|years?)$/i, 'must be a duration such as 30m, 12h or 7d');
/** What express's body parser reads (the `bytes` package). */
const size = z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'must be a size such as 100kb or 1mb');

/** The variables and what each must be; unset or empty means the default. */
const ENV = {
  PORT: whole(0, 65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v) && URL.canParse(v), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().default('.data'),
  PG_PORT: whole(1, 65535).default(54329),
  APP_DB_PASSWORD: z.string().optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters (it signs every token)').optional(),
  TOKEN_TTL: duration.default('12h'),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_PAGE_SIZE: whole(1).default(100),
  MAX_DEPTH: whole(1).default(12),
  MAX_COMPLEXITY: whole(1).default(5000),
  MAX_TOKENS: whole(200).default(2000),
  MAX_ALIASES: whole(0).default(30),
  MAX_RESPONSE_BYTES: whole(256).default(5 * 1024 * 1024),
  BODY_LIMIT: size.default('100kb'),
  WS_MAX_BUFFERED_BYTES: whole(1024).default(4 * 1024 * 1024),
  LIVE_BATCH_MS: whole(0, 60_000).default(50),
  WS_FRAMING: oneOf(['direct', 'ws']).default('direct'),
  SHUTDOWN_GRACE_MS: whole(0, 60_000).default(5000),
  OTEL_TRACES_EXPORTER: oneOf(['none', 'otlp', 'console']).default('none'),
  OTEL_SERVICE_NAME: z.string().default('cppcc-linkage'),
  SEED_DEMO: flag.default(true),
  TENANT_PROVINCES: z.string().regex(/^\s*(all|\d{6}(\s*,\s*\d{6})*)\s*$/, 'must be "all" or province codes such as 530000,130000').default('all'),
  DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').default('demo-password-2026'),
  ACCESS_TOKEN_TTL: whole(30, 86_400).default(900),
  REFRESH_TOKEN_TTL: whole(60).default(30 * 24 * 3600),
  SIGNIN_MAX_FAILURES_LOGIN: whole(1).default(10),
  SIGNIN_MAX_FAILURES_ADDRESS: whole(1).default(100),
  SIGNIN_WINDOW: whole(1).default(900),
  CORS_ORIGINS: z.string().default(''),
  OIDC_ISSUER: z.string().refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), 'must be an http(s) URL').optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_REDIRECT_URI: z.string().refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), 'must be an http(s) URL').optional(),
  OIDC_SCOPES: z.string().default('openid'),
  OIDC_SUBJECT_CLAIM: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be a claim name').default('sub'),
  OIDC_POST_LOGIN_URL: z.string().refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), 'must be an http(s) URL').optional(),
  OIDC_ALLOW_HTTP: flag.default(false),
  PUBLIC_NEEDS_PER_ADDRESS: whole(1).default(5),
  PUBLIC_NEEDS_PER_COMMITTEE: whole(1).default(500),
  PUBLIC_NEED_WINDOW: whole(1).default(3600),
  ATTACHMENT_MAX_BYTES: whole(1).default(20 * 1024 * 1024),
  ATTACHMENT_STORE: oneOf(['postgres', 's3']).default('postgres'),
  S3_ENDPOINT: z.string().refine((v) => URL.canParse(v), 'must be a URL').optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: flag.default(true),
  JOBS_WORKER: flag.default(true),
  JOBS_CONCURRENCY: whole(1, 64).default(4),
  JOBS_POLL_MS: whole(100, 600_000).default(2000),
  SMTP_URL: z.string().refine((v) => /^smtps?:\/\//.test(v) && URL.canParse(v), 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().default('三级政协联动平台 <noreply@cppcc.local>'),
  SMS_GATEWAY_URL: z.string().refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), 'must be an http:// or https:// URL').optional(),
  DELIVERY_LEASE_SECONDS: whole(5, 3600).default(60),
};
type EnvName = keyof typeof ENV;
/** Never echoed in a message. */
const SECRET: ReadonlySet<EnvName> = new Set(['DATABASE_URL', 'APP_DB_PASSWORD', 'JWT_SECRET', 'DEMO_PASSWORD', 'OIDC_CLIENT_SECRET', 'S3_SECRET_ACCESS_KEY', 'SMTP_URL', 'SMS_GATEWAY_URL']);

/** Reads and checks every variable at once; a ConfigError names each one that is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const raw = Object.fromEntries(Object.keys(ENV).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = z.object(ENV).safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0]) as EnvName;
        return `${name} ${i.message}${SECRET.has(name) ? '' : ` (got ${JSON.stringify(raw[name])})`}`;
      }),
    );
  }
  const e = parsed.data;
  if (e.OIDC_ISSUER && (!e.OIDC_CLIENT_ID || !e.OIDC_REDIRECT_URI)) {
    throw new ConfigError([...(e.OIDC_CLIENT_ID ? [] : ['OIDC_CLIENT_ID must be set with OIDC_ISSUER']), ...(e.OIDC_REDIRECT_URI ? [] : ['OIDC_REDIRECT_URI must be set with OIDC_ISSUER'])]);
  }
  const oidc: OidcConfig | undefined = e.OIDC_ISSUER
    ? {
        issuer: e.OIDC_ISSUER,
        clientId: e.OIDC_CLIENT_ID!,
        clientSecret: e.OIDC_CLIENT_SECRET,
        redirectUri: e.OIDC_REDIRECT_URI!,
        scopes: e.OIDC_SCOPES.split(/[\s,]+/).includes('openid') ? e.OIDC_SCOPES : `openid ${e.OIDC_SCOPES}`,
        subjectClaim: e.OIDC_SUBJECT_CLAIM,
        postLoginUrl: e.OIDC_POST_LOGIN_URL,
        allowHttp: e.OIDC_ALLOW_HTTP,
      }
    : undefined;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    embeddedPgPort: e.PG_PORT,
    appDbPassword: e.APP_DB_PASSWORD,
    jwtSecret: e.JWT_SECRET,
    tokenTtl: e.TOKEN_TTL,
    logLevel: e.LOG_LEVEL,
    maxPageSize: e.MAX_PAGE_SIZE,
    maxDepth: e.MAX_DEPTH,
    maxComplexity: e.MAX_COMPLEXITY,
    maxTokens: e.MAX_TOKENS,
    maxAliases: e.MAX_ALIASES,
    maxResponseBytes: e.MAX_RESPONSE_BYTES,
    bodyLimit: e.BODY_LIMIT,
    wsMaxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
    liveBatchMs: e.LIVE_BATCH_MS,
    wsFraming: e.WS_FRAMING,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    tracesExporter: e.OTEL_TRACES_EXPORTER,
    serviceName: e.OTEL_SERVICE_NAME,
    ormTenantFilter: true,
    seedDemo: e.SEED_DEMO,
    tenantProvinces: e.TENANT_PROVINCES.trim() === 'all' ? null : e.TENANT_PROVINCES.split(',').map((c) => c.trim()),
    demoPassword: e.DEMO_PASSWORD,
    accessTokenTtl: e.ACCESS_TOKEN_TTL,
    refreshTokenTtl: e.REFRESH_TOKEN_TTL,
    signInMaxFailuresPerLogin: e.SIGNIN_MAX_FAILURES_LOGIN,
    signInMaxFailuresPerAddress: e.SIGNIN_MAX_FAILURES_ADDRESS,
    signInWindow: e.SIGNIN_WINDOW,
    corsOrigins: e.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    oidc,
    publicNeedsPerAddress: e.PUBLIC_NEEDS_PER_ADDRESS,
    publicNeedsPerCommittee: e.PUBLIC_NEEDS_PER_COMMITTEE,
    publicNeedWindow: e.PUBLIC_NEED_WINDOW,
    attachmentMaxBytes: e.ATTACHMENT_MAX_BYTES,
    attachmentStore: e.ATTACHMENT_STORE,
    s3: e.S3_BUCKET
      ? { endpoint: e.S3_ENDPOINT, region: e.S3_REGION, bucket: e.S3_BUCKET, accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY, forcePathStyle: e.S3_FORCE_PATH_STYLE }
      : undefined,
    jobsWorker: e.JOBS_WORKER,
    jobsConcurrency: e.JOBS_CONCURRENCY,
    jobsPollMs: e.JOBS_POLL_MS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    smsGatewayUrl: e.SMS_GATEWAY_URL,
    deliveryLeaseSeconds: e.DELIVERY_LEASE_SECONDS,
    ...overrides,
  };
}
