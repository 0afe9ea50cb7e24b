/**
 * Issue 16 through the real ingest path (embedded PGlite): no buyer without something on offer, the
 * offer opened by a host's announcement or a live-shopping platform, and low-confidence verdicts,
 * hashtags and single letters never stored as purchases.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { EmbeddedBackend } from '../src/backend/embedded.ts';
import { runReplay } from '../src/replay.ts';
import { chat, openEmbedded, PGLITE_TEMPLATE_DIR, tempDir } from './support/backend.ts';

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

const host = (text: string, platform: 'twitch' | 'generic' | 'whatnot') =>
  chat(text, 'hannah', { platform, author: { name: 'hannah', badges: ['owner'] } });

describe('buyers need something on offer', () => {
  let backend: EmbeddedBackend;
  beforeAll(async () => {
    backend = await openEmbedded();
  });
  afterAll(async () => {
    await backend.close();
  });

  const buyerCount = async (sessionId: string): Promise<number> =>
    (await backend.sql.query<{ n: number }>(`select count(*)::int as n from public.sales_captured where stream_session_id = $1`, [sessionId]))[0]!.n;

  test('a gaming stream that sells nothing gets zero buyers from claim-like chat', async () => {
    const lines = ['GIMME A MINUTE FAM', 'give me an account so we can play', "BUY HUNTER'S POTION", 'me please', 'SOLD', 'mine', "I'll take it", 'dibs on next game', 'me!', '🙋', 'yes please', 'I need it', '2', 'me 2', 'can I get 2'];
    const results = await backend.ingest('q-gaming', lines.map((t, i) => chat(t, `v${i}`, { platform: 'twitch' })));
    expect(results.map((r) => r.buyer)).toEqual(lines.map(() => undefined));
    expect(results.map((r) => r.intent)).toEqual(lines.map(() => 'other'));
    expect(await buyerCount('q-gaming')).toBe(0);
  });

  test('on a generic stream a host announcing a lot opens the offer: claims after it are buyers', async () => {
    const before = await backend.ingest('q-generic', [chat('sold', 'early', { platform: 'generic' })]);
    expect(before[0]!.buyer).toBeUndefined();
    // A host's chatter opens nothing; a viewer announcing a price opens nothing either.
    await backend.ingest('q-generic', [host('thanks for the follows!', 'generic'), chat('Lot 9 for $5 lol', 'troll', { platform: 'generic' })]);
    expect((await backend.ingest('q-generic', [chat('mine', 'still-early', { platform: 'generic' })]))[0]!.buyer).toBeUndefined();
    const after = await backend.ingest('q-generic', [host('Lot 5, the signed jersey, $40', 'generic'), chat('sold lot 5', 'ann', { platform: 'generic' })]);
    expect(after[1]).toMatchObject({ intent: 'purchase', buyer: { username: 'ann' } });
    expect(await buyerCount('q-generic')).toBe(1);
  });

  test('a live-shopping show has an offer throughout: hashtags, single letters and 0.55 leans are stored as other, a bare "me" is a claim', async () => {
    // "me" was a lean stored as other until issue 25's second round: on a show that sells it claims the lot.
    const texts = ['#TEAMDREAM', 'l', 's', 'M', '#14', 'me', 'sold 2 size M'];
    const results = await backend.ingest('q-whatnot', texts.map((t, i) => chat(t, `w${i}`, { platform: 'whatnot' })));
    expect(results.map((r) => r.intent)).toEqual(['other', 'other', 'other', 'other', 'other', 'purchase', 'purchase']);
    const stored = await backend.sql.query<{ message: string; intent: string }>(
      `select message, intent from public.chat_messages where stream_session_id = 'q-whatnot' and intent = 'purchase' order by message`,
    );
    expect(stored).toEqual([{ message: 'me', intent: 'purchase' }, { message: 'sold 2 size M', intent: 'purchase' }]);
    expect(await buyerCount('q-whatnot')).toBe(2);
  });
});

test('earshot replay: a log of a stream that sold nothing has no buyers; a host line with an owner badge opens an offer', async () => {
  const dir = tempDir('earshot-quality-offer-');
  const log = path.join(dir, 'chat.jsonl');
  const lines = [
    { author: 'a', text: 'GIMME A MINUTE FAM' },
    { author: 'b', text: "BUY HUNTER'S POTION" },
    { author: 'c', text: 'sold' },
    { author: 'hannah', text: 'Lot 3 is the signed poster, $30', badges: ['Owner'] },
    { author: 'd', text: 'sold lot 3' },
  ];
  fs.writeFileSync(log, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const out = new Collect();
  const err = new Collect();
  expect(await runReplay([log], out, err, { env: { PGLITE_TEMPLATE_DIR } })).toBe(0);
  expect(err.text).toBe('');
  const rows = out.text.trim().split('\n').map((l) => JSON.parse(l) as { author: string; intent: string; buyer?: unknown });
  expect(rows.map((r) => [r.author, r.intent, r.buyer !== undefined])).toEqual([
    ['a', 'other', false],
    ['b', 'other', false],
    ['c', 'other', false],
    ['hannah', 'other', false],
    ['d', 'purchase', true],
  ]);
});
