import { applyMessages, emptyLedger, isHostAuthor, type LedgerMessage } from '../../supabase/functions/_shared/ledger/rules.ts';
import { ChatRoom } from './room.ts';
import { normalizeBadges } from '../capture/platforms/common.ts';
import { DEMO_HOST, DemoShow } from './show.ts';

/** A room that keeps everything posted (the real room keeps it too, but privately). */
class RecordingRoom extends ChatRoom {
  readonly posted: Array<{ author: string; text: string; badges?: string[] }> = [];
  override post(items: Array<{ author: string; text: string; badges?: string[]; id?: string }>) {
    this.posted.push(...items);
    return super.post(items);
  }
}

test('the demo host announces lots with prices and closes them, so the ledger has a show to read', async () => {
  const room = new RecordingRoom('demo-test');
  let now = 0;
  const show = new DemoShow(room, { seed: 3, lotMs: 4_000, now: () => now });
  // start() posts the opening (the first lot); the script is then stepped by hand, 200 ms at a time.
  show.start();
  show.stop();
  for (let i = 0; i < 200; i++) {
    now += 200;
    show.tick();
  }
  room.close();
  const messages: LedgerMessage[] = room.posted.map((m, i) => ({
    id: `d${i}`,
    author: m.author,
    text: m.text,
    at: new Date(0).toISOString(),
    host: isHostAuthor(m.author, m.badges ?? [], []),
  }));
  const { state } = applyMessages(emptyLedger(), messages);
  const prices = new Map([['A1', 45], ['A2', 120], ['B7', 80], ['C3', 30], ['D5', 65], ['AA10', 25]]);
  expect(state.lots.length).toBeGreaterThanOrEqual(4);
  for (const lot of state.lots) {
    expect(lot.price).toBe(prices.get(lot.baseCode));
    expect(lot.title).toBeTruthy();
  }
  // The host moved on from every lot but the last; the ones with claims went to a claimer.
  expect(state.lots.slice(0, -1).every((l) => l.status === 'sold' || l.status === 'unsold')).toBe(true);
  expect(state.lots.filter((l) => l.status === 'sold' && l.winner).length).toBeGreaterThanOrEqual(2);
});

test('every message of the demo host carries the host badge, the way Whatnot marks its host', () => {
  const room = new RecordingRoom('demo-badge');
  let now = 0;
  const show = new DemoShow(room, { seed: 5, lotMs: 2_000, now: () => now });
  show.start();
  show.stop();
  for (let i = 0; i < 100; i++) {
    now += 200;
    show.tick();
  }
  room.close();
  const hostMessages = room.posted.filter((m) => m.author === DEMO_HOST);
  expect(hostMessages.length).toBeGreaterThan(3);
  expect(hostMessages.every((m) => isHostAuthor(m.author, normalizeBadges(m.badges), []))).toBe(true);
  expect(room.posted.filter((m) => m.author !== DEMO_HOST).some((m) => m.badges?.length)).toBe(false);
});
