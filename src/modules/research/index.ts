import type { ModuleManifest } from '../../core/module.js';
import { ResearchContribution, ResearchOutcome, ResearchProject, ResearchReview, ResearchTeamMember } from './research.entities.js';
import { ResearchContributionResolver, ResearchResolver, ResearchTeamMemberResolver } from './research.resolver.js';
import { createResearchLoaders } from './research.loaders.js';
import * as research from './research.service.js';

/** Joint research (联合调研). */
export const researchModule: ModuleManifest = {
  name: 'research',
  entities: [ResearchProject, ResearchTeamMember, ResearchContribution, ResearchOutcome, ResearchReview],
  resolvers: [ResearchResolver, ResearchContributionResolver, ResearchTeamMemberResolver],
  loaders: { research: createResearchLoaders },
  nodes: {
    ResearchProject: (ctx, id) => research.readableProject(ctx, id),
    ResearchContribution: (ctx, id) => research.readableContribution(ctx, id),
  },
};
