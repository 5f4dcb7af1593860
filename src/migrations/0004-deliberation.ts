import { Migration } from '@mikro-orm/migrations';
import { OWNED, STAMPS, tenantPolicies } from './sql.js';

/**
 * Live network deliberation (网络议政 / 远程协商). A session is a joint item: visible to the host committee
 * and to every participating committee listed in `participant_ids` (the host included). Its events and
 * presence rows copy that list, so one policy shape (and one ORM scope rule) covers all three tables
 * without looking at another table. `last_seq` is the per-session counter: a writer bumps it with
 * `update … returning`, which holds the row lock until commit, so sequence numbers are gap-free and in
 * commit order.
 */
export class Migration0004Deliberation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table deliberation_session (
  ${OWNED},
  participant_ids uuid[] not null,
  topic_id uuid,
  topic_title varchar(200) not null,
  title varchar(200) not null,
  agenda text not null default '',
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  status varchar(16) not null default 'SCHEDULED' check (status in ('SCHEDULED', 'LIVE', 'PAUSED', 'ENDED')),
  last_seq integer not null default 0,
  created_by uuid not null,
  ${STAMPS},
  check (ends_at > starts_at),
  check (tenant_id = any (participant_ids))
);
create index deliberation_session_tenant_idx on deliberation_session (tenant_id, id);
create index deliberation_session_participants_idx on deliberation_session using gin (participant_ids);

create table deliberation_event (
  ${OWNED},
  participant_ids uuid[] not null,
  session_id uuid not null references deliberation_session (id) deferrable initially deferred,
  seq integer not null,
  kind varchar(24) not null,
  message_kind varchar(16),
  actor_id uuid not null,
  actor_name varchar(64) not null,
  actor_tenant_id uuid not null references tenant (id),
  text text,
  reply_to_seq integer,
  ref_seq integer,
  target_user_id uuid,
  target_name varchar(64),
  status varchar(16),
  reason varchar(500),
  hidden_reason varchar(500),
  hidden_at timestamptz,
  at timestamptz not null,
  ${STAMPS},
  unique (session_id, seq)
);

create table deliberation_presence (
  ${OWNED},
  participant_ids uuid[] not null,
  session_id uuid not null references deliberation_session (id) deferrable initially deferred,
  user_id uuid not null,
  user_name varchar(64) not null,
  user_tenant_id uuid not null references tenant (id),
  instance_id uuid not null,
  connection_id uuid not null unique,
  ${STAMPS}
);
create index deliberation_presence_session_idx on deliberation_presence (session_id, user_id);
create index deliberation_presence_instance_idx on deliberation_presence (instance_id);
`);
    for (const t of ['deliberation_session', 'deliberation_event', 'deliberation_presence']) {
      const visible = `(tenant_id = app_tenant() or app_tenant() = any (participant_ids))`;
      // Only the host creates or deletes a session; participants update it only to take a sequence number.
      const own = t === 'deliberation_session' ? `(tenant_id = app_tenant())` : visible;
      this.addSql(tenantPolicies(t, { select: visible, insert: own, update: visible, delete: own }));
    }
  }
}
