import { Migration } from '@mikro-orm/migrations';

/**
 * Messages take their sequence number at commit. A message row is inserted without a number; a deferred
 * constraint trigger numbers it while the transaction commits: it bumps the session's `last_seq` (taking the
 * session row lock), stamps the row and queues the NOTIFY. The lock is held from that moment to the end of
 * the same commit, so numbers stay gap-free and in commit order, and a poster never holds it across a round
 * trip to the application (where a busy process would make every other poster wait).
 *
 * The session must still be LIVE at that moment; otherwise the commit fails with SQLSTATE CP001 and the
 * status in DETAIL, and nothing of the transaction is kept. Other events (status changes, joins, hands,
 * floor, hides, presence) still take their number with `update … returning` inside the request; they take
 * the same row lock, so both kinds interleave in one order.
 *
 * `deliberation_events_after` is the live feeds' read, one round trip per wake: it sets the RLS settings
 * for its own query (running as the application role, under the same policies as any request) and puts back
 * what was set before, so it leaves no scope behind in any transaction it is called from.
 */
export class Migration0005DeliberationCommitNumbering extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table deliberation_event alter column seq drop not null;

create function deliberation_number_message() returns trigger language plpgsql set search_path = public as $$
declare
  n integer;
  st text;
begin
  update deliberation_session set last_seq = last_seq + 1 where id = new.session_id and status = 'LIVE' returning last_seq into n;
  if n is null then
    select status into st from deliberation_session where id = new.session_id;
    raise exception 'deliberation session is not live' using errcode = 'CP001', detail = coalesce(st, 'MISSING');
  end if;
  update deliberation_event set seq = n where id = new.id;
  perform pg_notify('deliberation', new.session_id::text || ':' || n);
  return null;
end $$;

create constraint trigger deliberation_event_number after insert on deliberation_event
  deferrable initially deferred for each row when (new.seq is null)
  execute function deliberation_number_message();

create function deliberation_events_after(p_tenant uuid, p_user uuid, p_session uuid, p_after integer, p_limit integer)
returns setof deliberation_event language plpgsql set search_path = public as $$
declare
  old_tenant text := coalesce(current_setting('app.tenant_id', true), '');
  old_user text := coalesce(current_setting('app.user_id', true), '');
begin
  perform set_config('app.tenant_id', p_tenant::text, true), set_config('app.user_id', p_user::text, true);
  return query select * from deliberation_event where session_id = p_session and seq > p_after order by seq limit p_limit;
  perform set_config('app.tenant_id', old_tenant, true), set_config('app.user_id', old_user, true);
end $$;
revoke execute on function deliberation_events_after(uuid, uuid, uuid, integer, integer) from public;
grant execute on function deliberation_events_after(uuid, uuid, uuid, integer, integer) to cppcc_app;
`);
  }
}
