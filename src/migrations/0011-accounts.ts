import { Migration } from '@mikro-orm/migrations';
import { OWNED, tenantPolicies } from './sql.js';

/**
 * Built-in sign-in (issue 14): credentials, sessions, the sign-in audit log and failed-attempt counters.
 *
 * - `member_seat.phone`: a member's contact number, as roster imports (委员名单) carry it.
 * - `app_user.disabled_at`: a disabled account cannot sign in, refresh or act (the request context refuses
 *   it); it is never deleted, so its history stays.
 * - `account_credential` is deliberately global (no tenant policies) and the application role has no grant on
 *   it at all: a sign-in starts before any committee is known, so the row is found by login through
 *   `auth_credential(login)`, and written only through `auth_set_password`, which checks the caller's scope.
 *   The password hash never reaches the application role except through those functions.
 * - `auth_session` and `auth_audit` are tenant-owned (the account's home committee): an ADMIN reads only their
 *   committee's. The account itself may read and write its own sessions while acting for another committee.
 * - `auth_throttle` is deliberately global: counters per login and per client address, shared by every
 *   instance, reachable only through `auth_throttle_*` functions (no table grant).
 */
export class Migration0011Accounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table app_user add column disabled_at timestamptz;
-- Contact number of a member (联系电话), from roster imports.
alter table member_seat add column phone text;

create table account_credential (
  user_id uuid primary key references app_user (id),
  tenant_id uuid not null references tenant (id),
  login_key text not null unique,
  password_hash text not null,
  must_change boolean not null default false,
  changed_at timestamptz not null default now()
);
revoke all on account_credential from public;

create function auth_credential(p_login text)
returns table (user_id uuid, tenant_id uuid, password_hash text, must_change boolean)
language sql stable security definer set search_path = public as
  $$ select c.user_id, c.tenant_id, c.password_hash, c.must_change from account_credential c where c.login_key = lower(p_login) $$;

-- Sets a password for an account the caller may change: themself, or an account of the acting committee
-- (the resolver checks the role). app_user is read under the caller's RLS settings.
create function auth_set_password(p_user uuid, p_hash text, p_must_change boolean) returns boolean
language plpgsql security definer set search_path = public as $$
declare u record;
begin
  select id, tenant_id, login into u from app_user
   where id = p_user and (id = app_user_id() or tenant_id = app_tenant());
  if not found then return false; end if;
  insert into account_credential as c (user_id, tenant_id, login_key, password_hash, must_change, changed_at)
    values (u.id, u.tenant_id, lower(u.login), p_hash, p_must_change, now())
    on conflict (user_id) do update set password_hash = excluded.password_hash, must_change = excluded.must_change, changed_at = now();
  return true;
end $$;

create table auth_session (
  ${OWNED},
  user_id uuid not null references app_user (id),
  family_id uuid not null,
  acting_tenant_id uuid not null references tenant (id),
  token_hash text not null,
  expires_at timestamptz not null,
  rotated_at timestamptz,
  revoked_at timestamptz,
  revoked_reason text,
  client_address text,
  user_agent text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index auth_session_family_idx on auth_session (family_id);
create index auth_session_user_idx on auth_session (user_id, created_at);
${tenantPolicies('auth_session', {
  select: 'tenant_id = app_tenant() or user_id = app_user_id()',
  // A session belongs to its account's home committee, wherever the account acts: it cannot be moved.
  insert: '(tenant_id = app_tenant() or user_id = app_user_id()) and tenant_id = (select u.tenant_id from app_user u where u.id = user_id)',
  update: 'tenant_id = app_tenant() or user_id = app_user_id()',
  updateCheck: '(tenant_id = app_tenant() or user_id = app_user_id()) and tenant_id = (select u.tenant_id from app_user u where u.id = user_id)',
  delete: 'false',
})}

create table auth_audit (
  ${OWNED},
  user_id uuid references app_user (id),
  login text not null,
  event text not null,
  session_family_id uuid,
  client_address text,
  detail text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index auth_audit_tenant_idx on auth_audit (tenant_id, created_at, id);
${tenantPolicies('auth_audit', {
  select: 'tenant_id = app_tenant()',
  insert: 'tenant_id = app_tenant() or user_id = app_user_id()',
  update: 'false',
  delete: 'false',
})}

create table auth_throttle (
  key text primary key,
  window_start timestamptz not null,
  failures integer not null
);
revoke all on auth_throttle from public;

-- Seconds until the later of the two keys (a login, a client address) whose failures reached its limit
-- within the window is free again; 0 if neither is blocked.
create function auth_throttle_wait(p_login text, p_login_limit integer, p_addr text, p_addr_limit integer, p_window_seconds integer) returns integer
language sql stable security definer set search_path = public as $$
  select coalesce(max(ceil(extract(epoch from (t.window_start + make_interval(secs => p_window_seconds) - now()))))::int, 0)
    from auth_throttle t
   where ((t.key = p_login and t.failures >= p_login_limit) or (t.key = p_addr and t.failures >= p_addr_limit))
     and t.window_start + make_interval(secs => p_window_seconds) > now()
$$;

-- One more failure for both keys; a window that has passed starts again at this failure.
create function auth_throttle_fail(p_login text, p_addr text, p_window_seconds integer) returns void
language sql security definer set search_path = public as $$
  insert into auth_throttle as t (key, window_start, failures)
    select k, now(), 1 from unnest(array[p_login, p_addr]) k
  on conflict (key) do update set
    failures = case when t.window_start + make_interval(secs => p_window_seconds) > now() then t.failures + 1 else 1 end,
    window_start = case when t.window_start + make_interval(secs => p_window_seconds) > now() then t.window_start else now() end
$$;

create function auth_throttle_clear(p_key text) returns void
language sql security definer set search_path = public as
  $$ delete from auth_throttle where key = p_key $$;

-- Sessions are revoked, never deleted; audit rows are never changed or deleted; accounts are disabled, never
-- deleted (their history refers to them). Said as privileges, so no policy has to answer it.
revoke delete on auth_session from cppcc_app;
revoke update, delete on auth_audit from cppcc_app;
revoke delete on app_user from cppcc_app;

revoke all on function auth_credential(text), auth_set_password(uuid, text, boolean), auth_throttle_wait(text, integer, text, integer, integer),
  auth_throttle_fail(text, text, integer), auth_throttle_clear(text) from public;
grant execute on function auth_credential(text), auth_set_password(uuid, text, boolean), auth_throttle_wait(text, integer, text, integer, integer),
  auth_throttle_fail(text, text, integer), auth_throttle_clear(text) to cppcc_app;
`);
  }
}
