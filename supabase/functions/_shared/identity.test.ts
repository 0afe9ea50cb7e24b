import {
  contentKey,
  contentSignature,
  isPositional,
  messageKey,
  platformId,
  positionalId,
  positionOf,
  runPrefix,
} from './identity.ts';
import { MAX_ID_LENGTH } from './text.ts';

describe('message identity', () => {
  test('platform ids are cleaned like captured text and capped for the store', () => {
    expect(platformId('  LCC.a\u0007b  ')).toBe('LCC.ab');
    expect(platformId('a \n\t b')).toBe('a b');
    expect(platformId('x'.repeat(MAX_ID_LENGTH + 50))).toHaveLength(MAX_ID_LENGTH);
    expect(platformId('show-7')).toBe('show-7');
  });

  test('an id that is not a usable string is empty', () => {
    expect(platformId(undefined)).toBe('');
    expect(platformId(42)).toBe('');
    expect(platformId({ id: 'x' })).toBe('');
    expect(platformId(' \u0000 ')).toBe('');
  });

  test('the run prefix is the start time in base 36, with the run number from the second run on', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(runPrefix(now, 1)).toBe(now.toString(36));
    expect(runPrefix(now, 0)).toBe(now.toString(36));
    expect(runPrefix(now, 2)).toBe(`${now.toString(36)}r2`);
    expect(runPrefix(now, 13)).toBe(`${now.toString(36)}r13`);
  });

  test('positional ids round-trip to their position under their own prefix only', () => {
    expect(positionalId('mk1', 0)).toBe('mk1-0');
    expect(positionOf(positionalId('mk1', 0), 'mk1')).toBe(0);
    expect(positionOf(positionalId('mk1', 4711), 'mk1')).toBe(4711);
    expect(positionOf('mk1-12', 'mk1r2')).toBeUndefined();
    expect(positionOf('mk1r2-12', 'mk1')).toBeUndefined();
    expect(isPositional('mk1-3', 'mk1')).toBe(true);
    expect(isPositional('yt-3', 'mk1')).toBe(false);
  });

  test('a platform id that merely starts with the prefix is not a position', () => {
    for (const id of ['mk1-', 'mk1-abc', 'mk1-3x', 'mk1-03', 'mk1--3', 'mk1-1.5', 'mk13', `mk1-${'9'.repeat(20)}`]) {
      expect(positionOf(id, 'mk1')).toBeUndefined();
    }
  });

  test('the content key ignores case and spacing; the signature keeps the exact text', () => {
    expect(contentKey('Ann', 'Sold  Red')).toBe(contentKey('ann', 'soldred'));
    expect(contentKey('Ann', 'sold')).not.toBe(contentKey('Anns', 'old'));
    expect(contentSignature('Ann', 'Sold  Red')).toBe('Ann\u0000Sold  Red');
    expect(contentSignature('Ann', 'sold')).not.toBe(contentSignature('ann', 'sold'));
    expect(contentKey('Ann', 'Sold Red')).toBe(contentSignature('Ann', 'Sold Red').toLowerCase().replace(/\s+/g, ''));
  });

  test('the store key of a message is its id', () => {
    expect(messageKey({ id: 'mk1-3' })).toBe('mk1-3');
    expect(messageKey({ id: 'LCC.x' })).toBe('LCC.x');
  });
});
