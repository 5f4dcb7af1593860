import type { EntityManager } from '@mikro-orm/postgresql';
import type { CommitteeContext } from '../../core/context.js';
import { chinaMinute } from '../../core/clock.js';
import { NotificationKind } from './notification.entity.js';
import type { NotificationRequest } from './notification.service.js';

/** Overdue notices are made for deadlines passed within this long (the sweep runs every minute; this covers a long outage). */
export const OVERDUE_LOOKBACK_MS = 7 * 24 * 3600_000;
/** How long before a deliberation session or a meeting starts its participants are told (即将开始). */
export const OPENING_NOTICE_MS = 30 * 60_000;

/** One person to tell about one item with a deadline. `day` is the date people read, China time. */
interface DueRow {
  item_type: 'ConsultationSuggestion' | 'Proposal' | 'JointParticipant' | 'ResearchProject';
  id: string;
  user_id: string;
  deadline: Date | string;
  day: string;
  label: string;
}

interface OpeningRow {
  item_type: 'DeliberationSession' | 'Meeting';
  id: string;
  user_id: string;
  starts_at: Date | string;
  label: string;
  place: string | null;
}

/**
 * A date-only deadline (答复期限, 结束日期) ends with its day in China: the instant it passes is 00:00 of the
 * next day, Asia/Shanghai.
 */
const END_OF_DAY = (col: string) => `((${col} + 1)::timestamp at time zone 'Asia/Shanghai')`;

/** The committee's people a notice for "the committee" goes to: its office (STAFF), active accounts only. */
const STAFF_OF = (tenant: string) => `select a.id from app_user a where a.tenant_id = ${tenant} and a.role = 'STAFF' and a.disabled_at is null`;

/**
 * Which of `committees` have anything their sweep would act on at `now`: a deadline within the sweep's
 * window (deadlinesBetween, each committee's own reminder days), a session or meeting opening within
 * OPENING_NOTICE_MS (openingsBetween), or an outbox message due (dueDeliveries). One statement, each
 * committee checked under its own scope (migration 0120). Its windows must stay those of the three reads:
 * the test "the every-minute sweep visits every committee with timed work" compares them.
 */
export async function committeesWithTimedWork(
  em: EntityManager,
  committees: { id: string; config: unknown }[],
  now: Date,
  reminderDaysOf: (config: unknown) => number,
): Promise<string[]> {
  const day = 24 * 3600_000;
  const rows = await em.execute<{ id: string }[]>(
    'select id from app_committees_with_timed_work(?::jsonb, ?, ?, ?) as id',
    [
      JSON.stringify(committees.map((c) => ({ id: c.id, horizon: new Date(now.getTime() + reminderDaysOf(c.config) * day).toISOString() }))),
      new Date(now.getTime() - OVERDUE_LOOKBACK_MS),
      now,
      new Date(now.getTime() + OPENING_NOTICE_MS),
    ],
  );
  return rows.map((r) => r.id);
}

/**
 * Everyone with a deadline the committee's sweep finds between `since` and `horizon`, one row per person
 * and item, read as the committee (both walls on):
 * - a suggestion assigned to a unit, a proposal's reply: each active account of the unit that must answer;
 * - a joint invitation (kind INVITATION, still PENDING) with a `respondBy`: the invited committee's office;
 * - a joint research project the committee accepted and has not yet submitted its contribution to, while
 *   contributions are open (IN_PROGRESS, REPORTING), due by the project's end date: the committee's team for
 *   the project and its office.
 */
export async function deadlinesBetween(ctx: CommitteeContext, since: Date, horizon: Date): Promise<DueRow[]> {
  const t = ctx.tenant.id;
  const rows = await ctx.em.execute<DueRow[]>(
    `select 'ConsultationSuggestion' as item_type, s.id, a.id as user_id, s.deadline, to_char(s.deadline at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day, t.title || '：建议' || s.number as label
       from consultation_suggestion s join consultation_topic t on t.id = s.topic_id
       join app_user a on a.unit_id = s.unit_id and a.role = 'DEPARTMENT' and a.disabled_at is null
      where s.tenant_id = ? and s.status = 'ASSIGNED' and s.feedback_at is null
        and s.deadline > ? and s.deadline <= ?
     union all
     select 'Proposal', p.id, a.id, p.reply_deadline, to_char(p.reply_deadline at time zone 'Asia/Shanghai', 'YYYY-MM-DD'), p.title
       from proposal p join app_user a on a.unit_id = p.lead_unit_id and a.role = 'DEPARTMENT' and a.disabled_at is null
      where p.tenant_id = ? and p.status = 'ASSIGNED'
        and p.reply_deadline > ? and p.reply_deadline <= ?
     union all
     select 'JointParticipant', p.id, staff.id, ${END_OF_DAY('p.respond_by')}, p.respond_by::text, p.title
       from joint_participant p cross join lateral (${STAFF_OF('p.tenant_id')}) staff
      where p.tenant_id = ? and p.kind = 'INVITATION' and p.status = 'PENDING' and p.respond_by is not null
        and ${END_OF_DAY('p.respond_by')} > ? and ${END_OF_DAY('p.respond_by')} <= ?
     union all
     select 'ResearchProject', r.id, who.id, ${END_OF_DAY('r.end_date')}, r.end_date::text, r.title
       from research_project r
       join joint_participant jp on jp.item_type = 'ResearchProject' and jp.item_id = r.id and jp.tenant_id = ? and jp.status = 'ACCEPTED'
       cross join lateral (
         select m.user_id as id from research_team_member m join app_user u on u.id = m.user_id and u.disabled_at is null
          where m.project_id = r.id and m.tenant_id = jp.tenant_id
         union ${STAFF_OF('jp.tenant_id')}
       ) who
      where r.status in ('IN_PROGRESS', 'REPORTING')
        and not exists (select 1 from research_contribution c where c.project_id = r.id and c.tenant_id = jp.tenant_id and c.status = 'SUBMITTED')
        and ${END_OF_DAY('r.end_date')} > ? and ${END_OF_DAY('r.end_date')} <= ?
     order by 1, 2, 3`,
    [t, since, horizon, t, since, horizon, t, since, horizon, t, since, horizon],
  );
  // Raw rows carry timestamps as text.
  return rows.map((r) => ({ ...r, deadline: new Date(r.deadline) }));
}

