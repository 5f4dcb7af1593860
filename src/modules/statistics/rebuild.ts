import type pg from 'pg';
import { METRICS } from './metrics.js';

/** Every month-grain figure as (metric m, credited committee t, moment at) rows, straight from the records. */
export const EVENTS_SQL = `
      select 'proposal.submitted' m, tenant_id t, submitted_at at from proposal
      union all select 'proposal.filed', tenant_id, reviewed_at from proposal where status in ('FILED','ASSIGNED','REPLIED','RATED')
      union all select 'proposal.replied', tenant_id, replied_at from proposal where replied_at is not null
      union all select 'proposal.replied_on_time', tenant_id, replied_at from proposal where replied_at <= reply_deadline
      union all select 'proposal.rated', tenant_id, rated_at from proposal where rated_at is not null
      union all select 'proposal.satisfied', tenant_id, rated_at from proposal where satisfaction in ('SATISFIED','BASICALLY_SATISFIED')
      union all select 'proposal.supervised', tenant_id, supervised_at from proposal where supervised_at is not null
      union all select metric, tenant_id, due_at from stat_deadline where counted
      union all select 'opinion.submitted', tenant_id, submitted_at from opinion
      union all select 'opinion.forwarded', from_tenant_id, received_at from opinion_route where from_tenant_id is not null
      union all select 'opinion.adopted', origin_tenant_id, adopted_at from opinion_route where adopted_at is not null
      union all select 'opinion.adopted.' || lower(lt.level), r.origin_tenant_id, r.adopted_at from opinion_route r join tenant lt on lt.id = r.tenant_id where r.adopted_at is not null
      union all select 'opinion.instructed', origin_tenant_id, instructed_at from opinion_route where instructed_at is not null
      union all select 'proposal.filed_of_submitted', tenant_id, submitted_at from proposal where status in ('FILED','ASSIGNED','REPLIED','RATED')
      union all select 'opinion.adopted_of_submitted', o.tenant_id, o.submitted_at from opinion o where exists (select 1 from opinion_route r where r.opinion_id = o.id and r.adopted_at is not null)
      union all select 'suggestion.total', tenant_id, created_at from consultation_suggestion
      union all select 'suggestion.adopted', tenant_id, feedback_at from consultation_suggestion where status in ('ADOPTED','PARTLY_ADOPTED')
      union all select 'suggestion.adopted_of_total', tenant_id, created_at from consultation_suggestion where status in ('ADOPTED','PARTLY_ADOPTED')
      union all select 'meeting.held', tenant_id, starts_at from meeting where status <> 'CANCELLED'
      union all select 'meeting.invited', a.tenant_id, m.starts_at from meeting_attendance a join meeting m on m.id = a.meeting_id where m.status <> 'CANCELLED'
      union all select 'meeting.attended', a.tenant_id, m.starts_at from meeting_attendance a join meeting m on m.id = a.meeting_id where a.status = 'CHECKED_IN' and m.status <> 'CANCELLED'
      union all select 'meeting.leave', a.tenant_id, m.starts_at from meeting_attendance a join meeting m on m.id = a.meeting_id where a.status = 'ON_LEAVE' and m.status <> 'CANCELLED'
      union all select 'supervision.tasks', tenant_id, issued_at from supervision_task
      union all select 'supervision.closed', tenant_id, closed_at from supervision_task where closed_at is not null
      union all select 'supervision.closed_on_time', tenant_id, closed_at from supervision_task where closed_at <= deadline
      union all select 'micro.submitted', tenant_id, submitted_at from micro_suggestion
      union all select 'micro.screened', tenant_id, screened_at from micro_suggestion where screened_at is not null
      union all select 'micro.replied', tenant_id, replied_at from micro_suggestion where replied_at is not null
`;

/** What a rebuild reads or writes across every committee at once. */
const ACROSS_COMMITTEES = ['proposal', 'opinion', 'consultation_suggestion', 'opinion_route', 'duty_archive', 'stat_deadline', 'stat_counter', 'stat_counter_year', 'stat_once', 'meeting', 'meeting_attendance', 'supervision_task', 'micro_suggestion'];

/**
 * Recount every non-shared counter from the records (owner connection, inside the caller's transaction).
 * Used after bulk loads (seeds, the large synthetic province) and as a repair tool; the request path never
 * calls it. Overdue figures come from the deadlines the sweep has already counted, so a rebuild and the sweep
 * never disagree.
 *
 * A recount reads every committee's records, which no policy allows, and an owner that is not a superuser is
 * held to the policies (FORCE). So the owner lifts FORCE on these tables for this transaction only: ALTER
 * TABLE is transactional (a rollback, or a crash, puts FORCE back) and holds the tables locked until the
 * transaction ends, so no request reads or moves a counter while it is being recounted.
 */
export async function rebuildCounters(client: pg.Client): Promise<number> {
  await client.query(ACROSS_COMMITTEES.map((t) => `alter table ${t} no force row level security`).join('; '));
  const n = await recount(client);
  await client.query(ACROSS_COMMITTEES.map((t) => `alter table ${t} force row level security`).join('; '));
  return n;
}

async function recount(client: pg.Client): Promise<number> {
  const shared = METRICS.filter((m) => 'shared' in m && m.shared).map((m) => m.key);
  await client.query('delete from stat_counter where not (metric = any($1::text[]))', [shared]);
  // Facts counted once per item: the reports adopted somewhere are counted, so a later adoption adds nothing.
  await client.query(`delete from stat_once where metric = 'opinion.adopted_of_submitted'`);
  await client.query(`insert into stat_once (item_key, metric)
    select 'Opinion:' || o.id, 'opinion.adopted_of_submitted' from opinion o where exists (select 1 from opinion_route r where r.opinion_id = o.id and r.adopted_at is not null)`);
  const r = await client.query(`
    with e as (
${EVENTS_SQL}
    ), agg as (
      select t, m, stat_bucket(at, false) b, count(*)::bigint n from e group by 1, 2, 3
      union all select tenant_id, 'perf.archives', make_date(year, 1, 1), count(*) from duty_archive group by 1, 3
      union all select tenant_id, 'perf.score_sum', make_date(year, 1, 1), sum(score) from duty_archive group by 1, 3
      union all select tenant_id, 'perf.checklist_done', make_date(year, 1, 1), count(*) filter (where checklist_done) from duty_archive group by 1, 3
    )
    insert into stat_counter (tenant_id, path, bucket, metric, own, subtree)
    select a.id, a.path, x.b, x.m, sum(case when a.id = x.t then x.n else 0 end), sum(x.n)
      from agg x join tenant c on c.id = x.t join tenant a on a.code = any (string_to_array(c.path, '.'))
     group by a.id, a.path, x.b, x.m`);
  return r.rowCount ?? 0;
}
