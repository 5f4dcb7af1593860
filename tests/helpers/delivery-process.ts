/**
 * A second instance in its own process, for the test of an instance killed mid-delivery: it boots the
 * application against the test's database (migrations already applied, no job worker, no demo data), with
 * its clock fixed at `now`, then delivers one outbox message as the job worker would (lease, send, mark
 * sent). The test points its SMTP_URL at a server that never answers DATA, so it stays inside `send` while
 * holding the lease, until the test kills it (SIGKILL: no stop, no clean-up, no lease released).
 *
 *   node --import tsx tests/helpers/delivery-process.ts '{"config":{…},"now":"…","tenantId":"…","deliveryId":"…","holder":"…"}'
 *
 * It prints one JSON line per step on stdout: {"step":"booted"}, then {"step":"done","outcome":…} if the
 * send ever returned.
 */
import 'reflect-metadata';
import pino from 'pino';
import { application, boot } from '../../src/app/boot.js';
import { ManualClock } from '../../src/core/clock.js';
import { loadConfig, type Config } from '../../src/core/config.js';
import { deliver } from '../../src/modules/notification/notification.delivery.js';
import { TEST_PROVINCES } from './global-setup.js';

interface Args {
  config: Partial<Config>;
  now: string;
  tenantId: string;
  deliveryId: string;
  holder: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const clock = new ManualClock(new Date(args.now));
const config = loadConfig({}, { tenantProvinces: [...TEST_PROVINCES], port: 0, host: '127.0.0.1', seedDemo: false, jobsWorker: false, ...args.config });
const running = await boot(config, log, clock);
process.stdout.write(`${JSON.stringify({ step: 'booted' })}\n`);
const deps = { orm: running.orm, kernel: application().kernel, jwtSecret: running.db.jwtSecret, clock, config, log };
const outcome = await deliver(deps, args.tenantId, args.deliveryId, args.holder).catch((e: unknown) => `FAILED: ${(e as Error).message}`);
process.stdout.write(`${JSON.stringify({ step: 'done', outcome })}\n`);
await running.stop();
