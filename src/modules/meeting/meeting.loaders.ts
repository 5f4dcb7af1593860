import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader, groupLoader } from '../../core/loader-kit.js';
import { Meeting, MeetingAttendance, MeetingVenue } from './meeting.entities.js';

export function createMeetingLoaders(em: EntityManager) {
  return {
    meetingById: byIdLoader(em, Meeting),
    venueById: byIdLoader(em, MeetingVenue),
    venuesByMeeting: groupLoader(em, MeetingVenue, 'meetingId', { createdAt: 'asc', id: 'asc' }),
    attendancesByVenue: groupLoader(em, MeetingAttendance, 'venueId', { id: 'asc' }),
  };
}

declare module '../../core/loaders.js' {
  interface Loaders {
    meeting: ReturnType<typeof createMeetingLoaders>;
  }
}
