import { run, parseCronItems, makeWorkerUtils, type Runner, type Task, type JobHelpers as WorkerHelpers, type WorkerUtils, type Logger as WorkerLogger, type LogFunctionFactory } from 'graphile-worker';
import { Logger as GraphileLogger } from 'graphile-worker';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { ContextDeps } from './context.js';

/**
 * Background work (scheduled sweeps, reminders, notification delivery) on graphile-worker, in the same
 * PostgreSQL: jobs are rows, so they survive restarts; a job is locked by one worker at a time across every
 * instance (SKIP LOCKED), failures retry with exponential backoff, cron items run once per slot however many
 * instances run, and workers wake on LISTEN/NOTIFY with a poll behind it. The worker's tables live in their
 * own schema (`graphile_worker`), created and used by the owner role; committee work inside a job runs as the
 * application role through runInContext or runForCommittee, with both walls on, never "all committees".
 */

/** What a task gets besides its payload. */
export interface JobHelpers {
  deps: ContextDeps;
  log: Logger;
  /** graphile-worker's job row: id, attempts so far, its key. */
  job: { id: string; attempts: number; maxAttempts: number; key: string | null };
  /** Enqueue more work from inside a task (fan-out); `jobKey` replaces a pending job with the same key. */
  addJob(task: string, payload: object, options?: { jobKey?: string; runAt?: Date; maxAttempts?: number }): Promise<void>;
}

/** A task as a module declares it. Throwing fails the attempt; it is retried with backoff. */
export type JobTask = (payload: Record<string, unknown>, helpers: JobHelpers) => Promise<void>;

/** A recurring job: `schedule` is crontab (UTC), e.g. `*\/5 * * * *`. */
export interface CronJob {
  task: string;
  schedule: string;
  /** Unique name of the schedule (graphile-worker remembers the last slot it ran under this name). */
  id: string;
  payload?: Record<string, unknown>;
}

export interface JobsDeclaration {
  tasks?: Record<string, JobTask>;
  cron?: CronJob[];
}

/** Task names: `module.verb-noun`, as app_enqueue_job checks too (migration 0030). */
export const TASK_NAME = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/;

/**
 * Enqueue inside the caller's transaction, as the application role: the job exists exactly when the work that
 * asked for it commits (an outbox). app_enqueue_job stamps the acting committee into the payload
 * (`enqueuedBy`) and prefixes the key with it, so a committee can neither pose as another nor replace another's job.
 */
export async function enqueue(em: EntityManager, task: string, payload: object, options: { jobKey?: string; runAt?: Date } = {}): Promise<void> {
  if (!TASK_NAME.test(task)) throw new Error(`task name ${task} is not module.verb-noun`);
  await em.execute('select app_enqueue_job(?, ?::jsonb, ?, ?::timestamptz)', [task, JSON.stringify(payload), options.jobKey ?? null, options.runAt ?? null]);
}

export interface Jobs {
  /** Enqueue from outside a request (operators, tests): as the owner, without the committee stamp. */
  add(task: string, payload?: object, options?: { jobKey?: string; runAt?: Date; maxAttempts?: number }): Promise<void>;
  stop(): Promise<void>;
}

function workerLogger(log: Logger): WorkerLogger {
  const factory: LogFunctionFactory = (scope) => (level, message, meta) => {
    const l = level === 'error' ? 'error' : level === 'warning' ? 'warn' : level === 'info' ? 'debug' : 'trace';
    log[l]({ ...scope, ...(meta as object) }, message);
  };
  return new GraphileLogger(factory);
}

/** Creates (or brings up to date) the worker's own schema; run under the start-up lock with the migrations. */
export async function migrateJobs(ownerUrl: string, log: Logger): Promise<void> {
  const utils = await makeWorkerUtils({ connectionString: ownerUrl, logger: workerLogger(log) });
  try {
    await utils.migrate();
  } finally {
    await utils.release();
  }
}

/**
 * Starts this instance's worker (unless `run` is false: then it only enqueues). `stop` lets running jobs
 * finish and releases their locks; a job of an instance that died stays locked until graphile-worker's
 * lock timeout, so work that must move on sooner (deliveries) keeps its own lease in its own table.
 */
export async function startJobs(opts: { ownerUrl: string; deps: ContextDeps; declarations: Map<string, JobTask>; cron: CronJob[]; run: boolean; concurrency: number; pollMs: number; log: Logger }): Promise<Jobs> {
  const log = opts.log.child({ component: 'jobs' });
  const utils: WorkerUtils = await makeWorkerUtils({ connectionString: opts.ownerUrl, logger: workerLogger(log) });
  const addJob: JobHelpers['addJob'] = async (task, payload, o = {}) => {
    await utils.addJob(task, payload, { jobKey: o.jobKey, runAt: o.runAt, maxAttempts: o.maxAttempts ?? 10 });
  };
  let runner: Runner | undefined;
  let stopped = false;
  if (opts.run) {
    const taskList: Record<string, Task> = {};
    for (const [name, task] of opts.declarations) {
      taskList[name] = async (payload: unknown, h: WorkerHelpers) => {
        const job = { id: String(h.job.id), attempts: h.job.attempts, maxAttempts: h.job.max_attempts, key: h.job.key ?? null };
        await task((payload ?? {}) as Record<string, unknown>, { deps: opts.deps, log: log.child({ task: name, jobId: job.id }), job, addJob });
      };
    }
    const options = {
      connectionString: opts.ownerUrl,
      concurrency: opts.concurrency,
      pollInterval: opts.pollMs,
      noHandleSignals: true,
      logger: workerLogger(log),
      taskList,
      parsedCronItems: parseCronItems(opts.cron.map((c) => ({ task: c.task, match: c.schedule, identifier: c.id, payload: c.payload ?? {}, options: { backfillPeriod: 0, maxAttempts: 3 } }))),
      // Completing and failing jobs go through graphile-worker's batches, which retry while the database is
      // away (the unbatched path leaves a failed write as an unhandled rejection).
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    };
    const start = async (): Promise<void> => {
      runner = await run(options);
      // A worker pool that gave up (the database away for minutes) is started again, until stop().
      runner.promise.catch((e: unknown) => {
        if (stopped) return;
        log.error({ err: e }, 'job worker stopped; starting it again in 5 s');
        setTimeout(() => void (stopped ? undefined : start().catch((err) => log.error({ err }, 'job worker did not start'))), 5000).unref();
      });
    };
    await start();
  }
  let stopping: Promise<void> | undefined;
  return {
    add: addJob,
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        if (runner) await runner.stop().catch((e: unknown) => log.warn({ err: e }, 'job worker stop'));
        await utils.release();
      })()),
  };
}
