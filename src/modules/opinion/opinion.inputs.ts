import { Field, InputType, registerEnumType } from 'type-graphql';
import { IsIn, IsOptional, Length } from 'class-validator';
import { OrderDirection } from '../../core/connection.js';
import type { Opinion } from './opinion.entity.js';

@InputType('SubmitOpinionInput', { description: 'A new public-opinion report (报送社情民意信息).' })
export class SubmitOpinionInput implements Partial<Opinion> {
  @Field(() => String, { description: 'Title (标题), 4–200 characters.' })
  @Length(4, 200)
  title!: string;

  @Field(() => String, { description: 'Body (正文), up to 20000 characters.' })
  @Length(10, 20000)
  content!: string;
}

@InputType('EditOpinionInput', { description: 'Office edits of a report (采编); omitted fields stay.' })
export class EditOpinionInput implements Partial<Opinion> {
  @Field(() => String, { nullable: true, description: 'Title (标题).' })
  @IsOptional()
  @Length(4, 200)
  title?: string;

  @Field(() => String, { nullable: true, description: 'Body (正文).' })
  @IsOptional()
  @Length(10, 20000)
  content?: string;
}

@InputType('InstructOpinionInput', { description: 'A leader instruction on a report (领导批示).' })
export class InstructOpinionInput {
  @Field(() => String, { description: 'The instruction (批示内容).' })
  @Length(1, 1000)
  instruction!: string;

  @Field(() => String, { description: 'The leader who wrote it (批示领导).' })
  @Length(1, 64)
  by!: string;
}

export enum OpinionOrderField {
  SUBMITTED_AT = 'SUBMITTED_AT',
}
registerEnumType(OpinionOrderField, {
  name: 'OpinionOrderField',
  description: 'What public-opinion reports can be sorted by (社情民意排序字段).',
  valuesConfig: { SUBMITTED_AT: { description: 'Submission time (报送时间).' } },
});

@InputType('OpinionOrder', { description: 'Sort order of the report list (社情民意排序); without it, creation order.' })
export class OpinionOrder {
  @Field(() => OpinionOrderField, { description: 'Sort key (排序字段).' })
  @IsIn(Object.values(OpinionOrderField))
  field!: OpinionOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: 'Direction (排序方向), ASC by default.' })
  @IsIn(Object.values(OrderDirection))
  direction!: OrderDirection;
}
