import { Migration } from '@mikro-orm/migrations';

/**
 * Asymmetric signing keys for access tokens (EdDSA, Ed25519), each with a key id. Deliberately global: a key
 * signs for every committee. The private half is stored encrypted (AES-256-GCM under a key derived from
 * JWT_SECRET, which every instance shares), so the database alone cannot sign. The application role has no
 * grant on the table: it reads keys through `auth_signing_keys()` and adds one through `auth_add_signing_key`,
 * which retires the current key from signing; a retired key stays published (and accepted) for a day, longer
 * than any access token lives, so rotation signs nobody out.
 */
export class Migration0013SigningKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table signing_key (
  kid text primary key,
  alg text not null,
  public_jwk jsonb not null,
  private_enc text not null,
  created_at timestamptz not null default clock_timestamp(),
  retired_at timestamptz
);
revoke all on signing_key from public;

-- Keys still accepted: the current one (not retired) and those retired less than a day ago; current first.
create function auth_signing_keys()
returns table (kid text, alg text, public_jwk jsonb, private_enc text, current boolean)
language sql stable security definer set search_path = public as $$
  select k.kid, k.alg, k.public_jwk, k.private_enc, k.retired_at is null
    from signing_key k where k.retired_at is null or k.retired_at > now() - interval '1 day'
   order by k.retired_at is null desc, k.created_at desc
$$;

create function auth_add_signing_key(p_kid text, p_alg text, p_public jsonb, p_private_enc text) returns void
language plpgsql security definer set search_path = public as $$
begin
  update signing_key set retired_at = clock_timestamp() where retired_at is null;
  insert into signing_key (kid, alg, public_jwk, private_enc) values (p_kid, p_alg, p_public, p_private_enc);
end $$;

revoke all on function auth_signing_keys(), auth_add_signing_key(text, text, jsonb, text) from public;
grant execute on function auth_signing_keys(), auth_add_signing_key(text, text, jsonb, text) to cppcc_app;
`);
  }
}
