/**
 * Why a reply was not sent, in words a seller can act on. The outbox stores a reason code
 * (src/delivery: the transports' DeliveryError reasons, the outbox's own `expired` and
 * `attempts_exhausted`, the worker's `no_transport`); the dashboard says what happened and what to do.
 */
import { listWords } from './words.ts';

const COPY = 'copy the answer and post it yourself.';

const WORDS: Record<string, string> = {
  no_chat_input: `Earshot opened the show's page but found no chat box to type into (signed out, or the chat is closed): ${COPY}`,
  no_transport: `Earshot cannot post in this chat: ${COPY}`,
  profile_missing: `No signed-in browser profile is set up for this platform, so Earshot cannot post: ${COPY}`,
  profile_invalid: `The browser profile for this platform cannot be read (set it up again), so ${COPY}`,
  browser_unavailable: `The browser that posts replies was not available: ${COPY}`,
  page_error: `The chat page failed while posting: ${COPY}`,
  shutting_down: `The service was shutting down while posting: ${COPY}`,
  no_video: `The show's URL names no YouTube video to post in: ${COPY}`,
  liveChatEnded: 'The stream\u2019s live chat has ended; nothing can be posted there now.',
  quotaExceeded: `Today's YouTube API quota is used up: ${COPY}`,
  rateLimitExceeded: `YouTube is limiting how fast replies are posted: ${COPY}`,
  expired: `Too much time passed before it could be posted (a late answer reads as noise in a live chat). If it still helps, ${COPY}`,
  attempts_exhausted: `Posting failed several times: ${COPY}`,
};

/** The reason in words; an unknown code keeps the code so support can look it up. */
export function replyReasonText(reason: string): string {
  return WORDS[reason] ?? `It could not be posted (${reason}): ${COPY}`;
}

/** Why an answer waits as a suggestion although the show sends answers automatically. */
const HELD: Record<string, string> = {
  rate_limited: 'Held back: the bot already posted as many answers as it may this minute. Send it if it still helps.',
  duplicate: 'Held back: the same answer was posted a moment ago.',
};

/**
 * A reply's reason as the dashboard shows it, by status: a failure in words; a pending reply that failed
 * once is being tried again; a suggestion says why it was held back.
 */
export function replyDetailText(status: string, reason: string): string {
  if (status === 'pending') return 'Posting failed once; trying again.';
  if (status === 'suggested') return HELD[reason] ?? (reason === 'no_transport' ? replyReasonText(reason) : `Held back (${reason}).`);
  return replyReasonText(reason);
}

/** Who asked, in words: "asked by amy", "amy and bob", "amy, bob and cy", "amy, bob and 4 more". */
export function askedByText(askers: readonly string[]): string {
  return askers.length === 0 ? '' : `asked by ${listWords(askers)}`;
}
