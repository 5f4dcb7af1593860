import fs from 'node:fs';
import pg from 'pg';
import { newId } from '../src/core/ids.js';
import { seedDeliberation } from './deliberation.js';
import { seedRecords } from './records.js';
import { hashPassword } from '../src/modules/account/password.js';

interface SeatSpec { sector: string; term: string; title?: string }
interface DemoUser {
  login: string;
  tenant: string;
  role: string;
  name: string;
  unit?: string;
  seat?: SeatSpec;
  alsoSeats?: (SeatSpec & { tenant: string })[];
}
interface DemoFile {
  users: DemoUser[];
  roster: Record<string, (SeatSpec & { name: string })[]>;
}

const file = new URL('./demo-users.json', import.meta.url);

/** The documented demo password (README), used when DEMO_PASSWORD is unset. */
export const DEFAULT_DEMO_PASSWORD = 'demo-password-2026';

/**
 * Demo accounts and rosters for the demo committees, created at `now` (the clock's), then the demo sessions
 * and a year of records up to it. Runs as the owner but through RLS like the app: each write happens with
 * app.tenant_id set to the committee it belongs to. Idempotent by login. Every demo account signs in with
 * `password` (DEMO_PASSWORD); an account that already has a password keeps it. The one hash is shared: the
 * accounts share the password anyway, and hashing ~200 times would cost seconds at every start.
 */
export async function seedDemo(ownerUrl: string, password = DEFAULT_DEMO_PASSWORD, now = new Date()): Promise<{ users: number; seats: number }> {
  const passwordHash = await hashPassword(password);
  const demo: DemoFile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  let users = 0;
  let seats = 0;
  try {
    const tenants = new Map<string, { id: string; province_id: string; city_id: string | null }>(
      (await client.query('select id, code, province_id, city_id from tenant')).rows.map((r) => [r.code, r]),
    );
    const tenant = (code: string) => {
      const t = tenants.get(code);
      if (!t) throw new Error(`demo seed: committee ${code} is not in tenants/`);
      return t;
    };
    await client.query('begin');
    const asTenant = (code: string) => client.query(`select set_config('app.tenant_id', $1, true)`, [tenant(code).id]);
    const addUser = async (login: string, code: string, role: string, name: string, unit?: string): Promise<string | null> => {
      await asTenant(code);
      const t = tenant(code);
      const r = await client.query(
        `insert into app_user (id, tenant_id, province_id, city_id, login, display_name, role, unit_name, created_at, updated_at)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) on conflict (login) do nothing returning id`,
        [newId(), t.id, t.province_id, t.city_id, login, name, role, unit ?? null, now],
      );
      users += r.rowCount ?? 0;
      await client.query(
        `insert into account_credential (user_id, tenant_id, login_key, password_hash)
         select id, tenant_id, lower(login), $2 from app_user where login = $1 on conflict (user_id) do nothing`,
        [login, passwordHash],
      );
      return r.rows[0]?.id ?? null;
    };
    const addSeat = async (userId: string, code: string, s: SeatSpec) => {
      await asTenant(code);
      const t = tenant(code);
      const r = await client.query(
        `insert into member_seat (id, tenant_id, province_id, city_id, user_id, sector, title, term, created_at, updated_at)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) on conflict (tenant_id, user_id) do nothing`,
        [newId(), t.id, t.province_id, t.city_id, userId, s.sector, s.title ?? null, s.term, now],
      );
      seats += r.rowCount ?? 0;
    };
    for (const u of demo.users) {
      const id = await addUser(u.login, u.tenant, u.role, u.name, u.unit);
      if (!id) continue;
      if (u.seat) await addSeat(id, u.tenant, u.seat);
      for (const extra of u.alsoSeats ?? []) await addSeat(id, extra.tenant, extra);
    }
    for (const [code, list] of Object.entries(demo.roster)) {
      let n = 0;
      for (const m of list) {
        const id = await addUser(`m${code}.${String(++n).padStart(3, '0')}`, code, 'MEMBER', m.name);
        if (id) await addSeat(id, code, m);
      }
    }
    await client.query('commit');
  } catch (e) {
    await client.query('rollback');
    throw e;
  } finally {
    await client.end();
  }
  await seedDeliberation(ownerUrl, now);
  await seedRecords(ownerUrl, now);
  return { users, seats };
}
