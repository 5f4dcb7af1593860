import type { ModuleManifest } from '../../core/module.js';
import { Attachment, AttachmentBlob } from './attachment.entity.js';
import { AttachmentResolver, ContributionAttachmentsResolver, OpinionAttachmentsResolver, ProjectAttachmentsResolver, ProposalAttachmentsResolver } from './attachment.resolver.js';
import { createAttachmentLoaders } from './attachment.loaders.js';
import { mountAttachmentRoutes } from './attachment.routes.js';
import * as attachments from './attachment.service.js';

/** Attachments (附件): uploads stored once per content, in PostgreSQL or an S3-compatible store; downloads by the item's visibility. */
export const attachmentModule: ModuleManifest = {
  name: 'attachment',
  entities: [AttachmentBlob, Attachment],
  resolvers: [AttachmentResolver, ProposalAttachmentsResolver, OpinionAttachmentsResolver, ContributionAttachmentsResolver, ProjectAttachmentsResolver],
  loaders: { attachment: createAttachmentLoaders },
  nodes: { Attachment: (ctx, id) => attachments.readableAttachment(ctx, id) },
  routes: mountAttachmentRoutes,
};
