import type { ModuleManifest } from '../../core/module.js';
import { DeliberationEvent, DeliberationPresence, DeliberationSession } from './deliberation.entity.js';
import { DeliberationEventResolver, DeliberationPresenceResolver, DeliberationResolver } from './deliberation.resolver.js';
import * as deliberation from './deliberation.service.js';

/** Live network deliberation (网络议政). */
export const deliberationModule: ModuleManifest = {
  name: 'deliberation',
  entities: [DeliberationSession, DeliberationEvent, DeliberationPresence],
  resolvers: [DeliberationResolver, DeliberationEventResolver, DeliberationPresenceResolver],
  nodes: {
    DeliberationSession: (ctx, id) => deliberation.readableSession(ctx, id),
    DeliberationEvent: (ctx, id) => deliberation.readableEvent(ctx, id),
  },
};
