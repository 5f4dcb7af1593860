import { Field, ID, InputType } from 'type-graphql';
import { IsIn, IsOptional, Length } from 'class-validator';
import { DraftKind, MicroScreening, MicroStatus, type MicroSuggestion } from './micro.entity.js';

@InputType('SubmitMicroSuggestionInput', { description: 'A new micro-suggestion (提交微建议).' })
export class SubmitMicroSuggestionInput implements Partial<MicroSuggestion> {
  @Field(() => String, { description: 'The suggestion (建议内容), 5–500 characters.' })
  @Length(5, 500)
  content!: string;
}

@InputType('ScreenMicroSuggestionInput', { description: "The office's screening of a micro-suggestion (甄别)." })
export class ScreenMicroSuggestionInput {
  @Field(() => ID, { description: 'The micro-suggestion (微建议).' })
  id!: string;

  @Field(() => MicroScreening, { description: 'Handle on the spot, forward to a unit, or turn into a draft (处理方式).' })
  @IsIn(Object.values(MicroScreening))
  decision!: MicroScreening;

  @Field(() => String, { description: 'What was done, or what the unit is asked (甄别意见), 1–1000 characters.' })
  @Length(1, 1000)
  note!: string;

  @Field(() => ID, { nullable: true, description: 'FORWARD: the handling unit of the committee (承办单位), a HandlingUnit id.' })
  @IsOptional()
  unit?: string | null;

  @Field(() => DraftKind, { nullable: true, description: 'CONVERT: a proposal or a report draft (转化类型).' })
  @IsOptional()
  @IsIn(Object.values(DraftKind))
  draftKind?: DraftKind | null;

  @Field(() => String, { nullable: true, description: 'CONVERT: title of the draft (草稿标题), 4–200 characters.' })
  @IsOptional()
  @Length(4, 200)
  draftTitle?: string | null;
}

@InputType('MicroSuggestionFilter', { description: 'Filters of the micro-suggestion list (微建议筛选).' })
export class MicroSuggestionFilter {
  @Field(() => MicroStatus, { nullable: true, description: 'Only this state (状态).' })
  @IsOptional()
  @IsIn(Object.values(MicroStatus))
  status?: MicroStatus | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only those still unscreened past their screening time (逾期未甄别).' })
  @IsOptional()
  overdue?: boolean | null;
}
