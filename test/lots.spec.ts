/**
 * The claims ledger stored with the show, in both backends: the embedded core over PGlite, and the
 * monitor-realtime-stream edge function under real Deno over a real PostgreSQL (driven by the service's
 * SupabaseBackend). The same show runs through each; lots, buyers, corrections and retries must agree.
 */
import type { Backend } from '../src/backend/types.ts';
import type { ChatMessage } from '../src/domain/message.ts';
import { chat, openEmbedded, sessionInfo } from './support/backend.ts';
import { SupabaseBackend } from '../src/backend/supabase.ts';
import { startDenoFunction, type RunningFunction } from './support/deno-function.ts';
import { startPostgres, type RealPostgres } from './support/postgres.ts';

type LotsBackend = Backend & Required<Pick<Backend, 'listLots' | 'correctLot' | 'undoLot' | 'settleLots' | 'lotHistory' | 'auditLots' | 'listInterested'>>;

const SERVICE_KEY = 'test-service-role-key';
const host = (text: string): ChatMessage => chat(text, 'host_hannah', { author: { name: 'host_hannah', badges: ['owner'] } });

interface Harness {
  backend: LotsBackend;
  close(): Promise<void>;
}

const harnesses: Array<[string, () => Promise<Harness>]> = [
  [
    'embedded',
    async () => {
      const backend = (await openEmbedded()) as unknown as LotsBackend;
      return { backend, close: () => backend.close() };
    },
  ],
  [
    'edge function under Deno on PostgreSQL',
    async () => {
      const pg: RealPostgres = await startPostgres();
      let fn: RunningFunction | undefined;
      try {
        fn = await startDenoFunction('monitor-realtime-stream', { SUPABASE_DB_URL: pg.url, SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY, DB_POOL_MAX: '2' });
      } catch (error) {
        await pg.stop();
        throw error;
      }
      const backend = new SupabaseBackend({ url: fn.url, serviceRoleKey: SERVICE_KEY, timeoutMs: 20_000 }) as unknown as LotsBackend;
      return {
        backend,
        close: async () => {
          await fn?.stop();
          await pg.stop();
        },
      };
    },
  ],
];

