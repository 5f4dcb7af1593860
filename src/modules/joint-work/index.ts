import type { ModuleManifest } from '../../core/module.js';
import { JointParticipantResolver, JointWorkResolver } from './joint-work.resolver.js';

/**
 * A committee's joint work across research and topics: the desk (联动工作台, `jointWork`), and participations
 * as the API shows them, with the item they are about (`JointItem`). It stands above both features.
 */
export const jointWorkModule: ModuleManifest = {
  name: 'joint-work',
  resolvers: [JointParticipantResolver, JointWorkResolver],
};
