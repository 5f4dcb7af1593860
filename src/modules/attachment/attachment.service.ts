import { createHash } from 'node:crypto';
import { requireRole, type Context } from '../../core/context.js';
import { badInput, forbidden, notFound, text } from '../../core/errors.js';
import { expectGlobalId, parseGlobalId } from '../../core/global-id.js';
import { newId } from '../../core/ids.js';
import { ownership } from '../../core/tenant-owned.js';
import { Role } from '../../core/identity/user.entity.js';
import { Attachment, AttachmentPurpose } from './attachment.entity.js';
import { objectStoreOf } from './blob-store.js';
import type { AttachFileInput } from './attachment.inputs.js';

const WHAT = text('附件', 'Attachment');
const UPLOADERS = [Role.STAFF, Role.LEADER, Role.ADMIN, Role.MEMBER, Role.DEPARTMENT];

/**
 * Types accepted, each with the bytes its files start with, so a declared type is checked against the content
 * (an executable renamed .pdf is refused). OFD is China's fixed-layout document format (版式文件), a zip.
 */
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0];
export const ALLOWED_TYPES: Record<string, number[] | 'text'> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46],
  'image/png': [0x89, 0x50, 0x4e, 0x47],
  'image/jpeg': [0xff, 0xd8, 0xff],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ZIP,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ZIP,
  'application/ofd': ZIP,
  'application/msword': OLE,
  'application/vnd.ms-excel': OLE,
  'text/plain': 'text',
};

/** Item types that take attachments, and the purposes each takes. */
const PURPOSES: Record<string, AttachmentPurpose[]> = {
  Proposal: [AttachmentPurpose.DOCUMENT, AttachmentPurpose.REPLY_LETTER],
  Opinion: [AttachmentPurpose.DOCUMENT],
  ResearchContribution: [AttachmentPurpose.DOCUMENT],
  ResearchProject: [AttachmentPurpose.COMBINED_REPORT],
};

function checkType(contentType: string, bytes: Buffer): void {
  const sig = ALLOWED_TYPES[contentType];
  if (!sig) throw badInput(text(`不接受这种文件类型（${contentType.slice(0, 60)}）`, `This file type is not accepted (${contentType.slice(0, 60)})`), { field: 'content-type', accepted: Object.keys(ALLOWED_TYPES) });
  const ok = sig === 'text' ? !bytes.includes(0) && new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes, { stream: false }) !== undefined : sig.every((b, i) => bytes[i] === b);
  if (!ok) throw badInput(text('文件内容与声明的类型不符', 'The content does not match the declared type'), { field: 'content-type' });
}

function cleanName(raw: unknown): string {
  const s = typeof raw === 'string' ? raw : '';
  // A name, not a path; no control characters (they end up in a Content-Disposition header).
  const name = s.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  if (!name || [...name].length > 200) throw badInput(text('文件名须为 1–200 个字', 'The file name must be 1–200 characters'), { field: 'name' });
  return name;
}

/**
 * Stores an upload for the acting committee: the bytes once per content (SHA-256), in PostgreSQL or the
 * object store, and an unattached attachment of the uploader, which a mutation then attaches to an item.
 */