describe.each(harnesses)('claims ledger stored by the %s backend', (_name, open) => {
  let h: Harness;
  let n = 0;
  const newSession = async (overrides: Parameters<typeof sessionInfo>[1] = {}): Promise<string> => {
    const id = `lots-${++n}-${Math.random().toString(36).slice(2, 6)}`;
    await h.backend.upsertSession(sessionInfo(id, overrides));
    return id;
  };

  beforeAll(async () => {
    h = await open();
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  test('a show: announcements with prices, first claim wins, the rest wait, buyers carry the lot', async () => {
    const id = await newSession();
    const a1 = host("A1 Levi's 501 jeans $45");
    const amy = chat('sold', 'amy');
    const bob = chat('A1 pls', 'bob');
    const results = await h.backend.ingest(id, [a1, amy, bob]);
    expect(results[1]!.buyer).toMatchObject({ username: 'amy', lot: 'A1', item: "Levi's 501 jeans", price: 45 });
    const lots = await h.backend.listLots(id);
    expect(lots).toHaveLength(1);
    expect(lots[0]).toMatchObject({
      code: 'A1',
      title: "Levi's 501 jeans",
      price: 45,
      status: 'open',
      winner: { username: 'amy', messageId: amy.id },
      waitlist: [{ username: 'bob', messageId: bob.id }],
      paid: false,
      packed: false,
      shipped: false,
    });
    // lot_update: the lot travels with the last message that changed it.
    expect(results[2]!.lots?.map((l) => l.code)).toEqual(['A1']);

    // The host closes it and announces two things in one message; a claim the classifier alone would miss counts.
    const next = host('A1 goes to @amy, next up C4 wool beanie 18 bucks');
    const cat = chat('C4 for me', 'cat');
    const later = await h.backend.ingest(id, [next, cat]);
    expect(later[1]!.buyer).toMatchObject({ username: 'cat', lot: 'C4', item: 'wool beanie', price: 18 });
    const after = await h.backend.listLots(id);
    expect(after.map((l) => [l.code, l.status, l.winner?.username])).toEqual([
      ['A1', 'sold', 'amy'],
      ['C4', 'open', 'cat'],
    ]);
    const buyers = await h.backend.listBuyers(id, 100);
    expect(buyers.find((b) => b.buyer.username === 'cat')?.buyer).toMatchObject({ item: 'wool beanie', price: 18, lot: 'C4' });
  });

  test('the winner repeating the claim is no second buyer; a retried batch changes nothing', async () => {
    const id = await newSession();
    const batch = [host('B7 Carhartt jacket $80'), chat('sold', 'amy'), chat('SOLD!!', 'amy'), chat('is it sold out?', 'bob')];
    const first = await h.backend.ingest(id, batch);
    expect(first.filter((r) => r.buyer).map((r) => r.buyer!.username)).toEqual(['amy']);
    const again = await h.backend.ingest(id, batch);
    expect(again.filter((r) => r.buyer).map((r) => r.buyer!.username)).toEqual(['amy']);
    expect(again.every((r) => !r.lots)).toBe(true);
    expect((await h.backend.listBuyers(id, 100)).map((b) => b.buyer.username)).toEqual(['amy']);
    expect((await h.backend.listLots(id))[0]).toMatchObject({ code: 'B7', winner: { username: 'amy' }, waitlist: [] });
  });

  test('the seller named at start announces lots without a badge; the same code again is a new lot', async () => {
    const id = await newSession({ sellers: ['hannah'] });
    const seller = (text: string) => chat(text, 'Hannah');
    await h.backend.ingest(id, [seller('A1 mug $10'), chat('sold', 'amy'), seller('A2 plate $12'), seller('A1 another mug $11'), chat('sold A1', 'bob')]);
    const lots = await h.backend.listLots(id);
    expect(lots.map((l) => [l.code, l.price, l.winner?.username ?? null])).toEqual([
      ['A1', 10, 'amy'],
      ['A2', 12, null],
      ['A1 (2)', 11, 'bob'],
    ]);
    // Chat already on the page at start (backfill) counts: the lot on screen and its first claim.
    const midShow = await newSession();
    await h.backend.ingest(midShow, [
      chat('A1 jacket $45', 'host_hannah', { author: { name: 'host_hannah', badges: ['owner'] }, backfill: true }),
      chat('sold', 'amy', { backfill: true }),
    ]);
    expect((await h.backend.listLots(midShow)).map((l) => [l.code, l.winner?.username])).toEqual([['A1', 'amy']]);
    // A viewer typing an announcement announces nothing.
    const other = await newSession();
    await h.backend.ingest(other, [chat('A1 free iphone $1', 'troll'), chat('sold A1', 'amy')]);
    expect(await h.backend.listLots(other)).toEqual([]);
  });

  test('corrections: winner, waitlist, price, void and the paid/packed/shipped marks; unknown lot -> undefined', async () => {
    const id = await newSession();
    await h.backend.ingest(id, [host('C3 band tees $30'), chat('sold', 'amy'), chat('sold', 'bob'), chat('sold', 'cat')]);
    const reassigned = await h.backend.correctLot(id, 'C3', { winner: 'bob', price: 25, paid: true });
    expect(reassigned).toMatchObject({ winner: { username: 'bob' }, waitlist: [{ username: 'amy' }, { username: 'cat' }], price: 25, priceCents: 2500, paid: true });
    expect((await h.backend.listLots(id))[0]).toMatchObject({ winner: { username: 'bob' }, price: 25, paid: true });
    // The sale follows the lot: bob's own claim now carries it, amy's no longer does.
    const buyers = await h.backend.listBuyers(id, 100);
    expect(buyers.find((b) => b.buyer.username === 'bob')?.buyer).toMatchObject({ lot: 'C3', price: 25 });
    expect(buyers.find((b) => b.buyer.username === 'amy')?.buyer.lot).toBeUndefined();
    expect((await h.backend.correctLot(id, 'C3', { void: true }))?.status).toBe('void');
    expect(await h.backend.correctLot(id, 'Z9', { paid: true })).toBeUndefined();
  });

  test('marks stay with their buyer across a winner change and its undo; a stale version is 409 with the lot; history and audit', async () => {
    const id = await newSession();
    await h.backend.ingest(id, [host('A1 jacket $45'), chat('sold', 'amy'), chat('sold', 'bob')]);
    const seen = (await h.backend.listLots(id))[0]!;
    const marked = (await h.backend.correctLot(id, 'A1', { paid: true, packed: true, version: seen.version }, { userId: null }))!;
    expect(marked).toMatchObject({ version: seen.version + 1, assignment: { username: 'amy', paid: true, packed: true } });
    // A second dashboard still on the old version: refused, with the lot as it is now.
    const stale = h.backend.correctLot(id, 'A1', { winner: 'bob', version: seen.version });
    await expect(stale).rejects.toMatchObject({ code: 'lot_changed', context: { lot: expect.objectContaining({ version: marked.version }) } });
    const moved = (await h.backend.correctLot(id, 'A1', { winner: 'bob', version: marked.version }))!;
    expect(moved).toMatchObject({ winner: { username: 'bob' }, paid: false, packed: false, waitlist: [{ username: 'amy' }] });
    expect(moved.assignments.map((a) => [a.username, a.state, a.paid])).toEqual([
      ['amy', 'replaced', true],
      ['bob', 'current', false],
    ]);
    const undone = (await h.backend.undoLot(id, 'A1'))!;
    expect(undone).toMatchObject({ winner: { username: 'amy' }, paid: true, packed: true, waitlist: [{ username: 'bob' }], version: moved.version + 1 });
    // Chat changes the lot: the next undo is refused rather than undoing what chat did.
    await h.backend.ingest(id, [chat('pass', 'bob')]);
    await expect(h.backend.undoLot(id, 'A1')).rejects.toMatchObject({ code: 'lot_changed' });
    const history = (await h.backend.lotHistory(id, 'A1'))!;
    expect(history.map((e) => [e.action, e.by.kind])).toEqual([
      ['announce', 'message'],
      ['claim', 'message'],
      ['waitlist', 'message'],
      ['correct', 'seller'],
      ['assign', 'seller'],
      ['undo', 'seller'],
      ['withdraw', 'message'],
    ]);
    expect(history[4]).toMatchObject({ reason: 'amy replaced by the seller', before: { winner: { username: 'amy' } }, after: { winner: { username: 'bob' } } });
    expect(await h.backend.lotHistory(id, 'Z9')).toBeUndefined();
    const [audit] = await h.backend.auditLots(id);
    const claim = audit!.entries.find((e) => e.action === 'claim')!;
    expect(claim).toMatchObject({ username: 'amy', text: 'sold', messageId: expect.any(String), capturedAt: expect.any(String), winner: 'amy' });
    expect(audit!.entries.find((e) => e.action === 'withdraw')).toMatchObject({ username: 'bob', reason: 'bob left the waitlist' });
  });

  test('interest no lot holds is a lead; settlement: open lots close, sold to their winner, else unsold; void lots stay void; a second settlement closes nothing', async () => {
    const id = await newSession();
    await h.backend.ingest(id, [host('B1 mug $5, B2 cup $7, B3 bowl $9'), chat('B1 pls', 'amy'), chat('B2 pls', 'bob'), host('void B2')]);
    // A purchase no lot holds (its lot is void) is interest: a lead with its message, not a buyer; so is
    // the claim of the voided lot's winner.
    const [late] = await h.backend.ingest(id, [chat('B2 pls', 'zoe')]);
    expect(late!.buyer).toMatchObject({ username: 'zoe', status: 'interested' });
    expect((await h.backend.listInterested(id)).map((v) => [v.username, v.messages.map((m) => m.text)])).toEqual([
      ['bob', ['B2 pls']],
      ['zoe', ['B2 pls']],
    ]);
    const closed = await h.backend.settleLots(id);
    expect(closed.map((l) => [l.code, l.status])).toEqual([
      ['B1', 'sold'],
      ['B3', 'unsold'],
    ]);
    expect(await h.backend.settleLots(id)).toEqual([]);
    expect((await h.backend.lotHistory(id, 'B1'))!.at(-1)).toMatchObject({ action: 'settle', by: { kind: 'seller', userId: null } });
    expect((await h.backend.listLots(id)).map((l) => l.status)).toEqual(['sold', 'void', 'unsold']);
    // A claim after the end claims nothing, but the audit keeps it with its times and the reason.
    await h.backend.ingest(id, [chat('B1 pls', 'zed')]);
    expect((await h.backend.listLots(id))[0]).toMatchObject({ winner: { username: 'amy' }, waitlist: [] });
    const b1 = (await h.backend.auditLots(id)).find((l) => l.code === 'B1')!;
    expect(b1.entries.at(-1)).toMatchObject({ action: 'refused', username: 'zed', text: 'B1 pls', capturedAt: expect.any(String), reason: "zed's claim came after the lot was sold" });
  });

  test('a show housekeeping ends (silent too long) settles like a stopped one', async () => {
    const id = await newSession();
    await h.backend.ingest(id, [host('C1 scarf $12'), chat('sold', 'amy')]);
    const now = new Date();
    const report = await h.backend.housekeep({ deleteBefore: new Date('2000-01-01T00:00:00Z'), staleBefore: new Date(now.getTime() + 86_400_000), now });
    expect(report.closedSessions).toContain(id);
    expect((await h.backend.listLots(id))[0]).toMatchObject({ code: 'C1', status: 'sold', winner: { username: 'amy' } });
    expect((await h.backend.lotHistory(id, 'C1'))!.at(-1)).toMatchObject({ action: 'settle' });
  });
});
