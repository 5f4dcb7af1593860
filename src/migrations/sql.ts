/**
 * The columns every tenant-owned table starts and ends with: its committee and that committee's province
 * and city (so roll-ups never join up the tree), and the timestamps.
 */
export const OWNED = `id uuid primary key,
  tenant_id uuid not null references tenant (id),
  province_id uuid not null references tenant (id),
  city_id uuid references tenant (id)`;

export const STAMPS = `created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()`;

/** A committee's own rows: the default of every policy. */
export const OWN_ROWS = 'tenant_id = app_tenant()';

export interface TenantPolicies {
  select?: string;
  insert?: string;
  /** Which rows an update may touch; also what the changed row must satisfy unless `updateCheck` says otherwise. */
  update?: string;
  updateCheck?: string;
  delete?: string;
}

/**
 * Row-level security of a tenant-owned table, stated once: enabled and FORCED (the owner is held to it
 * too), one policy per command, each the committee's own rows unless given, and the application role's
 * grants. Every migration that adds a tenant-owned table states its policies through here.
 */
export function tenantPolicies(table: string, p: TenantPolicies = {}): string {
  const rule = (r: string | undefined) => `(${r ?? OWN_ROWS})`;
  return `alter table ${table} enable row level security;
alter table ${table} force row level security;
create policy ${table}_select on ${table} for select using ${rule(p.select)};
create policy ${table}_insert on ${table} for insert with check ${rule(p.insert)};
create policy ${table}_update on ${table} for update using ${rule(p.update)} with check ${rule(p.updateCheck ?? p.update)};
create policy ${table}_delete on ${table} for delete using ${rule(p.delete)};
grant select, insert, update, delete on ${table} to cppcc_app;`;
}
