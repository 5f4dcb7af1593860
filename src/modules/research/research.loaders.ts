import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader, groupLoader } from '../../core/loader-kit.js';
import { ResearchContribution, ResearchOutcome, ResearchProject, ResearchReview, ResearchTeamMember } from './research.entities.js';

export function createResearchLoaders(em: EntityManager) {
  return {
    projectById: byIdLoader(em, ResearchProject),
    contributionsByProject: groupLoader(em, ResearchContribution, 'projectId', { id: 'asc' }),
    teamByProject: groupLoader(em, ResearchTeamMember, 'projectId', { id: 'asc' }),
    outcomesByProject: groupLoader(em, ResearchOutcome, 'projectId', { id: 'asc' }),
    reviewsByProject: groupLoader(em, ResearchReview, 'projectId', { reviewedOn: 'asc', id: 'asc' }),
  };
}

declare module '../../core/loaders.js' {
  interface Loaders {
    research: ReturnType<typeof createResearchLoaders>;
  }
}
