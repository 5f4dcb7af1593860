import pg from 'pg';

/** The URL with another database name (keeps credentials, host and query parameters). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A PostgreSQL the suite did not start (`.ci/postgres.sh`, README "External database set-up"):
 * `TEST_DATABASE_URL` is the application's owner role, which must be neither a superuser nor BYPASSRLS, so
 * that FORCE row-level security holds it and the security-definer functions it owns; `TEST_DATABASE_ADMIN_URL`
 * is a superuser the harness alone uses to look behind row-level security (counting rows, breaking a table
 * on purpose), as it uses the embedded server's superuser. Refuses to run the suite on anything weaker.
 */
export async function externalServer(env: NodeJS.ProcessEnv): Promise<{ ownerUrl: string; inspectUrl: string; version: string }> {
  const ownerUrl = env.TEST_DATABASE_URL!;
  const inspectUrl = env.TEST_DATABASE_ADMIN_URL;
  if (!inspectUrl) throw new Error('TEST_DATABASE_URL is set but TEST_DATABASE_ADMIN_URL (a superuser for the test harness) is not');
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  let version: string;
  try {
    const me = (await owner.query(`select rolsuper, rolbypassrls, rolcreatedb, current_setting('server_version') v from pg_roles where rolname = current_user`)).rows[0];
    if (me.rolsuper || me.rolbypassrls) throw new Error('TEST_DATABASE_URL must name an owner that is not a superuser and has no BYPASSRLS: the external run proves FORCE holds it');
    if (!me.rolcreatedb) throw new Error('TEST_DATABASE_URL: the owner needs CREATEDB to clone a database per test file');
    version = me.v;
  } finally {
    await owner.end();
  }
  const admin = new pg.Client({ connectionString: inspectUrl });
  await admin.connect();
  try {
    if (!(await admin.query('select rolsuper from pg_roles where rolname = current_user')).rows[0].rolsuper) {
      throw new Error('TEST_DATABASE_ADMIN_URL must name a superuser');
    }
  } finally {
    await admin.end();
  }
  return { ownerUrl: withDatabase(ownerUrl, 'postgres'), inspectUrl: withDatabase(inspectUrl, 'postgres'), version };
}

/** Drop the databases this run created on a server it did not start (as the superuser: a test may leave a session behind). */
export async function dropRunDatabases(inspectUrl: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: inspectUrl });
  await client.connect();
  try {
    const names = (await client.query(`select datname from pg_database where starts_with(datname, $1)`, [prefix])).rows.map((r) => r.datname as string);
    for (const name of names) await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
  } finally {
    await client.end();
  }
}
