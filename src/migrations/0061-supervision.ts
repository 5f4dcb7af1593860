import { Migration } from '@mikro-orm/migrations';
import { OWNED, STAMPS, tenantPolicies } from './sql.js';

/**
 * The supervision ledger (督查督办台账): tasks a committee's office follows up (from a leader instruction 批示,
 * a consultation outcome or a research outcome), each with the unit responsible (责任单位, a department
 * account of the committee), a deadline, progress reports and a closure with evidence (销号). A committee's
 * own rows only: supervision is internal work of the committee that opened the task.
 */
export class Migration0061Supervision extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table supervision_task (
  ${OWNED},
  source varchar(24) not null check (source in ('INSTRUCTION', 'CONSULTATION_OUTCOME', 'RESEARCH_OUTCOME')),
  source_type varchar(32),
  source_id uuid,
  title varchar(200) not null,
  requirement text not null,
  owner_unit_id uuid not null references handling_unit (id) deferrable initially deferred,
  owner_unit varchar(128) not null,
  issued_at timestamptz not null,
  deadline timestamptz not null,
  status varchar(8) not null check (status in ('OPEN', 'CLOSED')),
  last_progress_at timestamptz,
  closed_at timestamptz,
  closure_evidence text,
  closed_by uuid,
  created_by uuid not null,
  ${STAMPS},
  check (deadline > issued_at),
  check ((status = 'CLOSED') = (closed_at is not null))
);
create index supervision_task_ledger_idx on supervision_task (tenant_id, status, deadline);
create index supervision_task_owner_idx on supervision_task (owner_unit_id);

create table supervision_progress (
  ${OWNED},
  task_id uuid not null references supervision_task (id) deferrable initially deferred,
  body text not null,
  reported_at timestamptz not null,
  reported_by uuid not null,
  reporter_name varchar(64) not null,
  ${STAMPS}
);
create index supervision_progress_task_idx on supervision_progress (task_id, reported_at);
`);
    this.addSql(tenantPolicies('supervision_task'));
    this.addSql(tenantPolicies('supervision_progress'));
  }
}
