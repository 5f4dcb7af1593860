import { Migration } from '@mikro-orm/migrations';
import { OWNED, tenantPolicies } from './sql.js';

/**
 * Background jobs and notifications.
 *
 * The job queue is graphile-worker's, in its own schema (`graphile_worker`), created at start by the owner
 * (core/jobs.ts migrateJobs). The application role has no grant there: a request enqueues through
 * `app_enqueue_job`, in its own transaction (the job exists exactly when the work that asked for it
 * commits). The function stamps the acting committee and user into the payload and prefixes the job key
 * with the committee, so a request can neither act as another committee nor replace another's job.
 *
 * `notification` is a person's inbox (站内通知), per committee they act for: visible and writable only to
 * that person acting for that committee; it is written as the reader (runInContext with their identity),
 * after the item it names was fetched under their scope, so a notification never names what they cannot see.
 * `notification_preference` is theirs alike. `notification_delivery` is the outbox of e-mail and SMS,
 * written in the notification's transaction, readable by its recipient; delivery runs for the committee
 * with no user (runForCommittee: app.user_id empty), the one context that reads the committee's whole outbox.
 */
/**
 * An outbox row is its recipient's (acting for the committee), and the committee's own background work's:
 * a request always sets app.user_id (buildContext), only runForCommittee leaves it empty.
 */
const DELIVERY_ROWS = 'tenant_id = app_tenant() and (user_id = app_user_id() or app_user_id() is null)';

export class Migration0030JobsNotifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create function app_enqueue_job(p_task text, p_payload jsonb, p_key text, p_run_at timestamptz) returns void
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if app_tenant() is null then raise exception 'jobs: no acting committee'; end if;
  if p_task !~ '^[a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*$' then raise exception 'jobs: task name % is not module.verb-noun', p_task; end if;
  perform graphile_worker.add_job(
    p_task,
    (coalesce(p_payload, '{}'::jsonb) || jsonb_build_object('enqueuedBy', jsonb_build_object('tenantId', app_tenant(), 'userId', app_user_id())))::json,
    run_at => coalesce(p_run_at, now()),
    max_attempts => 10,
    job_key => case when p_key is null then null else app_tenant()::text || ':' || p_key end);
end $$;
revoke all on function app_enqueue_job(text, jsonb, text, timestamptz) from public;
grant execute on function app_enqueue_job(text, jsonb, text, timestamptz) to cppcc_app;

create table notification (
  ${OWNED},
  user_id uuid not null references app_user (id),
  kind text not null,
  title text not null,
  body text not null default '',
  item_type text,
  item_id uuid,
  dedupe_key text not null,
  created_at timestamptz not null,
  read_at timestamptz,
  unique (tenant_id, user_id, dedupe_key)
);
create index notification_inbox on notification (tenant_id, user_id, id desc);
create index notification_unread on notification (tenant_id, user_id) where read_at is null;
${tenantPolicies('notification', {
  select: 'tenant_id = app_tenant() and user_id = app_user_id()',
  insert: 'tenant_id = app_tenant() and user_id = app_user_id()',
  update: 'tenant_id = app_tenant() and user_id = app_user_id()',
  delete: 'tenant_id = app_tenant() and user_id = app_user_id()',
})}

create table notification_preference (
  ${OWNED},
  user_id uuid not null references app_user (id),
  muted_kinds text[] not null default '{}',
  email text,
  phone text,
  email_enabled boolean not null default true,
  sms_enabled boolean not null default false,
  quiet_from smallint,
  quiet_to smallint,
  updated_at timestamptz not null default now(),
  unique (tenant_id, user_id)
);
${tenantPolicies('notification_preference', {
  select: 'tenant_id = app_tenant() and user_id = app_user_id()',
  insert: 'tenant_id = app_tenant() and user_id = app_user_id()',
  update: 'tenant_id = app_tenant() and user_id = app_user_id()',
  delete: 'tenant_id = app_tenant() and user_id = app_user_id()',
})}

create table notification_delivery (
  ${OWNED},
  notification_id uuid not null references notification (id) on delete cascade,
  user_id uuid not null references app_user (id),
  channel text not null check (channel in ('EMAIL', 'SMS')),
  address text not null,
  subject text not null,
  body text not null,
  not_before timestamptz not null,
  attempts integer not null default 0,
  leased_by text,
  lease_until timestamptz,
  sent_at timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  unique (notification_id, channel)
);
create index notification_delivery_due on notification_delivery (tenant_id, not_before) where sent_at is null;
${tenantPolicies('notification_delivery', {
  select: DELIVERY_ROWS,
  insert: DELIVERY_ROWS,
  update: DELIVERY_ROWS,
  delete: DELIVERY_ROWS,
})}
`);
  }
}
