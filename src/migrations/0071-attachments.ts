import { Migration } from '@mikro-orm/migrations';
import { OWNED, STAMPS, tenantPolicies } from './sql.js';

/**
 * Attachments (附件, issue 18) on research contributions, combined reports, reports, proposals and reply letters.
 *
 * - `attachment_blob`: a file's bytes once per committee and content (SHA-256): the same file uploaded twice is
 *   stored once. `content` holds them in PostgreSQL; null when they are in the S3-compatible store (`store`).
 *   Kept per committee, not across committees, so a hash never tells one committee what another holds.
 * - `attachment`: one upload by one account (name, type, size), unattached until a mutation names the item
 *   (`item_type`, `item_id`). Who may download is the item's own read rule (the service asks the item's module);
 *   the policies are the second wall: the committee's own, a report's attachments where the report reached,
 *   a joint item's (`joint_item_id`: the research project) where the committee is an accepted participant.
 *   A blob is readable where an attachment naming it is.
 */
export class Migration0071Attachments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table attachment_blob (
  ${OWNED},
  sha256 varchar(64) not null,
  size integer not null check (size > 0),
  store varchar(16) not null check (store in ('postgres', 's3')),
  content bytea,
  ${STAMPS},
  unique (tenant_id, sha256)
);

create table attachment (
  ${OWNED},
  uploader_id uuid not null references app_user (id),
  blob_id uuid not null references attachment_blob (id),
  file_name text not null check (char_length(file_name) between 1 and 200),
  content_type varchar(128) not null,
  size integer not null,
  sha256 varchar(64) not null,
  item_type varchar(32) check (item_type in ('Proposal', 'Opinion', 'ResearchContribution', 'ResearchProject')),
  item_id uuid,
  joint_item_id uuid,
  purpose varchar(16) check (purpose in ('DOCUMENT', 'REPLY_LETTER', 'COMBINED_REPORT')),
  attached_at timestamptz,
  ${STAMPS}
);
create index attachment_item_idx on attachment (item_id) where item_id is not null;
create index attachment_blob_idx on attachment (blob_id);
${tenantPolicies('attachment', {
  select: "tenant_id = app_tenant() or (item_type = 'Opinion' and opinion_reached(item_id)) or (joint_item_id is not null and app_member_of(joint_item_id))",
  delete: 'false',
})}
${tenantPolicies('attachment_blob', {
  select: 'tenant_id = app_tenant() or exists (select 1 from attachment a where a.blob_id = attachment_blob.id)',
  delete: 'false',
})}
revoke delete on attachment, attachment_blob from cppcc_app;
`);
  }
}
