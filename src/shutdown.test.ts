import { silentLogger } from './log.ts';
import { runShutdown } from './shutdown.ts';

test('every step runs in order even when one throws or hangs', async () => {
  const ran: string[] = [];
  const report = await runShutdown(
    [
      { name: 'sessions', run: () => void ran.push('sessions') },
      {
        name: 'backend',
        run: async () => {
          ran.push('backend');
          throw new Error('connection reset');
        },
      },
      { name: 'hub', run: () => new Promise(() => ran.push('hub')), timeoutMs: 20 },
      { name: 'browser', run: async () => void ran.push('browser') },
    ],
    silentLogger(),
  );
  expect(ran).toEqual(['sessions', 'backend', 'hub', 'browser']);
  expect(report.failed.map((f) => f.name)).toEqual(['backend', 'hub']);
  expect(report.failed[0]!.error).toContain('connection reset');
  expect(report.failed[1]!.error).toContain('did not finish within 20 ms');
});

test('a step that throws synchronously is caught like one that rejects', async () => {
  const report = await runShutdown(
    [
      {
        name: 'demo',
        run: () => {
          throw new Error('boom');
        },
      },
      { name: 'after', run: () => undefined },
    ],
    silentLogger(),
  );
  expect(report.failed).toEqual([{ name: 'demo', error: expect.stringContaining('boom') }]);
});