const NEAR_TEXT: Record<DueRow['item_type'], (r: DueRow) => { title: string; body: string }> = {
  ConsultationSuggestion: (r) => ({ title: `即将到期：${r.label}`, body: `请于 ${r.day} 前答复。` }),
  Proposal: (r) => ({ title: `即将到期：${r.label}`, body: `请于 ${r.day} 前答复。` }),
  JointParticipant: (r) => ({ title: `联动邀请待答复：${r.label}`, body: `请于 ${r.day} 前答复是否参与。` }),
  ResearchProject: (r) => ({ title: `子课题报告即将截止：${r.label}`, body: `本单位尚未提交子课题报告，课题结束日期为 ${r.day}。` }),
};
const OVERDUE_TEXT: Record<DueRow['item_type'], (r: DueRow) => { title: string; body: string }> = {
  ConsultationSuggestion: (r) => ({ title: `已逾期：${r.label}`, body: `办理期限 ${r.day} 已过，请尽快答复。` }),
  Proposal: (r) => ({ title: `已逾期：${r.label}`, body: `办理期限 ${r.day} 已过，请尽快答复。` }),
  JointParticipant: (r) => ({ title: `联动邀请逾期未答复：${r.label}`, body: `答复期限 ${r.day} 已过，请尽快答复是否参与。` }),
  ResearchProject: (r) => ({ title: `子课题报告已逾期：${r.label}`, body: `课题结束日期 ${r.day} 已过，本单位尚未提交子课题报告。` }),
};

/** The reminder (before the deadline) or the overdue notice (after it) for one row; the key makes each once per deadline. */
export function deadlineNotice(tenantId: string, r: DueRow, now: Date): NotificationRequest {
  const deadline = new Date(r.deadline);
  const overdue = deadline.getTime() <= now.getTime();
  const { title, body } = (overdue ? OVERDUE_TEXT : NEAR_TEXT)[r.item_type](r);
  return {
    userId: r.user_id,
    tenantId,
    kind: overdue ? NotificationKind.OVERDUE : NotificationKind.DEADLINE_NEAR,
    itemType: r.item_type,
    itemId: r.id,
    title,
    body,
    dedupeKey: `${overdue ? 'overdue' : 'near'}:${r.item_type}:${r.id}:${deadline.toISOString()}`,
  };
}

/** "HH:MM" China time. */
/** The time of day in China, HH:MM. */
const chinaClock = (d: Date) => chinaMinute(d).slice(11);

/**
 * Deliberation sessions and meetings starting within the next 30 minutes, one row per person to tell:
 * a session still SCHEDULED that the committee hosts or takes part in, to its office, leadership and
 * serving members (who may join); a meeting, to each of the committee's invitees who confirmed or has not
 * answered yet (not those on leave or asking for it).
 */
export async function openingsBetween(ctx: CommitteeContext, now: Date, until: Date): Promise<OpeningRow[]> {
  const t = ctx.tenant.id;
  const rows = await ctx.em.execute<OpeningRow[]>(
    `select 'DeliberationSession' as item_type, s.id, who.id as user_id, s.starts_at, s.title as label, null as place
       from deliberation_session s cross join lateral (
         select a.id from app_user a where a.tenant_id = ? and a.role in ('STAFF', 'LEADER') and a.disabled_at is null
         union select ms.user_id from member_seat ms join app_user u on u.id = ms.user_id and u.disabled_at is null where ms.tenant_id = ? and ms.status = 'ACTIVE'
       ) who
      where s.participant_ids @> array[?]::uuid[] and s.status = 'SCHEDULED' and s.starts_at > ? and s.starts_at <= ?
     union all
     select 'Meeting', m.id, a.user_id, m.starts_at, m.title, v.location
       from meeting_attendance a join meeting m on m.id = a.meeting_id join meeting_venue v on v.id = a.venue_id
      where a.tenant_id = ? and a.status in ('INVITED', 'CONFIRMED') and m.starts_at > ? and m.starts_at <= ?
     order by 1, 2, 3`,
    [t, t, t, now, until, t, now, until],
  );
  return rows.map((r) => ({ ...r, starts_at: new Date(r.starts_at) }));
}

export function openingNotice(tenantId: string, r: OpeningRow): NotificationRequest {
  const at = new Date(r.starts_at);
  const title = r.item_type === 'Meeting' ? `会议即将开始：${r.label}` : `网络议政会即将开始：${r.label}`;
  const body = r.item_type === 'Meeting' ? `将于 ${chinaClock(at)}（北京时间）在${r.place}开始。` : `将于 ${chinaClock(at)}（北京时间）开始，请准时加入。`;
  return { userId: r.user_id, tenantId, kind: NotificationKind.OPENING_SOON, itemType: r.item_type, itemId: r.id, title, body, dedupeKey: `opening:${r.item_type}:${r.id}:${at.toISOString()}` };
}
