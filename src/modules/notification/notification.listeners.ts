import type { Context } from '../../core/context.js';
import type { DomainEvents } from '../../core/events.js';
import { chinaDate, chinaMinute } from '../../core/clock.js';
import { Role, User } from '../../core/identity/user.entity.js';
import { NotificationKind } from './notification.entity.js';
import { notifyAudienceLater, notifyLater } from './notification.service.js';

/** A proposal filed: each proposer whose act it was is told (their archive records it too). */
export async function onDutyAct(ctx: Context, act: DomainEvents['duty.act']): Promise<void> {
  if (act.kind !== 'PROPOSAL_FILED') return;
  const kind = NotificationKind.PROPOSAL_FILED;
  await notifyLater(ctx, {
    userId: act.userId,
    tenantId: act.tenantId,
    kind,
    itemType: act.sourceType,
    itemId: act.sourceId,
    title: `提案已立案：${act.title}`,
    dedupeKey: `${kind}:${act.sourceType}:${act.sourceId}:${act.occurredAt.toISOString()}`,
  });
}

/** A report adopted at a level (采用): its author, about the report (a level is no item of its own). */
export async function onOpinionAdopted(ctx: Context, e: DomainEvents['opinion.adopted']): Promise<void> {
  if (e.authorId === e.byUserId) return;
  await notifyLater(ctx, {
    userId: e.authorId,
    tenantId: e.tenantId,
    kind: NotificationKind.ADOPTED,
    itemType: 'Opinion',
    itemId: e.opinionId,
    title: `社情民意信息被采用：${e.title}`,
    body: `${e.byTenantName}政协采用。`,
    dedupeKey: `${NotificationKind.ADOPTED}:OpinionLevel:${e.levelId}`,
  });
}

/** A suggestion assigned to a handling unit (交办): each active account of the unit is told. */
export async function onSuggestionAssigned(ctx: Context, e: DomainEvents['suggestion.assigned']): Promise<void> {
  const date = chinaDate(e.deadline);
  const accounts = await ctx.em.find(User, { tenantId: e.tenantId, unitId: e.unitId, role: Role.DEPARTMENT, disabledAt: null }, { fields: ['id'], orderBy: { id: 'asc' } });
  for (const a of accounts) {
    await notifyLater(ctx, {
      userId: a.id,
      tenantId: e.tenantId,
      kind: NotificationKind.ASSIGNED,
      itemType: 'ConsultationSuggestion',
      itemId: e.suggestionId,
      title: `交办建议：${e.title}`,
      body: `请于 ${date} 前反馈办理结果。`,
      dedupeKey: `assigned:ConsultationSuggestion:${e.suggestionId}:${e.deadline.toISOString()}`,
    });
  }
}

const JOINT_WORK_ZH = { ResearchProject: '联合调研', ConsultationTopic: '联动协商' } as const;
const OUTCOME_ZH: Record<string, string> = { ADOPTED: '采纳', PARTLY_ADOPTED: '部分采纳', NOT_ADOPTED: '未采纳' };

/** An invitation to joint work (联动邀请): the invited committee's office is told; the item is their invitation. */
export async function onJointInvited(ctx: Context, e: DomainEvents['joint.invited']): Promise<void> {
  await notifyAudienceLater(ctx, {
    tenantId: e.tenantId,
    audience: { roles: [Role.STAFF] },
    kind: NotificationKind.INVITATION_RECEIVED,
    itemType: 'JointParticipant',
    itemId: e.participantId,
    title: `收到联动邀请：${e.title}`,
    body: `${e.inviterName}政协邀请本会参与${JOINT_WORK_ZH[e.itemType]}${e.respondBy ? `，请于 ${e.respondBy} 前答复` : ''}。`,
    dedupeKey: `invited:JointParticipant:${e.participantId}`,
  });
}

