/** Lifecycle of a joint research project: the only moves allowed (anything else is INVALID_TRANSITION). */
export enum ResearchStatus {
  DRAFT = 'DRAFT',
  INVITING = 'INVITING',
  IN_PROGRESS = 'IN_PROGRESS',
  REPORTING = 'REPORTING',
  SUBMITTED = 'SUBMITTED',
  CLOSED = 'CLOSED',
  CANCELLED = 'CANCELLED',
}

const S = ResearchStatus;
export const RESEARCH_TRANSITIONS: Record<ResearchStatus, readonly ResearchStatus[]> = {
  DRAFT: [S.INVITING, S.CANCELLED],
  INVITING: [S.IN_PROGRESS, S.CANCELLED],
  IN_PROGRESS: [S.REPORTING, S.CANCELLED],
  REPORTING: [S.SUBMITTED, S.CANCELLED],
  SUBMITTED: [S.CLOSED],
  CLOSED: [],
  CANCELLED: [],
};

export const canMoveResearch = (from: ResearchStatus, to: ResearchStatus) => RESEARCH_TRANSITIONS[from].includes(to);

/** A project's state as people read it in a message. */
export const RESEARCH_STATUS_ZH: Record<ResearchStatus, string> = {
  DRAFT: '起草', INVITING: '邀请参与', IN_PROGRESS: '调研中', REPORTING: '形成报告', SUBMITTED: '已报送', CLOSED: '已办结', CANCELLED: '已取消',
};
export const researchStatusZh = (s: ResearchStatus) => `“${RESEARCH_STATUS_ZH[s]}”`;

/** Where invitations may be sent and answered. */
export const RESEARCH_OPEN_FOR_PARTICIPANTS: readonly ResearchStatus[] = [S.INVITING, S.IN_PROGRESS];
/** Where teams and contributions may still change. */
export const RESEARCH_WORKING: readonly ResearchStatus[] = [S.INVITING, S.IN_PROGRESS, S.REPORTING];
