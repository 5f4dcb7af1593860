import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './core/config.js';
import { createLogger } from './core/logger.js';
import { boot } from './app/boot.js';

let config: Config;
try {
  config = loadConfig();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
const log = createLogger(config.logLevel);

/**
 * SIGTERM, SIGINT (Ctrl-C) and SIGHUP stop the server in order: stop accepting, answer what is in flight
 * (keep-alive clients are told to close), close WebSockets with 1001, close the pool, stop the embedded
 * PostgreSQL, exit 0. The handlers stay installed for the whole run: `npm start` runs `tsx src/main.ts`,
 * and a signal to its process group reaches npm, tsx and this process alike; npm and tsx pass theirs on, and
 * tsx kills its child outright unless the child still has a listener for that signal (its own hidden
 * listener, which tells tsx the child got it, must stay too: never `removeAllListeners` here). A second
 * signal during the stop changes nothing; past the grace period and a margin the process exits with 1.
 */
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

// Installed before booting: a signal that comes while it boots stops the server as soon as it is up.
const booting = boot(config, log);
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) {
    log.info({ signal }, 'already shutting down');
    return;
  }
  stopping = true;
  const started = Date.now();
  log.info({ signal }, 'shutting down');
  setTimeout(() => {
    log.error({ ms: Date.now() - started }, 'shutdown timed out');
    process.exit(1);
  }, config.shutdownGraceMs + 4000).unref();
  try {
    await (await booting).stop();
    log.info({ ms: Date.now() - started }, 'stopped');
    process.exit(0);
  } catch (e) {
    log.error({ err: e }, 'shutdown failed');
    process.exit(1);
  }
};
for (const signal of SIGNALS) process.on(signal, () => void shutdown(signal));

try {
  await booting;
} catch (e) {
  log.fatal({ err: e }, 'failed to start');
  process.exit(1);
}
