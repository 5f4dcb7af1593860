import { Migration } from '@mikro-orm/migrations';

/**
 * Timed work costs what there is to do, not what committees there are. With every province loaded (3,214
 * committees) the every-minute sweep made one job and one transaction per committee, a third of a core on an
 * idle server, and the daily digest opened one transaction per person only to find most with nothing unread.
 *
 * `app_committees_with_timed_work` says in one statement which of the given committees (`[{id, horizon}]`, the
 * horizon being now plus the committee's reminder days) have anything the
 * sweep would act on (notification.sweep.ts, `deadlinesBetween`, `openingsBetween`, `dueDeliveries`: the
 * same windows, a little wider where a join would only narrow them). It is no security definer: it runs as
 * the application role and sets the acting committee (`app.tenant_id`, no user) before each committee's
 * check, as a committee's background work does, so RLS scopes every read to that committee; it resets the
 * scope before it returns.
 *
 * The committee's own background work (runForCommittee: app.user_id empty) may now read its people's
 * notifications, as it already reads their whole outbox (notification_delivery carries the same titles and
 * bodies); a request always names its user, so a person still reads only their own inbox. Writes keep the
 * person-only rule: a notification is made as its reader.
 */
export class Migration0120TimedWorkCandidates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter policy notification_select on notification using (tenant_id = app_tenant() and (user_id = app_user_id() or app_user_id() is null));

create function app_committees_with_timed_work(p_committees jsonb, p_since timestamptz, p_now timestamptz, p_opening_until timestamptz)
returns setof uuid language plpgsql volatile set search_path = public as $$
declare c jsonb; t uuid; h timestamptz;
begin
  for c in select * from jsonb_array_elements(p_committees) loop
    t := (c->>'id')::uuid;
    h := (c->>'horizon')::timestamptz;
    perform set_config('app.tenant_id', t::text, true), set_config('app.user_id', '', true);
    if exists (select 1 from consultation_suggestion s where s.tenant_id = t and s.status = 'ASSIGNED' and s.feedback_at is null and s.deadline > p_since and s.deadline <= h)
       or exists (select 1 from proposal p where p.tenant_id = t and p.status = 'ASSIGNED' and p.reply_deadline > p_since and p.reply_deadline <= h)
       or exists (select 1 from joint_participant p where p.tenant_id = t and p.kind = 'INVITATION' and p.status = 'PENDING' and p.respond_by is not null
                    and ((p.respond_by + 1)::timestamp at time zone 'Asia/Shanghai') > p_since and ((p.respond_by + 1)::timestamp at time zone 'Asia/Shanghai') <= h)
       or exists (select 1 from joint_participant jp join research_project r on r.id = jp.item_id
                   where jp.tenant_id = t and jp.item_type = 'ResearchProject' and jp.status = 'ACCEPTED' and r.status in ('IN_PROGRESS', 'REPORTING')
                     and ((r.end_date + 1)::timestamp at time zone 'Asia/Shanghai') > p_since and ((r.end_date + 1)::timestamp at time zone 'Asia/Shanghai') <= h)
       or exists (select 1 from deliberation_session s where s.participant_ids @> array[t] and s.status = 'SCHEDULED' and s.starts_at > p_now and s.starts_at <= p_opening_until)
       or exists (select 1 from meeting_attendance a join meeting m on m.id = a.meeting_id
                   where a.tenant_id = t and a.status in ('INVITED', 'CONFIRMED') and m.starts_at > p_now and m.starts_at <= p_opening_until)
       or exists (select 1 from notification_delivery d where d.tenant_id = t and d.sent_at is null and d.not_before <= p_now and (d.lease_until is null or d.lease_until <= p_now))
    then
      return next t;
    end if;
  end loop;
  perform set_config('app.tenant_id', '', true), set_config('app.user_id', '', true);
end $$;
revoke all on function app_committees_with_timed_work(jsonb, timestamptz, timestamptz, timestamptz) from public;
grant execute on function app_committees_with_timed_work(jsonb, timestamptz, timestamptz, timestamptz) to cppcc_app;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop function app_committees_with_timed_work(jsonb, timestamptz, timestamptz, timestamptz);
alter policy notification_select on notification using (tenant_id = app_tenant() and user_id = app_user_id());`);
  }
}
