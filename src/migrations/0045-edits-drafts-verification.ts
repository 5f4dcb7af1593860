import { Migration } from '@mikro-orm/migrations';

/**
 * Edits after creation, contribution drafts and the verification queue:
 *
 * - `state_change.changes`: an edit of an item (a project's or topic's title and description, a proposal
 *   before filing review, a contribution) is a history entry like a change of state, with the fields it
 *   changed, each before and after; null for a change of state.
 * - `research_contribution.status`: a committee's team members write a contribution as a DRAFT, which only
 *   that committee reads; its office submits it, and from then the lead reads it too. Rows before this
 *   migration were submitted. `written_by_name` is who last wrote the text; `submitted_by_name` is empty
 *   until the office submits.
 * - `duty_record.reject_reason`: the member sees why a record they entered was rejected; the office's
 *   queue of records awaiting verification reads the pending ones of a committee, oldest first.
 */
export class Migration0045EditsDraftsVerification extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table state_change add column changes jsonb;

alter table research_contribution add column status varchar(16) not null default 'SUBMITTED' check (status in ('DRAFT', 'SUBMITTED'));
alter table research_contribution add column written_by_name varchar(64);
alter table research_contribution alter column submitted_by_name drop not null;
alter policy research_contribution_select on research_contribution using (tenant_id = app_tenant() or (owner_tenant_id = app_tenant() and status = 'SUBMITTED'));

alter table duty_record add column reject_reason varchar(500);
create index duty_record_pending_idx on duty_record (tenant_id, id) where status = 'PENDING';
`);
  }
}
