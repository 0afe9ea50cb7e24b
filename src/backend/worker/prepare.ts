/**
 * Creates and migrates a new embedded database, in a child process of its own (started by
 * worker-backend.ts): initdb grows PGlite's WebAssembly memory to ~400 MB, which never shrinks; in a
 * process that then exits, the service never carries it. Options arrive as JSON in
 * EARSHOT_PREPARE_OPTIONS; exit code 0 = ready.
 */
import { prepareDatabase } from '../embedded.ts';

// The service went away (its IPC channel closed): stop rather than outlive it.
process.on('disconnect', () => process.exit(1));

const options = JSON.parse(process.env.EARSHOT_PREPARE_OPTIONS ?? '{}') as Parameters<typeof prepareDatabase>[0];
prepareDatabase(options).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