export async function upload(ctx: Context, rawName: unknown, rawType: unknown, bytes: Buffer): Promise<Attachment> {
  requireRole(ctx, ...UPLOADERS);
  const name = cleanName(rawName);
  const contentType = typeof rawType === 'string' ? rawType.split(';')[0]!.trim().toLowerCase() : '';
  if (!bytes.length) throw badInput(text('文件是空的', 'The file is empty'), { field: 'body' });
  if (bytes.length > ctx.config.attachmentMaxBytes) throw badInput(text('文件太大', 'The file is too large'), { field: 'body', maxBytes: ctx.config.attachmentMaxBytes });
  try {
    checkType(contentType, bytes);
  } catch (e) {
    if (e instanceof TypeError) throw badInput(text('文本文件须为 UTF-8', 'A text file must be UTF-8'), { field: 'body' });
    throw e;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const store = objectStoreOf(ctx.config);
  const own = ownership(ctx.tenant);
  const inserted = await ctx.em.execute<{ id: string }[]>(
    `insert into attachment_blob (id, tenant_id, province_id, city_id, sha256, size, store, content) values (?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (tenant_id, sha256) do nothing returning id`,
    [newId(), own.tenantId, own.provinceId, own.cityId, sha256, bytes.length, store ? 's3' : 'postgres', store ? null : bytes],
  );
  let blobId = inserted[0]?.id;
  if (blobId && store) await store.put(`${ctx.tenant.id}/${sha256}`, bytes, contentType);
  blobId ??= (await ctx.em.execute<{ id: string }[]>('select id from attachment_blob where tenant_id = ? and sha256 = ?', [ctx.tenant.id, sha256]))[0]!.id;
  const a = ctx.em.create(Attachment, { ...own, uploaderId: ctx.viewer.user.id, blobId, fileName: name, contentType, size: bytes.length, sha256 });
  await ctx.em.flush();
  return a;
}

/** The item a global id names, read through its own module's rule (null for missing and not yours alike). */
async function readableItem(ctx: Context, type: string, id: string): Promise<{ id: string; tenantId: string; [k: string]: unknown } | null> {
  const fetch = ctx.kernel.nodes.get(type);
  return fetch ? ((await fetch(ctx, id)) as { id: string; tenantId: string } | null) : null;
}

export async function attachFile(ctx: Context, input: AttachFileInput): Promise<Attachment> {
  requireRole(ctx, ...UPLOADERS);
  const a = await ctx.em.findOne(Attachment, { id: expectGlobalId(input.file, 'Attachment', 'file'), tenantId: ctx.tenant.id, uploaderId: ctx.viewer.user.id });
  if (!a) throw notFound(WHAT);
  if (a.itemId) throw badInput(text('这个文件已经关联过了', 'This file is attached already'), { field: 'file' });
  const ref = parseGlobalId(input.to);
  if (!ref || !PURPOSES[ref.type]) throw badInput(text('只能关联到提案、社情民意信息、调研成果或调研课题', 'Files attach to proposals, reports, research contributions and research projects'), { field: 'to' });
  const item = await readableItem(ctx, ref.type, ref.id);
  if (!item || item.tenantId !== ctx.tenant.id) throw notFound(text('关联对象', 'Item'));
  const purpose = input.purpose ?? AttachmentPurpose.DOCUMENT;
  if (!PURPOSES[ref.type]!.includes(purpose)) throw badInput(text(`${ref.type} 不接受 ${purpose}`, `${ref.type} takes no ${purpose}`), { field: 'purpose' });
  const role = ctx.viewer.role;
  if (purpose === AttachmentPurpose.REPLY_LETTER && !(role === Role.STAFF || role === Role.ADMIN || (role === Role.DEPARTMENT && !!ctx.viewer.user.unitId && item.leadUnitId === ctx.viewer.user.unitId))) {
    throw forbidden(text('答复函由主办单位或办公室上传', 'A reply letter comes from the lead unit or the office'));
  }
  if (purpose === AttachmentPurpose.COMBINED_REPORT && !(role === Role.STAFF || role === Role.ADMIN)) throw forbidden();
  if (role === Role.DEPARTMENT && purpose !== AttachmentPurpose.REPLY_LETTER) throw forbidden();
  a.itemType = ref.type;
  a.itemId = item.id;
  a.jointItemId = ref.type === 'ResearchContribution' ? (item.projectId as string) : ref.type === 'ResearchProject' ? item.id : null;
  a.purpose = purpose;
  a.attachedAt = ctx.clock.now();
  await ctx.em.flush();
  return a;
}

/** An attachment and its bytes, if the viewer may read the item it is attached to. */
export async function download(ctx: Context, globalId: string): Promise<{ a: Attachment; bytes: Buffer }> {
  const ref = parseGlobalId(globalId);
  const a = ref?.type === 'Attachment' ? await ctx.em.findOne(Attachment, { id: ref.id }) : null;
  // Unattached: only its uploader. Attached: whoever may read the item, by the item's own rule.
  const visible = a && (a.itemId ? !!(await readableItem(ctx, a.itemType!, a.itemId)) : a.uploaderId === ctx.viewer.user.id && a.tenantId === ctx.tenant.id);
  if (!a || !visible) throw notFound(WHAT);
  const blob = (await ctx.em.execute<{ tenant_id: string; sha256: string; store: string; content: Buffer | null }[]>('select tenant_id, sha256, store, content from attachment_blob where id = ?', [a.blobId]))[0];
  if (!blob) throw notFound(WHAT);
  if (blob.store === 'postgres') return { a, bytes: blob.content! };
  const store = objectStoreOf(ctx.config);
  if (!store) throw new Error('an attachment is in the object store, but none is configured');
  return { a, bytes: await store.get(`${blob.tenant_id}/${blob.sha256}`) };
}

export const readableAttachment = async (ctx: Context, id: string): Promise<Attachment | null> => {
  const a = await ctx.em.findOne(Attachment, { id });
  if (!a) return null;
  if (!a.itemId) return a.uploaderId === ctx.viewer.user.id ? a : null;
  return (await readableItem(ctx, a.itemType!, a.itemId)) ? a : null;
};
