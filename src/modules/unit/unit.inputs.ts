import { Field, InputType } from 'type-graphql';
import { IsOptional, Length } from 'class-validator';
import { DateTime } from '../../core/scalars.js';

@InputType('RequestExtensionInput', { description: "A handling unit's request for a later deadline (延期申请)." })
export class RequestExtensionInput {
  @Field(() => DateTime, { description: 'The deadline asked for (申请延至): after the present one.' })
  until!: Date;

  @Field(() => String, { description: 'Why more time is needed (延期理由), 1–2000 characters.' })
  @Length(1, 2000)
  reason!: string;
}

@InputType('DecideExtensionInput', { description: "The office's decision on a pending extension request (延期审核)." })
export class DecideExtensionInput {
  @Field(() => Boolean, { description: 'Whether the deadline moves to the date asked for (是否同意).' })
  granted!: boolean;

  @Field(() => String, { nullable: true, description: 'Note with the decision (审核意见), up to 2000 characters; required when refused.' })
  @IsOptional()
  @Length(1, 2000)
  note?: string;
}

@InputType('ReturnAssignmentInput', { description: 'A handling unit gives an assignment back to the office (申请改办).' })
export class ReturnAssignmentInput {
  @Field(() => String, { description: 'Why the item is not this unit’s to handle (改办理由), 1–2000 characters.' })
  @Length(1, 2000)
  reason!: string;
}
