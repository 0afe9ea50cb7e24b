import type { SessionStatus } from '../../domain/message.ts';
import { silentLogger } from '../../log.ts';
import type { ChatSource } from '../source.ts';
import { FallbackSource } from './fallback.ts';

/** A source that records what is done to it. */
function recorder(kind: 'api' | 'browser', log: string[], options: { failStart?: boolean } = {}): ChatSource {
  return {
    kind,
    async start() {
      log.push(`${kind}.start`);
      if (options.failStart) throw new Error('no browser');
    },
    async stop() {
      log.push(`${kind}.stop`);
    },
    describe: () => ({ path: kind }),
    saveState: () => ({ from: kind }),
  };
}

/** An API source that can give up, a browser fallback, and what happened to both. */
function harness(options: { browserFails?: boolean } = {}) {
  const log: string[] = [];
  const statuses: Array<[SessionStatus, string | undefined]> = [];
  let switchOver!: (reason: string) => void;
  const source = new FallbackSource({
    sessionId: 's',
    sink: { messages: () => undefined, deleted: () => undefined, status: (s, d) => statuses.push([s, d]) },
    logger: silentLogger(),
    primary: (callback) => {
      switchOver = callback;
      return recorder('api', log);
    },
    fallback: () => recorder('browser', log, { failStart: options.browserFails }),
  });
  return { source, log, statuses, giveUp: (reason: string) => switchOver(reason) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FallbackSource', () => {
  it('stops the API source and starts the browser when the API gives up', async () => {
    const { source, log, giveUp } = harness();
    await source.start();
    expect(source.kind).toBe('api');
    giveUp('quotaExceeded');
    giveUp('quotaExceeded'); // a second call does not switch twice
    await settle();
    expect(log).toEqual(['api.start', 'api.stop', 'browser.start']);
    expect(source.kind).toBe('browser');
    expect(source.describe()).toEqual({ path: 'browser', fallbackFrom: 'api', fallbackReason: 'quotaExceeded' });
    expect(source.saveState()).toEqual({ from: 'browser' });
    await source.stop();
    expect(log[log.length - 1]).toBe('browser.stop');
  });

  it('does not start the browser when the session was stopped meanwhile', async () => {
    const { source, log, giveUp } = harness();
    await source.start();
    giveUp('quotaExceeded');
    await source.stop();
    await settle();
    expect(log).not.toContain('browser.start');
  });

  it('reports an error status when the browser cannot start', async () => {
    const { source, statuses, giveUp } = harness({ browserFails: true });
    await source.start();
    giveUp('quotaExceeded');
    await settle();
    await settle();
    expect(statuses).toEqual([['error', 'fallback failed: no browser']]);
  });
});
