/**
 * Entry point of `npm start` and `npm run signal`: reads the configuration, starts the
 * node, and shuts it down gracefully on SIGTERM/SIGINT (WebSockets closed with 1001, exit 0).
 */
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createSignalingServer } from './server.js';

function main(): void {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`parley: ${error.message}\n`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  let node;
  try {
    node = createSignalingServer({ ...config, logger: log });
  } catch (error: unknown) {
    log.error('cannot start', { error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  node.ready.catch((error: unknown) => {
    log.error('cannot listen', { error: error instanceof Error ? error.message : String(error), port: config.port });
    process.exit(1);
  });
  const shutdown = (signal: string): void => {
    log.info('shutting down', { signal });
    node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main();
