import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { NodeEntity } from '../../core/node.js';

export enum DeadlineKind {
  RESEARCH_END = 'RESEARCH_END',
  INVITATION_ANSWER = 'INVITATION_ANSWER',
  SUGGESTION_FEEDBACK = 'SUGGESTION_FEEDBACK',
}
registerEnumType(DeadlineKind, {
  name: 'DeadlineKind',
  description: 'What falls due (到期事项).',
  valuesConfig: {
    RESEARCH_END: { description: 'A research project reaches its planned end (调研结束).' },
    INVITATION_ANSWER: { description: 'An invitation should be answered (邀请答复).' },
    SUGGESTION_FEEDBACK: { description: "A handling department's feedback is due (建议反馈)." },
  },
});

@ObjectType('Deadline', { description: 'Something of the joint work that falls due soon (近期到期事项).' })
export class Deadline {
  @Field(() => DeadlineKind, { description: 'What falls due (类型).' })
  kind!: DeadlineKind;

  @Field(() => String, { description: 'Title of the item (标题).' })
  title!: string;

  @Field(() => DateTime, { description: 'When (到期时间).' })
  due!: Date;

  @Field(() => NodeEntity, { description: 'The item (事项).' })
  item!: NodeEntity;
}

