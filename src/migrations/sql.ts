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
