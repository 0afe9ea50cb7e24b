#!/usr/bin/env node
/** The `earshot` command: `serve` (default) runs the service; `replay` runs a chat log through the rules. */
import { ConfigError, loadConfig } from './config.ts';
import { startService } from './main.ts';

const USAGE = `Usage:
  earshot serve                      run the service (HOST, PORT, DATA_DIR... from the environment)
  earshot replay <chat.jsonl> [--kb <file>]... [--platform <name>]
                                     classify a chat log; one JSON line out per line in
`;

async function serve(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const service = await startService(config);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    service.logger.info({ signal }, 'signal received');
    // Never hang on shutdown: exit within 10 s whatever happens.
    const force = setTimeout(() => process.exit(1), 9_500);
    force.unref();
    service.close().then(
      () => process.exit(0),
      (error) => {
        service.logger.error({ err: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => service.logger.error({ err: String(reason) }, 'unhandled rejection'));
}

export async function main(argv: string[]): Promise<void> {
  const [command = 'serve', ...rest] = argv;
  switch (command) {
    case 'serve':
      await serve();
      return;
    case 'replay': {
      const { runReplay } = await import('./replay.ts');
      process.exitCode = await runReplay(rest, process.stdout, process.stderr);
      return;
    }
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`Unknown command: ${command}\n${USAGE}`);
      process.exitCode = 64;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
