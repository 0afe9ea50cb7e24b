/// <reference types="jest" />
import { askedByText, replyDetailText, replyReasonText } from './reply-reasons.ts';

describe('replyReasonText: a failed reply said in words', () => {
  it('says what happened and what to do for the codes the outbox stores', () => {
    expect(replyReasonText('no_chat_input')).toBe(
      "Earshot opened the show's page but found no chat box to type into (signed out, or the chat is closed): copy the answer and post it yourself.",
    );
    for (const code of ['no_transport', 'profile_missing', 'expired', 'attempts_exhausted', 'quotaExceeded']) {
      const text = replyReasonText(code);
      expect(text).not.toContain(code);
      expect(text).toMatch(/copy the answer/);
    }
  });

  it('keeps an unknown code visible, with what to do', () => {
    expect(replyReasonText('weird_thing')).toBe('It could not be posted (weird_thing): copy the answer and post it yourself.');
  });

  it('says a reason by the reply\'s status: failed, being retried, or held back as a suggestion', () => {
    expect(replyDetailText('failed', 'no_chat_input')).toBe(replyReasonText('no_chat_input'));
    expect(replyDetailText('pending', 'page_error')).toBe('Posting failed once; trying again.');
    expect(replyDetailText('suggested', 'rate_limited')).toMatch(/^Held back: .*this minute/);
    expect(replyDetailText('suggested', 'duplicate')).toBe('Held back: the same answer was posted a moment ago.');
    expect(replyDetailText('suggested', 'no_transport')).toBe(replyReasonText('no_transport'));
  });
});

describe('askedByText: who a merged suggestion is for', () => {
  it('names up to three askers, then counts the rest', () => {
    expect(askedByText([])).toBe('');
    expect(askedByText(['amy'])).toBe('asked by amy');
    expect(askedByText(['amy', 'bob'])).toBe('asked by amy and bob');
    expect(askedByText(['amy', 'bob', 'cy'])).toBe('asked by amy, bob and cy');
    expect(askedByText(['amy', 'bob', 'cy', 'dee', 'eve', 'fay'])).toBe('asked by amy, bob and 4 more');
  });
});
