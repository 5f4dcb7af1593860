import type { EntityManager } from '@mikro-orm/postgresql';
import { groupLoader } from '../../core/loader-kit.js';
import { Attachment } from './attachment.entity.js';

export function createAttachmentLoaders(em: EntityManager) {
  return {
    byItem: groupLoader(em, Attachment, 'itemId', { attachedAt: 'asc', id: 'asc' }),
  };
}

declare module '../../core/loaders.js' {
  interface Loaders {
    attachment: ReturnType<typeof createAttachmentLoaders>;
  }
}
