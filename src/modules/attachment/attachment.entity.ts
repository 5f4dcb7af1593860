import { Entity, Enum, Index, Property, raw } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope, jointItemRule } from '../../core/tenancy.js';

export enum AttachmentPurpose {
  DOCUMENT = 'DOCUMENT',
  REPLY_LETTER = 'REPLY_LETTER',
  COMBINED_REPORT = 'COMBINED_REPORT',
}
registerEnumType(AttachmentPurpose, {
  name: 'AttachmentPurpose',
  description: 'What an attached file is (附件类型).',
  valuesConfig: {
    DOCUMENT: { description: 'A file of the item itself (附件).' },
    REPLY_LETTER: { description: "A handling unit's reply letter on a proposal (答复函)." },
    COMBINED_REPORT: { description: "The combined report of a research project (调研总报告)." },
  },
});

/** The bytes of one file, once per committee and content. */
@Entity({ tableName: 'attachment_blob' })
export class AttachmentBlob extends TenantOwned {
  @Property({ type: 'string', length: 64 })
  sha256!: string;

  @Property({ type: 'integer' })
  size!: number;

  @Property({ type: 'string', length: 16 })
  store!: 'postgres' | 's3';

  @Property({ type: 'blob', nullable: true, lazy: true })
  content?: Buffer | null;
}
declareScope('AttachmentBlob', (s) => ({ tenantId: s.tenantId }));

/** An uploaded file and the item it is attached to. */
@ObjectType('Attachment', { implements: NodeEntity, description: 'A file attached to a proposal, reply, report, research contribution or combined report (附件); download at /files/{id}.' })
@Entity({ tableName: 'attachment' })
@Index({ properties: ['tenantId', 'id'] })
export class Attachment extends TenantOwned {
  @Property({ type: 'uuid' })
  uploaderId!: string;

  @Property({ type: 'uuid' })
  blobId!: string;

  @Field(() => String, { description: 'File name as uploaded (文件名).' })
  @Property({ type: 'text' })
  fileName!: string;

  @Field(() => String, { description: 'Media type (文件类型).' })
  @Property({ type: 'string', length: 128 })
  contentType!: string;

  @Field(() => Int, { description: 'Size in bytes (大小).' })
  @Property({ type: 'integer' })
  size!: number;

  @Field(() => String, { description: 'SHA-256 of the content, hex (校验值).' })
  @Property({ type: 'string', length: 64 })
  sha256!: string;

  @Property({ type: 'string', length: 32, nullable: true })
  itemType?: string | null;

  @Property({ type: 'uuid', nullable: true })
  itemId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  jointItemId?: string | null;

  @Field(() => AttachmentPurpose, { nullable: true, description: 'What it is (附件类型); null until attached.' })
  @Enum({ items: () => AttachmentPurpose, type: 'string', nullable: true })
  purpose?: AttachmentPurpose | null;

  @Field(() => DateTime, { nullable: true, description: 'When it was attached (关联时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  attachedAt?: Date | null;
}
/**
 * Mirrors the RLS policy: the committee's own, a report's where it reached, a joint project's where the committee
 * takes part. Downloads and lists ask the item's own read rule as well.
 */
declareScope(
  'Attachment',
  jointItemRule('jointItemId', 'MEMBER', () => [{ [raw((alias: string) => `(${alias}.item_type = 'Opinion' and opinion_reached(${alias}.item_id))`)]: true }]),
);
