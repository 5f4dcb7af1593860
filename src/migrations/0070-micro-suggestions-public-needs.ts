import { Migration } from '@mikro-orm/migrations';
import { OWNED, STAMPS, tenantPolicies } from './sql.js';

/**
 * 微建议 and 社会提需求 (issue 18).
 *
 * - `micro_suggestion`: a member's short suggestion (at most 500 characters) to their committee, screened by
 *   the office: handled on the spot, forwarded to a handling unit for a reply, or turned into a proposal or
 *   report draft. Tenant-owned like every record; who sees which inside the committee is the service's rule.
 * - `public_need`: a need raised by the public for one committee, without an account. The request that writes
 *   it acts for that committee with no user (app.user_id empty): the policies let it insert its committee's
 *   row and read none, so an anonymous transaction reads nothing back even by mistake.
 * - `topic_recommendation.source`: a recommendation screened from the public's needs becomes a topic whose
 *   source is PUBLIC (社会提需求), not MEMBER.
 */
export class Migration0070MicroSuggestionsPublicNeeds extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table micro_suggestion (
  ${OWNED},
  author_id uuid not null references app_user (id),
  content text not null check (char_length(content) between 5 and 500),
  status varchar(16) not null check (status in ('SUBMITTED', 'HANDLED', 'FORWARDED', 'REPLIED', 'CONVERTED')),
  submitted_at timestamptz not null,
  screen_due_at timestamptz not null,
  screened_at timestamptz,
  screened_by uuid references app_user (id),
  screen_note text,
  unit_id uuid references handling_unit (id),
  reply text,
  replied_at timestamptz,
  draft_kind varchar(16) check (draft_kind in ('PROPOSAL', 'OPINION')),
  draft_title text,
  ${STAMPS}
);
create index micro_suggestion_tenant_idx on micro_suggestion (tenant_id, id);
create index micro_suggestion_author_idx on micro_suggestion (author_id);
create index micro_suggestion_unit_idx on micro_suggestion (unit_id) where unit_id is not null;
${tenantPolicies('micro_suggestion', { delete: 'false' })}
revoke delete on micro_suggestion from cppcc_app;

create table public_need (
  ${OWNED},
  content text not null check (char_length(content) between 10 and 1000),
  contact text check (char_length(contact) <= 100),
  status varchar(16) not null check (status in ('NEW', 'RECOMMENDED', 'DISMISSED')),
  received_at timestamptz not null,
  screened_at timestamptz,
  screened_by uuid references app_user (id),
  dismiss_reason text,
  recommendation_id uuid references topic_recommendation (id),
  ${STAMPS}
);
create index public_need_tenant_idx on public_need (tenant_id, status, id);
${tenantPolicies('public_need', {
  // Staff of the committee read and screen; the anonymous writer (no user) reads nothing.
  select: 'tenant_id = app_tenant() and app_user_id() is not null',
  insert: 'tenant_id = app_tenant()',
  update: 'tenant_id = app_tenant() and app_user_id() is not null',
  delete: 'false',
})}
revoke delete on public_need from cppcc_app;

alter table topic_recommendation add column source varchar(16) not null default 'MEMBER' check (source in ('MEMBER', 'PUBLIC'));
`);
  }
}
