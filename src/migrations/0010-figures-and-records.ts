import { Migration } from '@mikro-orm/migrations';
import { OWNED, STAMPS, tenantPolicies } from './sql.js';

/**
 * Records are kept and figures are right (issue 13).
 *
 * - Member seats end, with a date and a reason (离任日期、离任原因); a seat something refers to cannot be
 *   deleted any more: its archives used to go with it (`on delete cascade`) while the roll-up kept counting
 *   them. `restrict` is checked at once, even on a deferrable constraint, so the delete itself fails.
 * - An account is visible to every committee where it holds a seat (ended or not), not only to its home:
 *   a city's roster names its members whose home is a county (app_seat_holder, also the ORM rule).
 * - Research reviews are a list (秘书长会议, 主席会议 …), each kept: research_review, visible like the project's
 *   outcomes; the project's single review_body / reviewed_on move into it.
 * - app_uuid7(at): a UUIDv7 for a row made in SQL (seeds, backfills), time-ordered like the application's.
 * - Rates that are shares count items, each once, in the month of their denominator (立案率, 采用率, 建议采纳率):
 *   stat_record_once counts a fact once per item however often it recurs (a report adopted at three levels),
 *   with stat_once as its bookkeeping; the three new numerators are backfilled from the records
 *   (COHORT_BACKFILL, also what a test runs against seeded data).
 * - A session remembers the sequence number of its latest hide or show (moderation_seq): a hidden speech
 *   earns nothing, and an instance's memory of who already has their archive record for the session is
 *   valid only while no moderation happened since (it reads the number with the session on every message).
 */
/**
 * The share numerators counted from the records, with their once-per-item bookkeeping, for a database that
 * has records from before them. Runs as the owner and reads every committee's records, which no policy
 * allows; an owner that is not a superuser is held to the policies (FORCE), so, as rebuildCounters does, FORCE
 * is lifted on what it reads and writes for this transaction only (ALTER TABLE is transactional: a rollback
 * puts it back, and the tables stay locked until the end).
 */
const BACKFILL_TABLES = 'proposal, opinion, opinion_route, consultation_suggestion, stat_once, stat_counter, stat_counter_year';
export const COHORT_BACKFILL = `
${BACKFILL_TABLES.split(', ').map((t) => `alter table ${t} no force row level security;`).join('\n')}
insert into stat_once (item_key, metric)
  select 'Opinion:' || o.id, 'opinion.adopted_of_submitted' from opinion o
   where exists (select 1 from opinion_route r where r.opinion_id = o.id and r.adopted_at is not null)
  on conflict do nothing;
with e as (
  select 'proposal.filed_of_submitted' m, tenant_id t, submitted_at at from proposal where status in ('FILED','ASSIGNED','REPLIED','RATED')
  union all select 'opinion.adopted_of_submitted', o.tenant_id, o.submitted_at from opinion o
   where exists (select 1 from opinion_route r where r.opinion_id = o.id and r.adopted_at is not null)
  union all select 'suggestion.adopted_of_total', tenant_id, created_at from consultation_suggestion where status in ('ADOPTED','PARTLY_ADOPTED')
), agg as (
  select t, m, stat_bucket(at, false) b, count(*)::bigint n from e group by 1, 2, 3
)
insert into stat_counter as k (tenant_id, path, bucket, metric, own, subtree)
select a.id, a.path, x.b, x.m, sum(case when a.id = x.t then x.n else 0 end), sum(x.n)
  from agg x join tenant c on c.id = x.t join tenant a on a.code = any (string_to_array(c.path, '.'))
 group by a.id, a.path, x.b, x.m
on conflict (tenant_id, metric, bucket) do update set own = k.own + excluded.own, subtree = k.subtree + excluded.subtree;
${BACKFILL_TABLES.split(', ').map((t) => `alter table ${t} force row level security;`).join('\n')}
`;

export class Migration0010FiguresAndRecords extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table member_seat add column ended_on date, add column end_reason varchar(500);
-- Seats ended before ending had a date: the day they last changed (China time).
update member_seat set ended_on = (updated_at at time zone 'Asia/Shanghai')::date where status = 'ENDED';

alter table duty_archive drop constraint duty_archive_seat_id_fkey;
alter table duty_archive add constraint duty_archive_seat_id_fkey
  foreign key (seat_id) references member_seat (id) on delete restrict deferrable initially deferred;

create function app_seat_holder(p_user uuid) returns boolean language sql stable parallel safe as
  $$ select exists (select 1 from member_seat s where s.user_id = p_user and s.tenant_id = app_tenant()) $$;
grant execute on function app_seat_holder(uuid) to cppcc_app;

-- RFC 9562 version 7: the 48-bit Unix time in milliseconds, then random bits (gen_random_uuid's, version 4
-- turned into 7; its variant bits are already RFC's).
create function app_uuid7(p_at timestamptz) returns uuid language sql volatile parallel safe as $$
  select encode(set_byte(b, 6, (get_byte(b, 6) & 15) | 112), 'hex')::uuid
    from (select overlay(uuid_send(gen_random_uuid()) placing substring(int8send(floor(extract(epoch from p_at) * 1000)::bigint) from 3) from 1 for 6) b) x
$$;
drop policy app_user_select on app_user;
create policy app_user_select on app_user for select using (tenant_id = app_tenant() or id = app_user_id() or app_seat_holder(id));

create table research_review (
  ${OWNED},
  project_id uuid not null references research_project (id) deferrable initially deferred,
  review_body varchar(64) not null,
  reviewed_on date not null,
  note text,
  recorded_by_name varchar(64),
  ${STAMPS}
);
create index research_review_project_idx on research_review (project_id, reviewed_on, id);
${tenantPolicies('research_review', { select: 'tenant_id = app_tenant() or app_member_of(project_id)' })}
insert into research_review (id, tenant_id, province_id, city_id, project_id, review_body, reviewed_on, recorded_by_name, created_at, updated_at)
  select app_uuid7(p.updated_at), p.tenant_id, p.province_id, p.city_id, p.id, p.review_body, p.reviewed_on, null, p.updated_at, p.updated_at
    from research_project p where p.review_body is not null and p.reviewed_on is not null;
alter table research_project drop column review_body, drop column reviewed_on;

alter table deliberation_session add column moderation_seq integer not null default 0;

-- Facts counted once per item (bookkeeping like stat_item: no grants; only the function touches it).
create table stat_once (
  item_key varchar(100) not null,
  metric varchar(48) not null,
  primary key (item_key, metric)
);
alter table stat_once enable row level security;
alter table stat_once force row level security;
create policy stat_once_all on stat_once for all using (app_tenant() is not null) with check (app_tenant() is not null);
create function stat_record_once(p_item text, p_metric text, p_tenant uuid, p_at timestamptz) returns boolean
language plpgsql security definer set search_path = public as $$
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee' using errcode = 'insufficient_privilege'; end if;
  if not app_at_or_below(p_tenant) then
    raise exception 'statistics: the acting committee may not count for committee %', p_tenant using errcode = 'insufficient_privilege';
  end if;
  insert into stat_once (item_key, metric) values (p_item, p_metric) on conflict do nothing;
  if not found then return false; end if;
  perform stat_bump(p_tenant, p_metric, stat_bucket(p_at, false), 1, 1);
  return true;
end $$;
grant execute on function stat_record_once(text, text, uuid, timestamptz) to cppcc_app;
`);
    this.addSql(COHORT_BACKFILL);
  }
}
