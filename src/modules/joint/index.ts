import type { ModuleManifest } from '../../core/module.js';
import { JointMembership, JointParticipant } from './joint.entities.js';
import { createJointLoaders } from './joint.loaders.js';
import { JOINT_READERS } from './joint.service.js';

/** Invitations and the access index of joint items (联动事项): what research and topics share. */
export const jointModule: ModuleManifest = {
  name: 'joint',
  entities: [JointMembership, JointParticipant],
  loaders: { joint: createJointLoaders },
  nodes: { JointParticipant: async (ctx, id) => (JOINT_READERS.includes(ctx.viewer.role) ? ctx.loaders.joint.participantById.load(id) : null) },
};
