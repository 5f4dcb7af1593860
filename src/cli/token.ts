import pg from 'pg';
import { withDatabase } from './with-database.js';
import { signToken } from '../core/auth.js';

const args = process.argv.slice(2);
const login = args.find((a) => !a.startsWith('--'));
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
if (!login) {
  console.error('usage: npm run token -- <login> [--tenant <code>] [--ttl 12h]');
  process.exit(2);
}

await withDatabase(async (db, config) => {
  const client = new pg.Client({ connectionString: db.ownerUrl });
  await client.connect();
  try {
    const user = (await client.query('select u.id, t.code, t.id as tenant_id from app_user u join tenant t on t.id = u.tenant_id where u.login = $1', [login])).rows[0];
    if (!user) throw new Error(`no user with login ${login}`);
    let tenantId = user.tenant_id as string;
    const code = opt('tenant');
    if (code && code !== user.code) {
      const seat = (await client.query("select s.tenant_id from member_seat s join tenant t on t.id = s.tenant_id where s.user_id = $1 and t.code = $2 and s.status = 'ACTIVE'", [user.id, code])).rows[0];
      if (!seat) throw new Error(`${login} holds no active seat on committee ${code}`);
      tenantId = seat.tenant_id;
    }
    console.log(await signToken(db.jwtSecret, { sub: user.id, tid: tenantId }, opt('ttl') ?? config.tokenTtl));
  } finally {
    await client.end();
  }
});
