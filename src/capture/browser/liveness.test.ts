import type { SessionStatus } from '../../domain/message.ts';
import { judgeProbe, type PageTimes, type Probe } from './liveness.ts';

const limits = { noChatTimeoutMs: 30_000, stallReloadMs: 120_000 };
const opened: PageTimes = { pageOpenedAt: 1_000, chatSeenAt: 0, newChatAt: 0 };
const probe = (over: Partial<Probe> = {}): Probe => ({ containerFound: true, rowCount: 0, ended: false, ...over });
const judge = (p: Probe, status: SessionStatus, now: number, times: PageTimes = opened, recovering = false, l: typeof limits | { noChatTimeoutMs: number } = limits) =>
  judgeProbe(p, { status, recovering }, times, l, now);

describe('page liveness', () => {
  it('ends the session when the page says the stream is over, whatever else holds', () => {
    expect(judge(probe({ ended: true, rowCount: 5 }), 'live', 2_000)).toEqual({ action: 'end', detail: 'the page says the stream has ended' });
    expect(judge(probe({ ended: true }), 'live', 500_000)).toMatchObject({ action: 'end' });
  });

  it('reloads a page with no new chat for the stall time, unless it is ended or already recovering', () => {
    const quiet = { pageOpenedAt: 1_000, chatSeenAt: 100_000, newChatAt: 20_000 };
    expect(judge(probe({ rowCount: 10 }), 'live', 140_000, quiet)).toEqual({ action: 'reload' });
    expect(judge(probe({ rowCount: 10 }), 'live', 139_999, quiet)).toEqual({ action: 'chat_visible' });
    expect(judge(probe({ rowCount: 10 }), 'live', 140_000, quiet, true)).toEqual({ action: 'chat_visible' });
    expect(judge(probe({ rowCount: 10 }), 'ended', 140_000, quiet)).toEqual({ action: 'chat_visible' });
    // Without a stall limit (most platforms), a quiet page is never reloaded.
    expect(judge(probe({ rowCount: 10 }), 'live', 900_000, quiet, false, { noChatTimeoutMs: 30_000 })).toEqual({ action: 'chat_visible' });
  });

  it('counts visible rows as chat seen', () => {
    expect(judge(probe({ rowCount: 3 }), 'starting', 2_000)).toEqual({ action: 'chat_visible' });
    expect(judge(probe({ rowCount: 3 }), 'no_chat_found', 60_000)).toEqual({ action: 'chat_visible' });
  });

  it('reports no chat once the page showed none for the timeout, once, saying what was missing', () => {
    expect(judge(probe({ containerFound: false }), 'starting', 30_999)).toEqual({ action: 'none' });
    expect(judge(probe({ containerFound: false }), 'starting', 31_000)).toEqual({ action: 'no_chat_found', detail: 'chat container not found' });
    expect(judge(probe(), 'live', 31_000)).toEqual({ action: 'no_chat_found', detail: 'chat container has no messages' });
    expect(judge(probe(), 'no_chat_found', 60_000)).toEqual({ action: 'none' });
    // Counted from the last chat seen, not from the page's opening.
    expect(judge(probe(), 'live', 31_000, { pageOpenedAt: 1_000, chatSeenAt: 20_000, newChatAt: 20_000 })).toEqual({ action: 'none' });
  });

  it('calls an empty but present chat live, and leaves ended or recovering sessions alone', () => {
    expect(judge(probe(), 'starting', 2_000)).toEqual({ action: 'live' });
    expect(judge(probe({ containerFound: false }), 'starting', 2_000)).toEqual({ action: 'none' });
    expect(judge(probe(), 'ended', 90_000)).toEqual({ action: 'none' });
    expect(judge(probe(), 'starting', 90_000, opened, true)).toEqual({ action: 'none' });
  });
});
