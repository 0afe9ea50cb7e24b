import type { Page } from 'puppeteer-core';
import { silentLogger } from '../log.ts';
import { BrowserReplyTransport } from './browser.ts';
import { DeliveryError, type DeliveryTarget } from './types.ts';

const TARGET: DeliveryTarget = { sessionId: 's1', url: 'https://www.whatnot.com/live/s1', platform: 'whatnot', source: 'browser', profile: null };

/** A page that loads, but whose chat input never appears (waitForSelector times out as puppeteer's does). */
function pageWithoutInput(log: string[]): Page {
  const page = {
    setRequestInterception: () => Promise.resolve(),
    on: () => page,
    goto: (url: string) => {
      log.push(`goto ${url}`);
      return Promise.resolve(null);
    },
    waitForSelector: (selector: string) => {
      log.push(`wait ${selector}`);
      const error = new Error(`Waiting for selector \`${selector}\` failed`);
      error.name = 'TimeoutError';
      return Promise.reject(error);
    },
    isClosed: () => false,
    close: () => {
      log.push('close');
      return Promise.resolve();
    },
  };
  return page as unknown as Page;
}

describe('browser reply transport', () => {
  test('a loaded page without a chat input fails for good (no_chat_input, not retryable), and the page is closed', async () => {
    const log: string[] = [];
    const transport = new BrowserReplyTransport({ openPage: () => Promise.resolve(pageWithoutInput(log)), profilesDir: '/nonexistent', logger: silentLogger() });
    const failure = await transport.send(TARGET, 'We ship Mondays').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DeliveryError);
    expect(failure).toMatchObject({ reason: 'no_chat_input', retryable: false });
    expect(log).toEqual([`goto ${TARGET.url}`, "wait [data-testid='chat-input']", 'close']);
    await transport.close();
  });
});
