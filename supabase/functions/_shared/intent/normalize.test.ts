import { normalize, tokenize, MAX_CLASSIFY_CHARS } from './normalize.ts';

describe('normalize', () => {
  test.each([
    ['SOOOOLD!!!', 'sold'],
    ['soold', 'sold'],
    ['miiiine', 'mine'],
    ['pleeeease', 'please'],
    ['plz', 'please'],
    ["I'll take it", 'i will take it'],
    ['I\u2019ll take it', 'i will take it'],
    ['ill take it', 'i will take it'],
    ['ill be back', 'i will be back'],
    ['feeling ill today', 'feeling ill today'],
    ["i'm claiming", 'i am claiming'],
    ["what's the price?", 'what is the price ?'],
    ['how much??', 'how much ?'],
    ['sold 🔥🔥 #14', 'sold #14'],
    ['mine # 14', 'mine #14'],
    ['sold $ 45', 'sold $45'],
    ['sold 45$', 'sold $45'],
    ['sold 10.5.', 'sold 10.5'],
    ['sold x-large', 'sold xl'],
    ['sold extra small', 'sold xs'],
    ['sold 2×', 'sold 2x'],
    ['@host_hannah mine', '@ mine'],
    ['🙋‍♀️', 'me'],
    ['✋🏽', 'me'],
    ['u ship to canada', 'you ship to canada'],
    ["levi's 501", 'levis 501'],
    ['ＳＯＬＤ', 'sold'],
    ['', ''],
    ['🔥🔥🔥', ''],
  ])('%j -> %j', (input, expected) => {
    expect(normalize(input)).toBe(expected);
  });

  test('keeps long digit runs (only letters are squeezed)', () => {
    expect(normalize('sold 1000')).toBe('sold 1000');
  });

  test('looks only at the first MAX_CLASSIFY_CHARS characters', () => {
    const tokens = tokenize(`sold ${'x'.repeat(MAX_CLASSIFY_CHARS * 10)} mine`);
    expect(tokens[0]).toBe('sold');
    expect(tokens).not.toContain('mine');
  });
});
