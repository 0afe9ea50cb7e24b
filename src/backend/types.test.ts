import { toSessionUpsert } from './types.ts';
import type { SessionInfo } from '../domain/message.ts';
import { sessionInfo } from '../../test/support/builders.ts';

const info: SessionInfo = sessionInfo('s1', { url: 'https://www.whatnot.com/live/x' });

describe('toSessionUpsert', () => {
  test('scrubs a session saved before text was scrubbed at the edge: sellers, detail and url store', () => {
    const row = toSessionUpsert({ ...info, url: `${info.url}\u0000`, detail: 'line 1\n\u0000line 2\ud800', sellers: ['hann\u0000ah', '\u0000', ` ${'n'.repeat(199)}😀`] });
    expect(row).toMatchObject({ url: info.url, detail: 'line 1\nline 2', sellers: ['hannah', 'n'.repeat(199)] });
    expect(toSessionUpsert({ ...info, sellers: ['\u0000'] })).not.toHaveProperty('sellers');
  });
});
