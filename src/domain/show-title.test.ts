import { cleanTitle, MAX_TITLE_LENGTH } from './show-title.ts';

describe('cleanTitle: a show title from a page or a seller', () => {
  test('drops the platform name and the unread count, keeps the show', () => {
    expect(cleanTitle("Hannah's Vintage: Friday denim drop - YouTube")).toBe("Hannah's Vintage: Friday denim drop");
    expect(cleanTitle('(3) Sneaker breaks all night | Whatnot')).toBe('Sneaker breaks all night');
    expect(cleanTitle('cards — Twitch')).toBe('cards');
    expect(cleanTitle('Live on TikTok LIVE')).toBe('Live on TikTok LIVE');
    expect(cleanTitle('Kick')).toBe('Kick');
  });

  test('is one clean line: control characters, lone surrogates and runs of space go', () => {
    expect(cleanTitle('Big\u0000 show\n\n\ttonight \ud800')).toBe('Big show tonight');
  });

  test('is capped without splitting a character, and nothing left is no title', () => {
    const long = cleanTitle('👍'.repeat(400))!;
    expect(long.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
    expect(long).toBe('👍'.repeat(MAX_TITLE_LENGTH / 2));
    expect(cleanTitle('  \u0000 ')).toBeUndefined();
    expect(cleanTitle(42)).toBeUndefined();
    expect(cleanTitle('- YouTube')).toBeUndefined();
  });
});
