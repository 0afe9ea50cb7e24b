/// <reference types="jest" />
import { replyReasonText } from './reply-reasons.ts';

describe('replyReasonText: a failed reply said in words', () => {
  it('says what happened and what to do for the codes the outbox stores', () => {
    expect(replyReasonText('no_chat_input')).toBe('This page has no chat box Earshot can type into: copy the answer and post it yourself.');
    for (const code of ['no_transport', 'profile_missing', 'expired', 'attempts_exhausted', 'quotaExceeded']) {
      const text = replyReasonText(code);
      expect(text).not.toContain(code);
      expect(text).toMatch(/copy the answer/);
    }
  });

  it('keeps an unknown code visible, with what to do', () => {
    expect(replyReasonText('weird_thing')).toBe('It could not be posted (weird_thing): copy the answer and post it yourself.');
  });
});
