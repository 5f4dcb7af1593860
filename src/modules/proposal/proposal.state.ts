import { ProposalStatus } from './proposal.entity.js';

/** A proposal's status now: OVERDUE is derived from the stored ASSIGNED, the deadline and the clock. */
export function effectiveProposalStatus(p: { status: ProposalStatus; replyDeadline?: Date | null }, now: Date): ProposalStatus {
  return p.status === ProposalStatus.ASSIGNED && p.replyDeadline && p.replyDeadline.getTime() < now.getTime() ? ProposalStatus.OVERDUE : p.status;
}

/** First instant of a calendar year in China Standard Time (UTC+8), where the committees count their years. */
export const yearStart = (year: number) => new Date(Date.UTC(year, 0, 1) - 8 * 3600_000);

/** A keyword as an ILIKE pattern that matches it literally (PostgreSQL's default escape is the backslash). */
export const containing = (keyword: string) => `%${keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