/** An invitation answered: the inviting committee's office is told, about its own item. */
export async function onJointAnswered(ctx: Context, e: DomainEvents['joint.answered']): Promise<void> {
  await notifyAudienceLater(ctx, {
    tenantId: e.ownerTenantId,
    audience: { roles: [Role.STAFF] },
    kind: NotificationKind.INVITATION_ANSWERED,
    itemType: e.itemType,
    itemId: e.itemId,
    title: `${e.accepted ? '邀请已接受' : '邀请已谢绝'}：${e.title}`,
    body: e.accepted ? `${e.tenantName}政协接受了邀请。` : `${e.tenantName}政协谢绝了邀请：${e.reason ?? ''}`,
    dedupeKey: `answered:JointParticipant:${e.participantId}`,
  });
}

/** A proposal assigned (交办): the accounts of the lead unit and of each co-unit. */
export async function onProposalAssigned(ctx: Context, e: DomainEvents['proposal.assigned']): Promise<void> {
  await notifyAudienceLater(ctx, {
    tenantId: e.tenantId,
    audience: { roles: [Role.DEPARTMENT], unitIds: [e.leadUnitId, ...e.coUnitIds] },
    kind: NotificationKind.ASSIGNED,
    itemType: 'Proposal',
    itemId: e.proposalId,
    title: `交办提案：${e.title}`,
    body: `请于 ${chinaDate(e.deadline)} 前答复。`,
    dedupeKey: `assigned:Proposal:${e.proposalId}:${e.deadline.toISOString()}`,
  });
}

/** A micro-suggestion forwarded to a unit (转交): the unit's accounts. */
export async function onMicroForwarded(ctx: Context, e: DomainEvents['micro.forwarded']): Promise<void> {
  await notifyAudienceLater(ctx, {
    tenantId: e.tenantId,
    audience: { roles: [Role.DEPARTMENT], unitIds: [e.unitId] },
    kind: NotificationKind.ASSIGNED,
    itemType: 'MicroSuggestion',
    itemId: e.microId,
    title: `转交${e.title}`,
    body: '请答复。',
    dedupeKey: `assigned:MicroSuggestion:${e.microId}`,
  });
}

/** A supervision task given to its owner unit (督办): the unit's accounts. */
export async function onSupervisionOpened(ctx: Context, e: DomainEvents['supervision.opened']): Promise<void> {
  await notifyAudienceLater(ctx, {
    tenantId: e.tenantId,
    audience: { roles: [Role.DEPARTMENT], unitIds: [e.unitId] },
    kind: NotificationKind.ASSIGNED,
    itemType: 'SupervisionTask',
    itemId: e.taskId,
    title: `督办任务：${e.title}`,
    body: `请于 ${chinaDate(e.deadline)} 前办结。`,
    dedupeKey: `assigned:SupervisionTask:${e.taskId}`,
  });
}

/** A proposal's reply (答复): each proposer, unless they entered it themselves. */
export async function onProposalReplied(ctx: Context, e: DomainEvents['proposal.replied']): Promise<void> {
  for (const userId of new Set(e.proposerIds)) {
    if (userId === e.byUserId) continue;
    await notifyLater(ctx, {
      userId,
      tenantId: e.tenantId,
      kind: NotificationKind.REPLY_RECEIVED,
      itemType: 'Proposal',
      itemId: e.proposalId,
      title: `提案答复：${e.title}`,
      body: `${e.unitName}已答复，请评价办理结果。`,
      dedupeKey: `replied:Proposal:${e.proposalId}:${e.at.toISOString()}`,
    });
  }
}

/** A suggestion's feedback (办理反馈): the office of the committee whose topic it is, but not whoever entered it. */
export async function onSuggestionFeedback(ctx: Context, e: DomainEvents['suggestion.feedback']): Promise<void> {
  await notifyAudienceLater(ctx, {
    tenantId: e.tenantId,
    audience: { roles: [Role.STAFF], exceptUserIds: [e.byUserId] },
    kind: NotificationKind.REPLY_RECEIVED,
    itemType: 'ConsultationSuggestion',
    itemId: e.suggestionId,
    title: `建议反馈：${e.title}`,
    body: `${e.unitName}反馈办理结果：${OUTCOME_ZH[e.outcome] ?? e.outcome}。`,
    dedupeKey: `replied:ConsultationSuggestion:${e.suggestionId}:${e.at.toISOString()}`,
  });
}

