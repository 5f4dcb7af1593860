import { Migration } from '@mikro-orm/migrations';

/**
 * A message's commit no longer waits for its WAL flush while it holds the session's numbering lock (the
 * posting request commits it with `synchronous_commit = off`, see postMessage), so the lock is released as
 * soon as the commit is recorded and posters no longer queue behind each other's disk flushes. Durability
 * moves to the two places that tell anyone about a message:
 *
 * - the poster's answer: the request goes on in a transaction that takes a transaction id, and its final,
 *   synchronous commit flushes the WAL up to itself, which covers the message's commit;
 * - the live feeds: `deliberation_events_after` now also takes a transaction id, so the statement's commit
 *   flushes the WAL before its rows reach the application, and every row it read (committed, so recorded
 *   before this read began) is on disk before any subscriber sees it. Replays (readEvents) do the same.
 *
 * So a crash can lose only a message nobody was told about, whose number is then given to the next one:
 * no subscriber ever sees a number twice with different content. Concurrent flushes share one fsync
 * (PostgreSQL's group commit) instead of one per message in turn.
 */
export class Migration0007DeliberationDurableReads extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create or replace function deliberation_events_after(p_tenant uuid, p_user uuid, p_session uuid, p_after integer, p_limit integer)
returns setof deliberation_event language plpgsql set search_path = public as $$
declare
  old_tenant text := coalesce(current_setting('app.tenant_id', true), '');
  old_user text := coalesce(current_setting('app.user_id', true), '');
begin
  -- A transaction id: the commit of the calling transaction then flushes the WAL (see the migration's note).
  perform pg_current_xact_id();
  perform set_config('app.tenant_id', p_tenant::text, true), set_config('app.user_id', p_user::text, true);
  return query select * from deliberation_event where session_id = p_session and seq > p_after order by seq limit p_limit;
  perform set_config('app.tenant_id', old_tenant, true), set_config('app.user_id', old_user, true);
end $$;
`);
  }
}
