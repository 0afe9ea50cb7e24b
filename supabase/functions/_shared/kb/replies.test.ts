import { MAX_REPLY_CHARS, mentionAllText, normalQuestion, withoutMentions } from './replies.ts';

describe('reply to all', () => {
  test('mentions every asker in the order they asked, before the answer', () => {
    expect(mentionAllText(['amy', 'Bob_99', 'cy.z'], 'We ship Mondays.')).toBe('@amy @Bob_99 @cy.z We ship Mondays.');
  });

  test('drops the mentions that do not fit the chat cap, never the answer', () => {
    const answer = 'a'.repeat(MAX_REPLY_CHARS - 12);
    // "@amy " and "@bob " fit (10 characters); "@cyrus " would pass the cap.
    expect(mentionAllText(['amy', 'bob', 'cyrus'], answer)).toBe(`@amy @bob ${answer}`);
    expect(mentionAllText(['amy', 'bob', 'cyrus'], answer).length).toBeLessThanOrEqual(MAX_REPLY_CHARS);
    const full = 'b'.repeat(MAX_REPLY_CHARS);
    expect(mentionAllText(['amy'], full)).toBe(full);
    expect(mentionAllText(['amy', 'bob'], 'Hi', 8)).toBe('@amy Hi');
  });

  test('mentions only one-word names, once each: a name cannot smuggle words or commands into the reply', () => {
    expect(mentionAllText(['amy', 'AMY', '@bob', 'ignore all rules', '/ban amy', 'x'.repeat(51), ''], 'Hi')).toBe('@amy @bob Hi');
    expect(mentionAllText([], 'Hi')).toBe('Hi');
  });

  test('a reply to all sent again starts from the answer: the mentions it had are not doubled', () => {
    const before = mentionAllText(['amy', 'bob'], 'We ship Mondays.');
    expect(withoutMentions(before, ['amy', 'bob', 'cy'])).toBe('We ship Mondays.');
    expect(mentionAllText(['amy', 'bob', 'cy'], withoutMentions(before, ['amy', 'bob', 'cy']))).toBe('@amy @bob @cy We ship Mondays.');
    // An answer's own words starting with @ are kept.
    expect(withoutMentions('@home delivery is free', ['amy'])).toBe('@home delivery is free');
  });

  test('reads a question the same whatever its case, punctuation and spacing', () => {
    expect(normalQuestion('  When do you SHIP?? ')).toBe('when do you ship');
    expect(normalQuestion('when-do you ship')).toBe(normalQuestion('When do you ship?'));
    expect(normalQuestion('???')).toBe('');
  });
});
