import type { Context } from '../../core/context.js';
import { paginate, type PageArgs } from '../../core/connection.js';
import { ResearchProject } from '../research/research.entities.js';
import { ResearchStatus } from '../research/research.state.js';
import { ConsultationSuggestion, ConsultationTopic } from '../topic/topic.entities.js';
import { SuggestionStatus, TopicStage } from '../topic/topic.state.js';
import { JointParticipant, ParticipationStatus } from '../joint/joint.entities.js';
import { DeadlineKind, type Deadline } from './joint-work.types.js';

const DONE_RESEARCH = [ResearchStatus.SUBMITTED, ResearchStatus.CLOSED, ResearchStatus.CANCELLED];

export function pendingInvitations(ctx: Context): Promise<JointParticipant[]> {
  return ctx.em.find(JointParticipant, { tenantId: ctx.tenant.id, status: ParticipationStatus.PENDING }, { orderBy: { id: 'asc' } });
}

/** Visible projects are exactly those led or joined (filter and RLS); keep the ones still running. */
export function openProjects(ctx: Context, page: PageArgs) {
  return paginate(ctx.em, ResearchProject, { status: { $nin: DONE_RESEARCH } }, page, ctx.config.maxPageSize);
}

export async function openTopics(ctx: Context, page: PageArgs) {
  const joined = await ctx.joint.items('MEMBER');
  return paginate(ctx.em, ConsultationTopic, { stage: { $ne: TopicStage.CLOSED }, $or: [{ tenantId: ctx.tenant.id }, { id: { $in: joined } }] }, page, ctx.config.maxPageSize);
}

export async function deadlines(ctx: Context, withinDays: number): Promise<Deadline[]> {
  const now = ctx.clock.now();
  const until = new Date(now.getTime() + withinDays * 86_400_000);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const [projects, invitations, suggestions] = await Promise.all([
    ctx.em.find(ResearchProject, { status: { $nin: DONE_RESEARCH }, endDate: { $gte: day(now), $lte: day(until) } }),
    ctx.em.find(JointParticipant, { tenantId: ctx.tenant.id, status: ParticipationStatus.PENDING, respondBy: { $gte: day(now), $lte: day(until) } }),
    ctx.em.find(ConsultationSuggestion, { tenantId: ctx.tenant.id, status: SuggestionStatus.ASSIGNED, deadline: { $gte: now, $lte: until } }),
  ]);
  const topics = new Map((await ctx.loaders.topic.topicById.loadMany([...new Set(suggestions.map((s) => s.topicId))])).filter((t): t is ConsultationTopic => t instanceof ConsultationTopic).map((t) => [t.id, t]));
  const list: Deadline[] = [
    ...projects.map((p) => ({ kind: DeadlineKind.RESEARCH_END, title: p.title, due: new Date(`${p.endDate}T00:00:00Z`), item: p })),
    ...invitations.map((i) => ({ kind: DeadlineKind.INVITATION_ANSWER, title: i.title, due: new Date(`${i.respondBy}T00:00:00Z`), item: i })),
    ...suggestions.map((s) => ({ kind: DeadlineKind.SUGGESTION_FEEDBACK, title: `${topics.get(s.topicId)?.title ?? ''} 建议${s.number}（${s.departmentUnit}）`, due: s.deadline!, item: s })),
  ];
  return list.sort((a, b) => a.due.getTime() - b.due.getTime() || a.title.localeCompare(b.title));
}
