/** The closed loop of a consultation topic (闭环): one stage at a time, in this order. */
export enum TopicStage {
  SELECT = 'SELECT',
  RESEARCH = 'RESEARCH',
  CONSULT = 'CONSULT',
  ASSIGN = 'ASSIGN',
  IMPLEMENT = 'IMPLEMENT',
  FEEDBACK = 'FEEDBACK',
  TRACK = 'TRACK',
  CLOSED = 'CLOSED',
}
export const TOPIC_STAGES: readonly TopicStage[] = Object.values(TopicStage);

export const nextStage = (s: TopicStage): TopicStage | null => TOPIC_STAGES[TOPIC_STAGES.indexOf(s) + 1] ?? null;
export const canMoveTopic = (from: TopicStage, to: TopicStage) => nextStage(from) === to;

/** A stage as people read it in a message. */
export const TOPIC_STAGE_ZH: Record<TopicStage, string> = {
  SELECT: '选题', RESEARCH: '调研', CONSULT: '协商', ASSIGN: '交办', IMPLEMENT: '落实', FEEDBACK: '反馈', TRACK: '跟踪', CLOSED: '办结',
};
export const topicStageZh = (s: TopicStage) => `“${TOPIC_STAGE_ZH[s]}”`;

/** Stages in which the consultation may still add numbered suggestions. */
export const SUGGESTION_OPEN: readonly TopicStage[] = [TopicStage.CONSULT, TopicStage.ASSIGN];
/** Stages in which suggestions may be assigned to handling departments (交办). */
export const ASSIGN_OPEN: readonly TopicStage[] = [TopicStage.ASSIGN, TopicStage.IMPLEMENT];

/** A suggestion's stored status; OVERDUE is derived from the deadline and the clock. */
export enum SuggestionStatus {
  DRAFT = 'DRAFT',
  ASSIGNED = 'ASSIGNED',
  OVERDUE = 'OVERDUE',
  ADOPTED = 'ADOPTED',
  PARTLY_ADOPTED = 'PARTLY_ADOPTED',
  NOT_ADOPTED = 'NOT_ADOPTED',
}
export const OUTCOMES = [SuggestionStatus.ADOPTED, SuggestionStatus.PARTLY_ADOPTED, SuggestionStatus.NOT_ADOPTED] as const;

export function effectiveStatus(stored: SuggestionStatus, deadline: Date | null | undefined, now: Date): SuggestionStatus {
  return stored === SuggestionStatus.ASSIGNED && deadline && deadline.getTime() < now.getTime() ? SuggestionStatus.OVERDUE : stored;
}

/** Default feedback deadline: three calendar months after assignment (clamped to the month's last day). */
export function defaultDeadline(assignedAt: Date): Date {
  const d = new Date(assignedAt);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + 3);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}
