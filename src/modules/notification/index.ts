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
    listener<Context, 'meeting.cancelled'>({ id: 'notification.meeting-cancelled', event: 'meeting.cancelled', handle: listeners.onMeetingCancelled }),
    listener<Context, 'meeting.rescheduled'>({ id: 'notification.meeting-rescheduled', event: 'meeting.rescheduled', handle: listeners.onMeetingRescheduled }),
  ],
  jobs: {
    tasks: notificationTasks,
    cron: [{ id: 'notification.sweep', task: 'notification.sweep', schedule: '* * * * *' }],
  },
};
