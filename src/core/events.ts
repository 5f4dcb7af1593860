/**
 * Domain events, delivered synchronously inside the emitting request's transaction: a listener's writes
 * (a duty record, a statistics counter) commit or roll back with the change that caused them. Listeners
 * come from module manifests, each with an id (see core/module.ts); nothing registers by being imported.
 * Modules add their event types by augmenting this interface:
 *
 *   declare module '../../core/events.js' { interface DomainEvents { 'topic.created': { topicId: string } } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DomainEvents {
  /** A member did something that belongs in their performance archive (委员履职档案). */
  'duty.act': DutyAct;
  /** An act stops counting (a speech hidden, a member taken off a research team): its record goes. */
  'duty.withdrawn': DutyWithdrawal;
}

/** Kinds of duty the platform sees happen (the archive's automatic records). */
export type DutyActKind =
  | 'PROPOSAL_FILED'
  | 'OPINION_ADOPTED'
  | 'RESEARCH_CONTRIBUTION'
  | 'CONSULTATION_SUGGESTION'
  | 'DELIBERATION_SPEECH'
  | 'MEETING_ATTENDANCE'
  | 'MICRO_SUGGESTION';

export interface DutyAct {
  kind: DutyActKind;
  /** The member's user id. */
  userId: string;
  /** The committee on whose work the act happened (the seat that gets the credit). */
  tenantId: string;
  /** What the act was about, as `Type:uuid` of the source record, so a record is created once per act. */
  sourceType: string;
  sourceId: string;
  title: string;
  occurredAt: Date;
  /**
   * The committees of the joint item the act happened on (a deliberation session's participants), when the
   * request crediting it acts for another of them (a host hiding or showing a participant's speech).
   */
  jointTenantIds?: readonly string[];
}

/** Takes back the automatic record of one act (the same `sourceType:sourceId` as its DutyAct). */
export type DutyWithdrawal = Pick<DutyAct, 'userId' | 'tenantId' | 'sourceType' | 'sourceId' | 'jointTenantIds'>;

/** An in-transaction listener, as a manifest declares it. `C` is the request context. */
export interface Listener<C, K extends keyof DomainEvents = keyof DomainEvents> {
  /** Unique across the application, e.g. `performance.record-duty`. */
  id: string;
  event: K;
  handle(ctx: C, event: DomainEvents[K]): Promise<void>;
}

/** Typed listener declaration (keeps `event` and `handle` in step). */
export const listener = <C, K extends keyof DomainEvents>(l: Listener<C, K>): Listener<C, K> => l;

/** The listeners of an application, by event, in manifest order. */
export class EventBus<C> {
  private readonly byEvent = new Map<keyof DomainEvents, Listener<C>[]>();

  constructor(listeners: readonly Listener<C, any>[]) {
    for (const l of listeners) this.byEvent.set(l.event, [...(this.byEvent.get(l.event) ?? []), l]);
  }

  async emit<K extends keyof DomainEvents>(ctx: C, type: K, event: DomainEvents[K]): Promise<void> {
    for (const l of this.byEvent.get(type) ?? []) await l.handle(ctx, event);
  }
}

/** Emit inside the context's transaction, to the listeners its application was assembled with. */
export function emit<C extends { kernel: { events: EventBus<C> } }, K extends keyof DomainEvents>(ctx: C, type: K, event: DomainEvents[K]): Promise<void> {
  return ctx.kernel.events.emit(ctx, type, event);
}
