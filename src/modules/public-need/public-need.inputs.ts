import { Field, ID, InputType, Int } from 'type-graphql';
import { IsIn, IsOptional, Length, Max, Min } from 'class-validator';
import { ConsultationForm, type TopicRecommendation } from '../topic/topic.entities.js';

@InputType('RecommendPublicNeedInput', { description: 'Screen a public need into a topic recommendation (转为荐题).' })
export class RecommendPublicNeedInput implements Partial<TopicRecommendation> {
  @Field(() => ID, { description: 'The public need (社会需求).' })
  id!: string;

  @Field(() => String, { description: 'Proposed topic title, 1–200 characters (建议议题).' })
  @Length(1, 200)
  title!: string;

  @Field(() => String, { nullable: true, description: 'Why it matters (荐题理由); the need itself when omitted.' })
  @IsOptional()
  @Length(1, 5000)
  reason?: string;

  @Field(() => ConsultationForm, { description: 'Proposed form (建议协商形式).' })
  @IsIn(Object.values(ConsultationForm))
  form!: ConsultationForm;

  @Field(() => Int, { description: 'Plan year (年度).' })
  @Min(2000)
  @Max(2100)
  year!: number;
}
