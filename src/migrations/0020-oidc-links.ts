import { Migration } from '@mikro-orm/migrations';

/**
 * Links from a person at an external OpenID Connect provider (issuer and the value of the subject claim) to
 * an account, for SSO sign-in. Global like account_credential: the link is looked up before any committee is
 * known, so the table has no grant and is reached only through two functions. `auth_oidc_account` answers
 * which account a subject is linked to; `auth_oidc_link` links (or, with a null subject, unlinks) an account
 * of the acting committee only, read under the caller's RLS settings as auth_set_password does, so it works
 * under FORCE with an owner that is not a superuser. One link per account and per subject.
 */
export class Migration0020OidcLinks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table oidc_link (
  issuer text not null,
  subject text not null,
  user_id uuid not null unique references app_user (id),
  tenant_id uuid not null references tenant (id),
  linked_at timestamptz not null default now(),
  primary key (issuer, subject)
);
revoke all on oidc_link from public;

create function auth_oidc_account(p_issuer text, p_subject text)
returns table (user_id uuid, tenant_id uuid)
language sql stable security definer set search_path = public as
  $$ select l.user_id, l.tenant_id from oidc_link l where l.issuer = p_issuer and l.subject = p_subject $$;

create function auth_oidc_link(p_user uuid, p_issuer text, p_subject text) returns boolean
language plpgsql security definer set search_path = public as $$
declare u record;
begin
  select id, tenant_id into u from app_user where id = p_user and tenant_id = app_tenant();
  if not found then return false; end if;
  delete from oidc_link where user_id = u.id and issuer = p_issuer;
  if p_subject is not null then
    insert into oidc_link (issuer, subject, user_id, tenant_id) values (p_issuer, p_subject, u.id, u.tenant_id);
  end if;
  return true;
end $$;

revoke all on function auth_oidc_account(text, text), auth_oidc_link(uuid, text, text) from public;
grant execute on function auth_oidc_account(text, text), auth_oidc_link(uuid, text, text) to cppcc_app;
`);
  }
}
