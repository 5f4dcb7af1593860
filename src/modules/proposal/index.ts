import type { ModuleManifest } from '../../core/module.js';
import { Proposal } from './proposal.entity.js';
import { ProposalResolver } from './proposal.resolver.js';
import * as proposals from './proposal.service.js';

/** Proposals (提案). */
export const proposalModule: ModuleManifest = {
  name: 'proposal',
  entities: [Proposal],
  resolvers: [ProposalResolver],
  nodes: { Proposal: { one: (ctx, id) => proposals.readableProposal(ctx, id), many: (ctx, ids) => proposals.readableProposals(ctx, ids) } },
};
