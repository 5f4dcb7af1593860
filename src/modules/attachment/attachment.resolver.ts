import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { toGlobalId } from '../../core/global-id.js';
import { Proposal } from '../proposal/proposal.entity.js';
import { Opinion } from '../opinion/opinion.entity.js';
import { ResearchContribution, ResearchProject } from '../research/research.entities.js';
import { Attachment } from './attachment.entity.js';
import { AttachFileInput } from './attachment.inputs.js';
import * as attachments from './attachment.service.js';

const listComplexity = ({ childComplexity }: { childComplexity: number }) => 1 + 5 * childComplexity;
// The item is one its own resolver already let the viewer read; its attachments come with it.
const of = (ctx: Context, item: { id: string }) => ctx.loaders.attachment.byItem.load(item.id);

@Resolver(() => Attachment)
export class AttachmentResolver {
  @FieldResolver(() => String, { description: 'Where to download it with your access token: GET /files/{id} (下载地址).' })
  downloadPath(@Root() a: Attachment) {
    return `/files/${toGlobalId('Attachment', a.id)}`;
  }

  @Mutation(() => Attachment, { description: 'Attach a file uploaded with POST /files to an item of the acting committee you may read (关联附件).' })
  attachFile(@Ctx() ctx: Context, @Arg('input', () => AttachFileInput, { description: 'File and item.' }) input: AttachFileInput) {
    return attachments.attachFile(ctx, input);
  }
}

@Resolver(() => Proposal)
export class ProposalAttachmentsResolver {
  @FieldResolver(() => [Attachment], { description: 'Files of the proposal, reply letters (答复函) among them (附件).', complexity: listComplexity })
  attachments(@Root() p: Proposal, @Ctx() ctx: Context) {
    return of(ctx, p);
  }
}

@Resolver(() => Opinion)
export class OpinionAttachmentsResolver {
  @FieldResolver(() => [Attachment], { description: 'Files of the report (附件).', complexity: listComplexity })
  attachments(@Root() o: Opinion, @Ctx() ctx: Context) {
    return of(ctx, o);
  }
}

@Resolver(() => ResearchContribution)
export class ContributionAttachmentsResolver {
  @FieldResolver(() => [Attachment], { description: 'Files of the contribution (附件).', complexity: listComplexity })
  attachments(@Root() c: ResearchContribution, @Ctx() ctx: Context) {
    return of(ctx, c);
  }
}

@Resolver(() => ResearchProject)
export class ProjectAttachmentsResolver {
  @FieldResolver(() => [Attachment], { description: 'Files of the project: the combined report (调研总报告).', complexity: listComplexity })
  attachments(@Root() p: ResearchProject, @Ctx() ctx: Context) {
    return of(ctx, p);
  }
}
