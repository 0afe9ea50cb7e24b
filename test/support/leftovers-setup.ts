/**
 * jest globalSetup: marks this run so that leftovers-teardown.ts can find every process it started.
 * Global setup files are loaded without jest's module mapping, so they import nothing relative.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';

export default function leftoversSetup(): void {
  // Set before jest forks its workers: they, and everything they start, inherit both.
  const marker = randomUUID();
  process.env.EARSHOT_TEST_RUN = marker;
  // Children started with an environment of their own (Deno) are recorded here (trackChild in leftovers.ts).
  process.env.EARSHOT_TEST_RUN_DIR = fs.mkdtempSync(`${os.tmpdir()}/earshot-test-run-`);
}
