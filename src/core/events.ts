import type { Context } from './context.js';

/**
 * Domain events, delivered synchronously inside the emitting request's transaction: a listener's writes
 * (a duty record, a statistics counter) commit or roll back with the change that caused them.
 * Modules add their event types by augmenting this interface:
 *
 *   declare module '../../core/events.js' { interface DomainEvents { 'topic.created': { topicId: string } } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DomainEvents {
  /** A member did something that belongs in their performance archive (委员履职档案). */
  'duty.act': DutyAct;
}

/** Kinds of duty the platform sees happen (the archive's automatic records). */
export type DutyActKind =
  | 'PROPOSAL_FILED'
  | 'OPINION_ADOPTED'
  | 'RESEARCH_CONTRIBUTION'
  | 'CONSULTATION_SUGGESTION'
  | 'DELIBERATION_SPEECH'
  | 'MEETING_ATTENDANCE';

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
}

type Handler<K extends keyof DomainEvents> = (ctx: Context, event: DomainEvents[K]) => Promise<void>;
const handlers = new Map<keyof DomainEvents, Handler<any>[]>();

export function on<K extends keyof DomainEvents>(type: K, handler: Handler<K>): void {
  handlers.set(type, [...(handlers.get(type) ?? []), handler]);
}

export async function emit<K extends keyof DomainEvents>(ctx: Context, type: K, event: DomainEvents[K]): Promise<void> {
  for (const h of handlers.get(type) ?? []) await h(ctx, event);
}
