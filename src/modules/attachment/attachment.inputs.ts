import { Field, ID, InputType } from 'type-graphql';
import { IsIn, IsOptional } from 'class-validator';
import { AttachmentPurpose } from './attachment.entity.js';

@InputType('AttachFileInput', { description: 'Attach an uploaded file (POST /files) to an item (关联附件).' })
export class AttachFileInput {
  @Field(() => ID, { description: 'The uploaded file (上传文件): the id POST /files answered.' })
  file!: string;

  @Field(() => ID, { description: 'The item (关联对象): a Proposal, Opinion, ResearchContribution or ResearchProject of the acting committee.' })
  to!: string;

  @Field(() => AttachmentPurpose, { nullable: true, description: 'DOCUMENT by default; REPLY_LETTER on a proposal (答复函), COMBINED_REPORT on a project (调研总报告).' })
  @IsOptional()
  @IsIn(Object.values(AttachmentPurpose))
  purpose?: AttachmentPurpose | null;
}
