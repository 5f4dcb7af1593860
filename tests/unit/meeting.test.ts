import { describe, expect, it } from 'vitest';
import { AttendanceStatus as S } from '../../src/modules/meeting/meeting.entities.js';
import { canMove, venueFigures } from '../../src/modules/meeting/meeting.state.js';
import { CHECKIN_CODE_TTL_SECONDS, claimedVenue, newCheckinSecret, signCheckinCode, verifyCheckinCode } from '../../src/modules/meeting/meeting.checkin.js';

describe('attendance states', () => {
  it('moves only along the table: leave is decided once, presence and approved leave are final', () => {
    const all = Object.values(S);
    const allowed = all.flatMap((from) => all.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`));
    expect(allowed).toEqual([
      'INVITED→CONFIRMED',
      'INVITED→LEAVE_REQUESTED',
      'INVITED→CHECKED_IN',
      'CONFIRMED→LEAVE_REQUESTED',
      'CONFIRMED→CHECKED_IN',
      'LEAVE_REQUESTED→CONFIRMED',
      'LEAVE_REQUESTED→ON_LEAVE',
      'LEAVE_REQUESTED→CHECKED_IN',
    ]);
  });

  it('counts a venue by status', () => {
    expect(venueFigures([S.INVITED, S.CONFIRMED, S.CHECKED_IN, S.CHECKED_IN, S.ON_LEAVE, S.LEAVE_REQUESTED])).toEqual({ invited: 6, confirmed: 1, leaveRequested: 1, onLeave: 1, present: 2 });
    expect(venueFigures([])).toEqual({ invited: 0, confirmed: 0, leaveRequested: 0, onLeave: 0, present: 0 });
  });
});

describe('check-in codes', () => {
  const [meeting, venue, other] = ['0193c4a0-0000-7000-8000-000000000001', '0193c4a0-0000-7000-8000-000000000002', '0193c4a0-0000-7000-8000-000000000003'];
  const now = new Date('2026-03-10T00:30:00Z');

  it('hold for their venue and meeting until they expire, and nowhere else', async () => {
    const secret = newCheckinSecret();
    const { code, expiresAt } = await signCheckinCode(secret, meeting, venue, now);
    expect(expiresAt.getTime() - now.getTime()).toBe(CHECKIN_CODE_TTL_SECONDS * 1000);
    expect(claimedVenue(code)).toBe(venue);
    const later = (s: number) => new Date(now.getTime() + s * 1000);
    expect({
      fresh: await verifyCheckinCode(secret, code, meeting, venue, later(CHECKIN_CODE_TTL_SECONDS - 1)),
      expired: await verifyCheckinCode(secret, code, meeting, venue, later(CHECKIN_CODE_TTL_SECONDS + 1)),
      otherSecret: await verifyCheckinCode(newCheckinSecret(), code, meeting, venue, now),
      otherVenue: await verifyCheckinCode(secret, code, meeting, other, now),
      otherMeeting: await verifyCheckinCode(secret, code, other, venue, now),
      garbage: await verifyCheckinCode(secret, 'a.b.c', meeting, venue, now),
    }).toEqual({ fresh: 'OK', expired: 'EXPIRED', otherSecret: 'INVALID', otherVenue: 'INVALID', otherMeeting: 'INVALID', garbage: 'INVALID' });
    expect(claimedVenue('not a jwt')).toBeNull();
  });
});
