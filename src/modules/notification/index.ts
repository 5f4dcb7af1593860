import type { ModuleManifest } from '../../core/module.js';
import { listener } from '../../core/events.js';
import type { Context } from '../../core/context.js';
import { Notification, NotificationPreference } from './notification.entity.js';
import { NotificationResolver } from './notification.resolver.js';
import { notificationTasks } from './notification.jobs.js';
import * as listeners from './notification.listeners.js';

/** Inboxes (站内通知), reminders and deadlines swept on a schedule, e-mail and SMS through an outbox. */
export const notificationModule: ModuleManifest = {
  name: 'notification',
  entities: [Notification, NotificationPreference],
  resolvers: [NotificationResolver],
  nodes: {
    Notification: (ctx, id) => ctx.em.findOne(Notification, { id, tenantId: ctx.tenant.id, userId: ctx.viewer.user.id }),
  },
  listeners: [
    listener<Context, 'duty.act'>({ id: 'notification.duty-act', event: 'duty.act', handle: listeners.onDutyAct }),
    listener<Context, 'suggestion.assigned'>({ id: 'notification.suggestion-assigned', event: 'suggestion.assigned', handle: listeners.onSuggestionAssigned }),
    listener<Context, 'joint.invited'>({ id: 'notification.joint-invited', event: 'joint.invited', handle: listeners.onJointInvited }),
    listener<Context, 'joint.answered'>({ id: 'notification.joint-answered', event: 'joint.answered', handle: listeners.onJointAnswered }),
    listener<Context, 'proposal.assigned'>({ id: 'notification.proposal-assigned', event: 'proposal.assigned', handle: listeners.onProposalAssigned }),
    listener<Context, 'micro.forwarded'>({ id: 'notification.micro-forwarded', event: 'micro.forwarded', handle: listeners.onMicroForwarded }),
    listener<Context, 'supervision.opened'>({ id: 'notification.supervision-opened', event: 'supervision.opened', handle: listeners.onSupervisionOpened }),
    listener<Context, 'proposal.replied'>({ id: 'notification.proposal-replied', event: 'proposal.replied', handle: listeners.onProposalReplied }),
    listener<Context, 'suggestion.feedback'>({ id: 'notification.suggestion-feedback', event: 'suggestion.feedback', handle: listeners.onSuggestionFeedback }),
    listener<Context, 'micro.replied'>({ id: 'notification.micro-replied', event: 'micro.replied', handle: listeners.onMicroReplied }),
    listener<Context, 'opinion.forwarded'>({ id: 'notification.opinion-forwarded', event: 'opinion.forwarded', handle: listeners.onOpinionForwarded }),
    listener<Context, 'opinion.adopted'>({ id: 'notification.opinion-adopted', event: 'opinion.adopted', handle: listeners.onOpinionAdopted }),
    listener<Context, 'opinion.instructed'>({ id: 'notification.opinion-instructed', event: 'opinion.instructed', handle: listeners.onOpinionInstructed }),
    listener<Context, 'research.instructed'>({ id: 'notification.research-instructed', event: 'research.instructed', handle: listeners.onResearchInstructed }),
    listener<Context, 'proposal.not-filed'>({ id: 'notification.proposal-not-filed', event: 'proposal.not-filed', handle: listeners.onProposalNotFiled }),
    listener<Context, 'deliberation.scheduled'>({ id: 'notification.session-scheduled', event: 'deliberation.scheduled', handle: listeners.onSessionScheduled }),
    listener<Context, 'meeting.noticed'>({ id: 'notification.meeting-noticed', event: 'meeting.noticed', handle: listeners.onMeetingNoticed }),
    listener<Context, 'deliberation.floor-granted'>({ id: 'notification.floor-granted', event: 'deliberation.floor-granted', handle: listeners.onFloorGranted }),
    listener<Context, 'meeting.cancelled'>({ id: 'notification.meeting-cancelled', event: 'meeting.cancelled', handle: listeners.onMeetingCancelled }),
    listener<Context, 'meeting.rescheduled'>({ id: 'notification.meeting-rescheduled', event: 'meeting.rescheduled', handle: listeners.onMeetingRescheduled }),
  ],
  jobs: {
    tasks: notificationTasks,
    cron: [
      { id: 'notification.sweep', task: 'notification.sweep', schedule: '* * * * *' },
      // 08:00 Asia/Shanghai (every committee is on China time; the crontab is UTC).
      { id: 'notification.digest', task: 'notification.digest', schedule: '0 0 * * *' },
    ],
  },
};
