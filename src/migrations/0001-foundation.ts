import { Migration } from '@mikro-orm/migrations';

/**
 * Foundation: the committee tree, users and member seats, and the RLS machinery every later table reuses.
 * RLS reads transaction-local settings (app.tenant_id, app.user_id) that the request context sets; unset
 * settings read as NULL, which matches nothing. Foreign keys between tenant-owned rows are checked at commit
 * (deferrable), since entities hold scalar ids and the ORM cannot order their inserts.
 */
export class Migration0001Foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create function app_tenant() returns uuid language sql stable parallel safe as
  $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;
create function app_user_id() returns uuid language sql stable parallel safe as
  $$ select nullif(current_setting('app.user_id', true), '')::uuid $$;

create table tenant (
  id uuid primary key,
  code varchar(12) not null unique,
  name varchar(64) not null,
  level varchar(16) not null check (level in ('PROVINCE', 'CITY', 'COUNTY')),
  parent_id uuid references tenant (id),
  province_id uuid not null,
  city_id uuid,
  path varchar(64) not null,
  depth smallint not null,
  config jsonb not null default '{}'::jsonb,
  source_file varchar(128)
);
create index tenant_parent_idx on tenant (parent_id);
create index tenant_path_idx on tenant (path text_pattern_ops);

create table app_user (
  id uuid primary key,
  tenant_id uuid not null references tenant (id),
  province_id uuid not null references tenant (id),
  city_id uuid references tenant (id),
  login varchar(64) not null unique,
  display_name varchar(64) not null,
  role varchar(16) not null check (role in ('STAFF', 'LEADER', 'MEMBER', 'DEPARTMENT', 'ADMIN')),
  unit_name varchar(128),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index app_user_tenant_idx on app_user (tenant_id);

create table member_seat (
  id uuid primary key,
  tenant_id uuid not null references tenant (id),
  province_id uuid not null references tenant (id),
  city_id uuid references tenant (id),
  user_id uuid not null references app_user (id) deferrable initially deferred,
  sector varchar(64) not null,
  title varchar(64),
  term varchar(32) not null,
  status varchar(16) not null default 'ACTIVE' check (status in ('ACTIVE', 'ENDED')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, user_id)
);
create index member_seat_page_idx on member_seat (tenant_id, created_at, id);
create index member_seat_user_idx on member_seat (user_id);

alter table app_user enable row level security;
alter table app_user force row level security;
create policy app_user_select on app_user for select using (tenant_id = app_tenant() or id = app_user_id());
create policy app_user_insert on app_user for insert with check (tenant_id = app_tenant());
create policy app_user_update on app_user for update using (tenant_id = app_tenant()) with check (tenant_id = app_tenant());
create policy app_user_delete on app_user for delete using (tenant_id = app_tenant());

alter table member_seat enable row level security;
alter table member_seat force row level security;
create policy member_seat_select on member_seat for select using (tenant_id = app_tenant() or user_id = app_user_id());
create policy member_seat_insert on member_seat for insert with check (tenant_id = app_tenant());
create policy member_seat_update on member_seat for update using (tenant_id = app_tenant()) with check (tenant_id = app_tenant());
create policy member_seat_delete on member_seat for delete using (tenant_id = app_tenant());

grant usage on schema public to cppcc_app;
grant select on tenant to cppcc_app;
grant select, insert, update, delete on app_user, member_seat to cppcc_app;
grant execute on function app_tenant(), app_user_id() to cppcc_app;
`);
  }
}
