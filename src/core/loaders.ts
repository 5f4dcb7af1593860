import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Per-request DataLoaders, one group per module, made with the request's scoped EntityManager. Each module
 * adds its group by augmenting this interface next to its factory, and names the factory in its manifest:
 *
 *   declare module '../../core/loaders.js' { interface Loaders { topic: ReturnType<typeof createTopicLoaders> } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Loaders {}

/** How each group is made; a manifest gives some of these, the assembled kernel all of them. */
export type LoaderFactories = { [K in keyof Loaders]?: (em: EntityManager) => Loaders[K] };