/** A micro-suggestion answered by its unit: its author. */
export async function onMicroReplied(ctx: Context, e: DomainEvents['micro.replied']): Promise<void> {
  await notifyLater(ctx, {
    userId: e.authorId,
    tenantId: e.tenantId,
    kind: NotificationKind.REPLY_RECEIVED,
    itemType: 'MicroSuggestion',
    itemId: e.microId,
    title: `收到答复：${e.title}`,
    dedupeKey: `replied:MicroSuggestion:${e.microId}`,
  });
}

/** A report forwarded up a level (上报): the receiving committee's office. */
export async function onOpinionForwarded(ctx: Context, e: DomainEvents['opinion.forwarded']): Promise<void> {
  await notifyAudienceLater(ctx, {
    tenantId: e.toTenantId,
    audience: { roles: [Role.STAFF] },
    kind: NotificationKind.REPORT_FORWARDED,
    itemType: 'Opinion',
    itemId: e.opinionId,
    title: `收到上报信息：${e.title}`,
    body: `${e.fromName}政协报送的社情民意信息。`,
    dedupeKey: `forwarded:Opinion:${e.opinionId}:${e.toTenantId}`,
  });
}

/** A leader's instruction on a report (批示): its author and the office of the committee it came from. */
export async function onOpinionInstructed(ctx: Context, e: DomainEvents['opinion.instructed']): Promise<void> {
  const n = {
    tenantId: e.tenantId,
    kind: NotificationKind.INSTRUCTED,
    itemType: 'Opinion',
    itemId: e.opinionId,
    title: `领导批示：${e.title}`,
    body: `${e.byTenantName}政协记录了${e.by ?? '领导'}的批示。`,
    dedupeKey: `instructed:Opinion:${e.opinionId}:${e.at.toISOString()}`,
  };
  if (e.authorId && e.authorId !== e.byUserId) await notifyLater(ctx, { ...n, userId: e.authorId });
  await notifyAudienceLater(ctx, { ...n, audience: { roles: [Role.STAFF], exceptUserIds: [e.byUserId, ...(e.authorId ? [e.authorId] : [])] } });
}

/** A leader's instruction on a research report: the team (each for the committee they serve on it) and the lead's office. */
export async function onResearchInstructed(ctx: Context, e: DomainEvents['research.instructed']): Promise<void> {
  const n = {
    kind: NotificationKind.INSTRUCTED,
    itemType: 'ResearchProject',
    itemId: e.projectId,
    title: `领导批示：${e.title}`,
    body: `调研成果获${e.by ?? '领导'}批示。`,
    dedupeKey: `instructed:ResearchOutcome:${e.outcomeId}`,
  };
  const byCommittee = new Map<string, string[]>();
  for (const m of e.team) byCommittee.set(m.tenantId, [...(byCommittee.get(m.tenantId) ?? []), m.userId]);
  if (!byCommittee.has(e.tenantId)) byCommittee.set(e.tenantId, []);
  for (const [tenantId, userIds] of [...byCommittee].sort(([a], [b]) => a.localeCompare(b))) {
    const roles = tenantId === e.tenantId ? [Role.STAFF] : [];
    await notifyAudienceLater(ctx, { ...n, tenantId, audience: { userIds, roles, exceptUserIds: [e.byUserId] } });
  }
}

/** A proposal not filed (不予立案) or converted to an opinion letter: each proposer, with the reason. */
export async function onProposalNotFiled(ctx: Context, e: DomainEvents['proposal.not-filed']): Promise<void> {
  for (const userId of new Set(e.proposerIds)) {
    await notifyLater(ctx, {
      userId,
      tenantId: e.tenantId,
      kind: NotificationKind.PROPOSAL_NOT_FILED,
      itemType: 'Proposal',
      itemId: e.proposalId,
      title: `${e.converted ? '提案转为意见函' : '提案不予立案'}：${e.title}`,
      body: e.note ?? '',
      dedupeKey: `not-filed:Proposal:${e.proposalId}:${e.at.toISOString()}`,
    });
  }
}

