import type { ModuleManifest } from '../../core/module.js';
import { ConsultationPlan, ConsultationSuggestion, ConsultationTopic, TopicRecommendation } from './topic.entities.js';
import { PlanResolver, RecommendationResolver, SuggestionResolver, TopicResolver } from './topic.resolver.js';
import { createTopicLoaders } from './topic.loaders.js';
import * as plans from './topic-plan.service.js';
import * as loop from './topic-loop.service.js';

/** Consultation topics (协商议题): the annual plan, two-way selection and the closed loop. */
export const topicModule: ModuleManifest = {
  name: 'topic',
  entities: [ConsultationPlan, ConsultationTopic, ConsultationSuggestion, TopicRecommendation],
  resolvers: [PlanResolver, TopicResolver, SuggestionResolver, RecommendationResolver],
  loaders: { topic: createTopicLoaders },
  nodes: {
    ConsultationTopic: (ctx, id) => plans.readableTopic(ctx, id),
    ConsultationSuggestion: (ctx, id) => loop.readableSuggestion(ctx, id),
    ConsultationPlan: (ctx, id) => plans.readablePlan(ctx, id),
    TopicRecommendation: (ctx, id) => plans.readableRecommendation(ctx, id),
  },
};
