import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader, groupLoader } from '../../core/loader-kit.js';
import { ConsultationPlan, ConsultationSuggestion, ConsultationTopic, TopicRecommendation } from './topic.entities.js';

export function createTopicLoaders(em: EntityManager) {
  return {
    planById: byIdLoader(em, ConsultationPlan),
    topicById: byIdLoader(em, ConsultationTopic),
    topicsByPlan: groupLoader(em, ConsultationTopic, 'planId', { id: 'asc' }),
    suggestionById: byIdLoader(em, ConsultationSuggestion),
    suggestionsByTopic: groupLoader(em, ConsultationSuggestion, 'topicId', { number: 'asc' }),
    recommendationById: byIdLoader(em, TopicRecommendation),
  };
}

declare module '../../core/loaders.js' {
  interface Loaders {
    topic: ReturnType<typeof createTopicLoaders>;
  }
}
