import { NodeEntity } from './node.js';
import { TenantOwned } from './tenant-owned.js';
import { Tenant } from '../modules/tenant/tenant.entity.js';
import { User } from '../modules/member/user.entity.js';
import { MemberSeat } from '../modules/member/member-seat.entity.js';
import { JointMembership, JointParticipant } from '../modules/joint/joint.entities.js';
import { StateChange } from '../modules/history/state-change.entity.js';
import { ResearchContribution, ResearchOutcome, ResearchProject, ResearchTeamMember } from '../modules/research/research.entities.js';
import { ConsultationPlan, ConsultationSuggestion, ConsultationTopic, TopicRecommendation } from '../modules/topic/topic.entities.js';
import { DeliberationEvent, DeliberationPresence, DeliberationSession } from '../modules/deliberation/deliberation.entity.js';
import { Proposal } from '../modules/proposal/proposal.entity.js';
import { Opinion, OpinionLevel } from '../modules/opinion/opinion.entity.js';
import { DutyArchive, DutyRecord } from '../modules/performance/performance.entity.js';

/** Every entity the ORM knows; discovery is explicit so nothing depends on file globbing. */
export const entities = [
  NodeEntity,
  TenantOwned,
  Tenant,
  User,
  MemberSeat,
  JointMembership,
  JointParticipant,
  StateChange,
  ResearchProject,
  ResearchTeamMember,
  ResearchContribution,
  ResearchOutcome,
  ConsultationPlan,
  ConsultationTopic,
  ConsultationSuggestion,
  TopicRecommendation,
  DeliberationSession,
  DeliberationEvent,
  DeliberationPresence,
  Proposal,
  Opinion,
  OpinionLevel,
  DutyArchive,
  DutyRecord,
];
