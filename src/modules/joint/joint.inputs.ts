import { Field, ID, InputType } from 'type-graphql';
import { ArrayMaxSize, IsOptional, Length, MaxLength } from 'class-validator';
import { LocalDate } from '../../core/scalars.js';

@InputType('InviteCommitteesInput', { description: 'Committees to invite into a joint item (邀请参与单位).' })
export class InviteCommitteesInput {
  @Field(() => ID, { description: 'The project or topic (联动事项).' })
  itemId!: string;

  @Field(() => [String], { description: 'Administrative division codes of the invited committees (受邀政协代码).' })
  @ArrayMaxSize(200)
  @Length(6, 6, { each: true })
  committeeCodes!: string[];

  @Field(() => String, { nullable: true, description: 'Message to the invitees, up to 2,000 characters (邀请说明).' })
  @IsOptional()
  @MaxLength(2000)
  message?: string;

  @Field(() => LocalDate, { nullable: true, description: 'Answer requested by (答复期限).' })
  @IsOptional()
  respondBy?: string;
}
