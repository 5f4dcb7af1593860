import { AttendanceStatus as S } from './meeting.entities.js';

/** What may follow each attendance status. Check-in is open to anyone not on approved leave. */
const NEXT: Record<S, readonly S[]> = {
  [S.INVITED]: [S.CONFIRMED, S.LEAVE_REQUESTED, S.CHECKED_IN],
  [S.CONFIRMED]: [S.LEAVE_REQUESTED, S.CHECKED_IN],
  [S.LEAVE_REQUESTED]: [S.ON_LEAVE, S.CONFIRMED, S.CHECKED_IN],
  [S.ON_LEAVE]: [],
  [S.CHECKED_IN]: [],
};

export const canMove = (from: S, to: S): boolean => NEXT[from].includes(to);

/** Counts by status as the venue shows them. */
export function venueFigures(statuses: readonly S[]) {
  const n = (s: S) => statuses.filter((x) => x === s).length;
  return { invited: statuses.length, confirmed: n(S.CONFIRMED), leaveRequested: n(S.LEAVE_REQUESTED), onLeave: n(S.ON_LEAVE), present: n(S.CHECKED_IN) };
}
