import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { NodeEntity } from '../../core/node.js';
import { Proposal, ProposalStatus, ReplyClass } from '../proposal/proposal.entity.js';

export enum SearchItemType {
  PROPOSAL = 'PROPOSAL',
  OPINION = 'OPINION',
  TOPIC = 'TOPIC',
  SUGGESTION = 'SUGGESTION',
  MICRO_SUGGESTION = 'MICRO_SUGGESTION',
}
registerEnumType(SearchItemType, {
  name: 'SearchItemType',
  description: 'What a search can find (检索范围).',
  valuesConfig: {
    PROPOSAL: { description: 'Proposals (提案).' },
    OPINION: { description: 'Public-opinion reports (社情民意信息).' },
    TOPIC: { description: 'Consultation topics (协商议题).' },
    SUGGESTION: { description: 'Consultation suggestions (协商建议).' },
    MICRO_SUGGESTION: { description: 'Micro-suggestions (微建议).' },
  },
});

@ObjectType('TextRange', { description: 'A stretch of a text: offset and length in UTF-16 code units, as JavaScript indexes strings (高亮位置).' })
export class TextRange {
  @Field(() => Int, { description: 'Offset of the first character (起始位置).' })
  start!: number;

  @Field(() => Int, { description: 'Number of characters (长度).' })
  length!: number;
}

@ObjectType('SearchHit', { description: 'One record a keyword search found (检索结果), with a snippet and where the words matched in it.' })
export class SearchHit {
  @Field(() => SearchItemType, { description: 'Kind of record (类型).' })
  type!: SearchItemType;

  @Field(() => NodeEntity, { description: 'The record itself, as its own type (记录).' })
  node!: NodeEntity;

  @Field(() => String, { description: 'Its title (标题); a suggestion has none and shows its opening words.' })
  title!: string;

  @Field(() => String, { description: 'The part of the text around the first match, at most 120 characters (摘要).' })
  snippet!: string;

  @Field(() => [TextRange], { description: 'Where the search words are in the snippet (高亮).' })
  highlights!: TextRange[];

  @Field(() => [TextRange], { description: 'Where the search words are in the title (标题高亮).' })
  titleHighlights!: TextRange[];

  @Field(() => Float, { description: 'Relevance, higher first (相关度).' })
  score!: number;
}

@ObjectType('SearchResult', { description: 'A keyword search (全文检索): the words it looked for and the hits, best first.' })
export class SearchResult {
  @Field(() => [String], { description: 'The words the query was cut into, stop words left out (分词结果).' })
  words!: string[];

  @Field(() => [SearchHit], { description: 'Hits, most relevant first (检索结果).' })
  hits!: SearchHit[];
}

@ObjectType('SimilarProposal', { description: "An earlier proposal of the committee close to a draft (相似提案), with its reply, so a member sees what was already answered." })
export class SimilarProposal {
  @Field(() => String, { description: 'Title (案由).' })
  title!: string;

  @Field(() => ProposalStatus, { description: 'Handling status (办理状态).' })
  status!: ProposalStatus;

  @Field(() => DateTime, { description: 'When it was submitted (提交时间).' })
  submittedAt!: Date;

  @Field(() => ReplyClass, { nullable: true, description: 'Class of the reply (答复类别).' })
  replyClass?: ReplyClass | null;

  @Field(() => String, { nullable: true, description: 'The reply (答复内容).' })
  replyText?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When it was replied (答复时间).' })
  repliedAt?: Date | null;

  @Field(() => Float, { description: 'Closeness to the draft, 0–1 (相似度).' })
  score!: number;

  @Field(() => Proposal, { nullable: true, description: 'The proposal itself (提案), where your role may read it (a member: their own); otherwise null.' })
  proposal?: Proposal | null;
}
