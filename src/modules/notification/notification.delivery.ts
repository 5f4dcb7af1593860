import nodemailer, { type Transporter } from 'nodemailer';
import { runForCommittee, type ContextDeps } from '../../core/context.js';

/** One outbox row, as the delivery reads it. */
interface Delivery {
  id: string;
  channel: 'EMAIL' | 'SMS';
  address: string;
  subject: string;
  body: string;
  attempts: number;
}

const transports = new Map<string, Transporter>();
const mailer = (url: string): Transporter => {
  let t = transports.get(url);
  if (!t) transports.set(url, (t = nodemailer.createTransport(url)));
  return t;
};

async function send(deps: ContextDeps, d: Delivery): Promise<void> {
  if (d.channel === 'EMAIL') {
    if (!deps.config.smtpUrl) throw new Error('SMTP_URL is not set');
    // The delivery id is the Message-ID: a receiver can drop the copy of a message sent again after a crash.
    await mailer(deps.config.smtpUrl).sendMail({ from: deps.config.mailFrom, to: d.address, subject: d.subject, text: d.body, messageId: `<${d.id}@cppcc-linkage>` });
    return;
  }
  if (!deps.config.smsGatewayUrl) throw new Error('SMS_GATEWAY_URL is not set');
  const res = await fetch(deps.config.smsGatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ id: d.id, to: d.address, text: d.body }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`SMS gateway answered ${res.status}`);
}

export type DeliveryOutcome = 'SENT' | 'NOT_DUE' | 'TAKEN';

/**
 * Sends one outbox message. It is first leased (in its own short transaction, for the committee): only a
 * message not yet sent, due (quiet hours over), and not leased by an instance whose lease still runs can be
 * taken, so two instances never send it at once, and one that died mid-delivery leaves it to another when
 * its lease runs out. Sent, it is marked so under the same lease. A failure clears the lease and throws, so
 * the job retries with backoff; the request that caused the message finished long before.
 */
export async function deliver(deps: ContextDeps, tenantId: string, deliveryId: string, holder: string): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  const leaseUntil = new Date(now.getTime() + deps.config.deliveryLeaseSeconds * 1000);
  const taken = await runForCommittee(deps, tenantId, `deliver:${deliveryId}`, (ctx) =>
    ctx.em.execute<(Delivery & { due: boolean })[]>(
      `update notification_delivery set leased_by = ?, lease_until = ?, attempts = attempts + 1
        where id = ? and sent_at is null and not_before <= ? and (lease_until is null or lease_until <= ?)
        returning id, channel, address, subject, body, attempts`,
      [holder, leaseUntil, deliveryId, now, now],
    ),
  );
  const d = taken[0];
  if (!d) {
    const [row] = await runForCommittee(deps, tenantId, `deliver:${deliveryId}`, (ctx) =>
      ctx.em.execute<{ sent: boolean; due: boolean }[]>('select sent_at is not null as sent, not_before <= ? as due from notification_delivery where id = ?', [now, deliveryId]),
    );
    return row && !row.sent && !row.due ? 'NOT_DUE' : 'TAKEN';
  }
  try {
    await send(deps, d);
  } catch (e) {
    await runForCommittee(deps, tenantId, `deliver:${deliveryId}`, (ctx) =>
      ctx.em.execute('update notification_delivery set lease_until = null, leased_by = null, last_error = ? where id = ? and leased_by = ?', [String((e as Error).message).slice(0, 500), deliveryId, holder]),
    );
    throw e;
  }
  await runForCommittee(deps, tenantId, `deliver:${deliveryId}`, (ctx) =>
    ctx.em.execute('update notification_delivery set sent_at = ?, last_error = null where id = ? and leased_by = ?', [deps.clock.now(), deliveryId, holder]),
  );
  return 'SENT';
}

/** Messages of the committee that are due and not held by a live lease: what the sweep hands to the queue again. */
export async function dueDeliveries(deps: ContextDeps, tenantId: string): Promise<string[]> {
  const now = deps.clock.now();
  const rows = await runForCommittee(deps, tenantId, 'deliveries-due', (ctx) =>
    ctx.em.execute<{ id: string }[]>(
      `select id from notification_delivery where tenant_id = ? and sent_at is null and not_before <= ? and (lease_until is null or lease_until <= ?) order by not_before limit 500`,
      [tenantId, now, now],
    ),
  );
  return rows.map((r) => r.id);
}
