import type { EntityManager } from '@mikro-orm/postgresql';
import { NodeEntity } from './node.js';
import { TenantOwned } from './tenant-owned.js';
import { NodeResolver } from './node.resolver.js';
import { Tenant } from './identity/tenant.entity.js';
import { User } from './identity/user.entity.js';
import { MemberSeat } from './identity/member-seat.entity.js';
import { EventBus, type Listener } from './events.js';
import type { LoaderFactories, Loaders } from './loaders.js';
import type { AppDeps, Context, Kernel, NodeBatchFetcher, NodeFetcher } from './context.js';
import type { Router } from 'express';
import type { CronJob, JobsDeclaration, JobTask } from './jobs.js';

/** Plain HTTP routes a module serves beside /graphql (e.g. sign-in, which runs before there is a viewer). */
export type RouteMount = (router: Router, deps: AppDeps) => void;

/**
 * What a feature brings to the application. Each `src/modules/<feature>/index.ts` exports one; the list in
 * `src/app/modules.ts` is the only place that names them all. The kernel knows none of them.
 */
export interface ModuleManifest {
  name: string;
  /** ORM entities (discovery is explicit: nothing depends on file globbing). */
  entities?: Function[];
  /** type-graphql resolver classes. */
  resolvers?: Function[];
  /** Per-request DataLoader groups, by key of `Loaders`. */
  loaders?: LoaderFactories;
  /**
   * How `node(id:)` fetches each of the module's types: with the same read rule as its own queries. A type read
   * by its own statement (not through a DataLoader) gives `{ one, many }`: `many` applies that rule to many ids
   * in one statement, so `nodes(ids:)` costs one statement per type.
   */
  nodes?: Record<string, NodeFetcher | { one: NodeFetcher; many: NodeBatchFetcher }>;
  /** In-transaction listeners of domain events. */
  listeners?: Listener<Context, any>[];
  /** HTTP routes outside GraphQL, mounted by the server before /graphql. */
  routes?: RouteMount;
  /** Background tasks and their schedules (core/jobs.ts). */
  jobs?: JobsDeclaration;
}

/** What the kernel itself carries: the Node base, the tenant-owned base and identity (committee, account, seat). */
const KERNEL: ModuleManifest = {
  name: 'kernel',
  entities: [NodeEntity, TenantOwned, Tenant, User, MemberSeat],
  resolvers: [NodeResolver],
};

export interface Application {
  entities: Function[];
  resolvers: Function[];
  kernel: Kernel;
  routes: RouteMount[];
  jobs: { tasks: Map<string, JobTask>; cron: CronJob[] };
}

/**
 * Collects every manifest's parts and refuses a name given twice (a module, an entity, a resolver, a node
 * type, a loader group, a listener id), the way Vendure's getEntitiesFromPlugins does: two modules claiming
 * the same name is a wiring mistake found at start, not a silent override.
 */
export function assemble(modules: readonly ModuleManifest[]): Application {
  const all = [KERNEL, ...modules];
  const seen = new Map<string, string>();
  const claim = (kind: string, name: string, by: string) => {
    const key = `${kind}:${name}`;
    const first = seen.get(key);
    if (first) throw new Error(`${kind} "${name}" is declared by both ${first} and ${by}`);
    seen.set(key, by);
  };
  const entities: Function[] = [];
  const resolvers: Function[] = [];
  const factories: [string, (em: EntityManager) => unknown][] = [];
  const nodes = new Map<string, NodeFetcher>();
  const nodeBatches = new Map<string, NodeBatchFetcher>();
  const listeners: Listener<Context, any>[] = [];
  const routes: RouteMount[] = [];
  const tasks = new Map<string, JobTask>();
  const cron: CronJob[] = [];
  for (const m of all) {
    claim('module', m.name, m.name);
    for (const e of m.entities ?? []) (claim('entity', e.name, m.name), entities.push(e));
    for (const r of m.resolvers ?? []) (claim('resolver', r.name, m.name), resolvers.push(r));
    for (const [key, make] of Object.entries(m.loaders ?? {})) (claim('loader group', key, m.name), factories.push([key, make as (em: EntityManager) => unknown]));
    for (const [type, fetch] of Object.entries(m.nodes ?? {})) {
      claim('node type', type, m.name);
      if (typeof fetch === 'function') nodes.set(type, fetch);
      else (nodes.set(type, fetch.one), nodeBatches.set(type, fetch.many));
    }
    for (const l of m.listeners ?? []) (claim('listener', l.id, m.name), listeners.push(l));
    if (m.routes) routes.push(m.routes);
    for (const [name, task] of Object.entries(m.jobs?.tasks ?? {})) (claim('job task', name, m.name), tasks.set(name, task));
    for (const c of m.jobs?.cron ?? []) (claim('cron item', c.id, m.name), cron.push(c));
  }
  const createLoaders = (em: EntityManager) => Object.fromEntries(factories.map(([key, make]) => [key, make(em)])) as unknown as Loaders;
  return { entities, resolvers, routes, jobs: { tasks, cron }, kernel: { createLoaders, nodes, nodeBatches, events: new EventBus<Context>(listeners) } };
}
