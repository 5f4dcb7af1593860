import { Field, ID, InputType } from 'type-graphql';
import { IsIn, IsOptional, Length } from 'class-validator';
import { DateTime } from '../../core/scalars.js';
import { SupervisionSource, SupervisionStatus, type SupervisionTask } from './supervision.entities.js';

@InputType('OpenSupervisionTaskInput', { description: 'A task to put on the supervision ledger (督办立项).' })
export class OpenSupervisionTaskInput implements Partial<SupervisionTask> {
  @Field(() => SupervisionSource, { description: 'Source (督办来源).' })
  @IsIn(Object.values(SupervisionSource))
  source!: SupervisionSource;

  @Field(() => ID, {
    nullable: true,
    description: 'The record it comes from (来源记录), if it is on the platform: a Proposal, Opinion or ResearchProject for an instruction; a ConsultationSuggestion or ConsultationTopic for a consultation outcome; a ResearchProject for a research outcome.',
  })
  @IsOptional()
  sourceRecord?: string;

  @Field(() => String, { description: 'Title (督办事项), 4–200 characters.' })
  @Length(4, 200)
  title!: string;

  @Field(() => String, { description: 'What is required (督办要求), up to 5000 characters.' })
  @Length(1, 5000)
  requirement!: string;

  @Field(() => ID, { description: 'The unit responsible (责任单位): a HandlingUnit of the committee.' })
  owner!: string;

  @Field(() => DateTime, { description: 'Deadline (办结时限), in the future.' })
  deadline!: Date;
}

@InputType('SupervisionLedgerFilter', { description: 'Filters of the supervision ledger (台账筛选); all given must hold.' })
export class SupervisionLedgerFilter {
  @Field(() => SupervisionStatus, { nullable: true, description: 'Open or closed (状态).' })
  @IsOptional()
  @IsIn(Object.values(SupervisionStatus))
  status?: SupervisionStatus;

  @Field(() => Boolean, { nullable: true, description: 'true: open and past the deadline now (逾期); false: not overdue.' })
  @IsOptional()
  overdue?: boolean;

  @Field(() => SupervisionSource, { nullable: true, description: 'Source (督办来源).' })
  @IsOptional()
  @IsIn(Object.values(SupervisionSource))
  source?: SupervisionSource;

  @Field(() => ID, { nullable: true, description: 'The unit responsible (责任单位), a HandlingUnit id.' })
  @IsOptional()
  owner?: string;

  @Field(() => DateTime, { nullable: true, description: 'Deadline at or after (时限起).' })
  @IsOptional()
  deadlineFrom?: Date;

  @Field(() => DateTime, { nullable: true, description: 'Deadline before (时限止).' })
  @IsOptional()
  deadlineTo?: Date;
}
