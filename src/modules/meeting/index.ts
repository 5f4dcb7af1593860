import type { ModuleManifest } from '../../core/module.js';
import { Meeting, MeetingAttendance, MeetingNotice, MeetingVenue } from './meeting.entities.js';
import { MeetingAttendanceResolver, MeetingNoticeResolver, MeetingResolver, MeetingVenueResolver } from './meeting.resolver.js';
import { createMeetingLoaders } from './meeting.loaders.js';
import * as meetings from './meeting.service.js';
import { ANNOUNCE_TASK, announceChangeTask } from './meeting.changes.js';

/** Meetings and activities (会议活动): invitations, notices, leave, check-in, cancellation and moves; attendance goes to the archive. */
export const meetingModule: ModuleManifest = {
  name: 'meeting',
  entities: [Meeting, MeetingVenue, MeetingAttendance, MeetingNotice],
  resolvers: [MeetingResolver, MeetingVenueResolver, MeetingAttendanceResolver, MeetingNoticeResolver],
  loaders: { meeting: createMeetingLoaders },
  nodes: {
    Meeting: { one: (ctx, id) => meetings.readableMeeting(ctx, id), many: (ctx, ids) => meetings.readableMeetings(ctx, ids) },
    MeetingVenue: (ctx, id) => meetings.readableVenue(ctx, id),
    MeetingAttendance: (ctx, id) => meetings.readableAttendance(ctx, id),
    MeetingNotice: (ctx, id) => meetings.readableNotice(ctx, id),
  },
  jobs: { tasks: { [ANNOUNCE_TASK]: announceChangeTask } },
};