/**
 * A deliberation session scheduled (网络议政): the members holding seats on the host and on every
 * participating committee, and each participant's office (the host's office scheduled it).
 */
export async function onSessionScheduled(ctx: Context, e: DomainEvents['deliberation.scheduled']): Promise<void> {
  for (const tenantId of [e.tenantId, ...e.participantIds]) {
    await notifyAudienceLater(ctx, {
      tenantId,
      audience: { members: true, roles: tenantId === e.tenantId ? [] : [Role.STAFF], exceptUserIds: [e.byUserId] },
      kind: NotificationKind.SESSION_SCHEDULED,
      itemType: 'DeliberationSession',
      itemId: e.sessionId,
      title: `网络议政：${e.title}`,
      body: `${e.hostName}政协定于 ${chinaMinute(e.startsAt)}（北京时间）举行。`,
      dedupeKey: `scheduled:DeliberationSession:${e.sessionId}`,
    });
  }
}

/** A meeting's one-click notice (一键通知): every member it reached finds it in the inbox too. */
export async function onMeetingNoticed(ctx: Context, e: DomainEvents['meeting.noticed']): Promise<void> {
  for (const n of e.notices) {
    await notifyLater(ctx, {
      userId: n.userId,
      tenantId: e.tenantId,
      kind: NotificationKind.MEETING_NOTICE,
      itemType: 'Meeting',
      itemId: e.meetingId,
      title: `会议通知：${e.title}`,
      body: e.body,
      dedupeKey: `notice:MeetingNotice:${n.noticeId}`,
    });
  }
}

/** The floor given (安排发言): the member whose raised hand it was. */
export async function onFloorGranted(ctx: Context, e: DomainEvents['deliberation.floor-granted']): Promise<void> {
  await notifyLater(ctx, {
    userId: e.userId,
    tenantId: e.tenantId,
    kind: NotificationKind.FLOOR_GRANTED,
    itemType: 'DeliberationSession',
    itemId: e.sessionId,
    title: `请发言：${e.title}`,
    body: '主持人已安排您发言。',
    dedupeKey: `floor:DeliberationEvent:${e.eventId}`,
  });
}

/** A meeting cancelled (会议取消): each invitee of the venue is told, whatever they had answered. */
export async function onMeetingCancelled(ctx: { em: Context['em'] }, e: DomainEvents['meeting.cancelled']): Promise<void> {
  for (const i of e.invitees) {
    await notifyLater(ctx, {
      userId: i.userId,
      tenantId: e.tenantId,
      kind: NotificationKind.MEETING_CANCELLED,
      itemType: 'Meeting',
      itemId: e.meetingId,
      title: `会议取消：${e.title}`,
      body: `原定 ${chinaMinute(e.startsAt)}（北京时间）在${e.location}召开的“${e.title}”已取消。取消原因：${e.reason}`,
      dedupeKey: `meeting-cancelled:Meeting:${e.meetingId}`,
    });
  }
}

/** A meeting moved (会议改期): each invitee of the venue is told the new time; their answer stands. */
export async function onMeetingRescheduled(ctx: { em: Context['em'] }, e: DomainEvents['meeting.rescheduled']): Promise<void> {
  for (const i of e.invitees) {
    await notifyLater(ctx, {
      userId: i.userId,
      tenantId: e.tenantId,
      kind: NotificationKind.MEETING_RESCHEDULED,
      itemType: 'Meeting',
      itemId: e.meetingId,
      title: `会议改期：${e.title}`,
      body: `“${e.title}”由 ${chinaMinute(e.previousStartsAt)} 改为 ${chinaMinute(e.startsAt)}（北京时间）在${e.location}召开。已确认参会的仍然有效，不能参加的请在会前请假。`,
      dedupeKey: `meeting-rescheduled:Meeting:${e.meetingId}:${e.startsAt.toISOString()}`,
    });
  }
}
