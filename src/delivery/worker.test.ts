import { retryDelayMs } from './worker.ts';
import { chatInputSelector } from './chat-inputs.ts';

describe('delivery', () => {
  test('backs off exponentially with bounded jitter, at most about 30 s', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, () => 0))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelayMs(2, () => 1)).toBe(2_500);
    expect(retryDelayMs(20, () => 0)).toBe(30_000);
  });

  test('types only where a chat input is known', () => {
    expect(chatInputSelector('whatnot')).toBe("[data-testid='chat-input']");
    expect(chatInputSelector('youtube')).toBeUndefined();
    expect(chatInputSelector('generic')).toBeUndefined();
  });
});
