/**
 * One session's state in the dashboard: messages, buyers, answers and status, merged by id so the same
 * record arriving twice (a replay after a reconnect, Supabase realtime next to the WebSocket) is kept
 * once. Mutable and append-mostly on purpose: a live show reaches tens of thousands of messages, and
 * copying arrays per event would make every message cost O(n). React re-renders on `version`.
 */
import { isHostMessage, mergeLots, type LotSource } from '../ledger.ts';
import type { FeaturedMessage, Lot, SessionEvent, SessionStatus, SourceHealth } from '../wire.ts';
import type { Answer, Buyer, FeedMessage, Hole } from './types.ts';

/** What applying an event changed (the store turns `newBuyer` into the buyer cue). */
export interface FeedChange {
  changed: boolean;
  newBuyer?: Buyer;
  /** True when the event was issued after the dashboard subscribed (not a replay of history). */
  live: boolean;
}

const UNCHANGED: FeedChange = { changed: false, live: false };

/** Looks like a question: a question mark, or an opening question word. */
export function looksLikeQuestion(text: string): boolean {
  if (text.includes('?')) return true;
  return /^(who|what|whats|what's|when|where|why|how|is|are|do|does|did|can|could|will|would|any|anyone)\b/i.test(text.trim());
}

export class SessionFeed {
  readonly sessionId: string;
  readonly messages: FeedMessage[] = [];
  readonly buyers: Buyer[] = [];
  readonly answers: Answer[] = [];
  status: SessionStatus | 'unknown' = 'unknown';
  detail: string | undefined;
  /** The highest event seq applied; `since` on the next subscribe. */
  lastSeq = 0;
  /** Events with a seq above this were issued after we subscribed: they are live, not replayed. */
  liveAfterSeq = Number.POSITIVE_INFINITY;
  /** Ranges missed after the dashboard had started following (a reconnect the hub could not replay). */
  readonly holes: Hole[] = [];
  /** Events from before the dashboard started following that the hub no longer held (not a loss). */
  olderEvents = 0;
  /** What fetching stored history gave, once tried. */
  history: { loaded: number } | { unavailable: string } | null = null;
  /**
   * The show's lots, as the claims ledger holds them: loaded once by GET /lots and then kept by
   * `lot_update` events (the newest version of each lot wins), so every panel counts from one place.
   */
  lots: readonly Lot[] = [];
  /** GET /lots answered for this feed (until then a count of 0 lots means "not known yet"). */
  lotsLoaded = false;
  /** Viewers with purchase intent that no lot holds (the store's count, from GET /lots or lot_update). */
  interested = 0;
  /** The source's health as the last source_health event said (the session list's until then). */
  sourceHealth: SourceHealth | undefined;
  /** The message on the show's overlay: null for none, undefined until GET /overlay or an event said. */
  featured: FeaturedMessage | null | undefined = undefined;
  /** Messages with a host badge seen (the "no host" notice). */
  hostBadgeMessages = 0;
  /** Purchase-intent messages seen (buyer_detected, whatever the ledger made of them). */
  claims = 0;
  /** Bumped on every change; what React subscribes to. */
  version = 0;
  /** Messages per author (lowercase), to tell whether a seller named later has spoken. */
  private readonly authorCounts = new Map<string, number>();
  private readonly maxMessages: number;
  private readonly messageIndex = new Map<string, number>();
  private readonly buyerIndex = new Map<string, number>();
  private readonly answerIndex = new Map<string, number>();
  private readonly deletedIds = new Set<string>();

  constructor(sessionId: string, options: { maxMessages?: number } = {}) {
    this.sessionId = sessionId;
    this.maxMessages = options.maxMessages ?? 100_000;
  }

  /** Records the server's seq at (re)subscription. Returns true when the server restarted its numbering. */
  markSubscribed(serverSeq: number): boolean {
    this.liveAfterSeq = serverSeq;
    if (serverSeq < this.lastSeq) {
      // The service restarted: its sequence began again. Messages merge by id, so replaying from 0 is safe.
      this.lastSeq = 0;
      return true;
    }
    return false;
  }

  /** The server no longer holds events from..to (its resume ring moved on). */
  markGap(from: number, to: number): void {
    if (to < from) return;
    // On a first subscription the range is simply older than the live buffer; later it is a real loss.
    if (this.lastSeq === 0) this.olderEvents += to - from + 1;
    else this.holes.push({ from, to, reason: 'ring' });
    this.lastSeq = Math.max(this.lastSeq, to);
    this.version++;
  }

  /** Applies one hub event; events at or below `lastSeq` are duplicates and change nothing. */
  applyEvent(event: SessionEvent, now: number = Date.now()): FeedChange {
    if (event.seq <= this.lastSeq) return UNCHANGED;
    if (this.lastSeq > 0 && event.seq > this.lastSeq + 1) {
      this.holes.push({ from: this.lastSeq + 1, to: event.seq - 1, reason: 'sequence' });
    }
    this.lastSeq = event.seq;
    const live = event.seq > this.liveAfterSeq;
    switch (event.type) {
      case 'new_message': {
        const m = event.message;
        this.mergeMessage({
          id: m.id,
          platform: m.platform,
          author: m.author.name,
          badges: m.author.badges ?? [],
          text: m.text,
          time: m.sentAt ?? m.capturedAt,
          capturedAtMs: Date.parse(m.capturedAt) || now,
          backfill: m.backfill,
          kind: m.kind,
          paidDisplay: m.paid ? (m.paid.display ?? `${m.paid.amount} ${m.paid.currency}`) : undefined,
          deleted: false,
          question: looksLikeQuestion(m.text),
          seq: event.seq,
          origin: 'ws',
        });
        return { changed: true, live };
      }
      case 'buyer_detected': {
        const b = event.buyer;
        if (!this.buyerIndex.has(event.messageId)) this.claims++;
        const result = this.mergeBuyer({
          messageId: event.messageId,
          username: b.username,
          message: b.message,
          confidence: b.confidence,
          item: b.item,
          price: b.price,
          quantity: b.quantity,
          size: b.size,
          ...(b.lot ? { lot: b.lot } : {}),
          ...(b.status ? { status: b.status } : {}),
          detectedAt: now,
          seq: event.seq,
          origin: 'ws',
        });
        return { changed: true, live, newBuyer: result };
      }
      case 'answer':
        this.mergeAnswer({
          messageId: event.messageId,
          question: event.question,
          answer: event.answer,
          status: event.status,
          sources: (event.sources ?? []).map((s) => ({ documentId: s.documentId, title: s.title })),
          replyId: event.replyId,
          ...(event.askers ? { askers: event.askers } : {}),
          at: now,
        });
        return { changed: true, live };
      case 'reply_status': {
        const position = this.findAnswer(event.replyId, event.messageId);
        if (position !== undefined) {
          const current = this.answers[position]!;
          this.answers[position] = { ...current, status: event.status, detail: event.detail, ...(event.askers ? { askers: event.askers } : {}) };
        }
        this.version++;
        return { changed: true, live };
      }
      case 'message_deleted':
        this.markDeleted(event.messageId);
        return { changed: true, live };
      case 'lot_update': {
        this.applyLots([event.lot], 'event');
        // The show's summary after the change rides along (older services send the lot alone).
        if (typeof event.summary?.interested === 'number') this.interested = event.summary.interested;
        return { changed: true, live };
      }
      case 'source_health':
        this.sourceHealth = event.health;
        this.version++;
        return { changed: true, live };
      case 'featured_message':
        this.applyFeatured(event.featured);
        return { changed: true, live };
      case 'session_status':
        this.status = event.status;
        this.detail = event.detail;
        this.version++;
        return { changed: true, live };
      default:
        // An event type this dashboard does not know yet: the seq still advanced.
        this.version++;
        return { changed: true, live };
    }
  }

  /**
   * Merges lots from a lot_update (`event`), or from GET /lots or a correction's answer (`answer`: an
   * older version than the one held is ignored). `loaded`: this was the whole of GET /lots.
   */
  applyLots(lots: readonly Lot[], source: LotSource, loaded = false): void {
    const next = mergeLots(this.lots, lots, source);
    if (loaded) this.lotsLoaded = true;
    if (next === this.lots && !loaded) return;
    this.lots = next;
    this.version++;
  }

  /** The overlay's featured message as GET /api/sessions/:id/overlay read it (an event since wins). */
  loadFeatured(featured: FeaturedMessage | null): void {
    if (this.featured === undefined) this.applyFeatured(featured);
  }

  /** The overlay's featured message now (an event, or the answer to featuring one). */
  applyFeatured(featured: FeaturedMessage | null): void {
    this.featured = featured;
    this.version++;
  }

  /** Messages written by the host so far: a host badge, or one of `sellers` by name. */
  hostMessages(sellers: readonly string[] | undefined): number {
    let n = this.hostBadgeMessages;
    for (const s of sellers ?? []) n += this.authorCounts.get(s.replace(/^@/, '').toLowerCase()) ?? 0;
    return n;
  }

  /** Adds a message or fills in what a copy of it lacked. Returns true when it was new. */
  mergeMessage(message: FeedMessage): boolean {
    const at = this.messageIndex.get(message.id);
    if (at !== undefined) {
      const current = this.messages[at]!;
      // The WebSocket copy carries badges and seq; keep it, and take only a newer deletion flag.
      if (message.deleted && !current.deleted) this.messages[at] = { ...current, deleted: true };
      else return false;
      this.version++;
      return false;
    }
    if (this.deletedIds.has(message.id)) message = { ...message, deleted: true };
    if (isHostMessage(message.author, message.badges, undefined)) this.hostBadgeMessages++;
    const author = message.author.replace(/^@/, '').toLowerCase();
    this.authorCounts.set(author, (this.authorCounts.get(author) ?? 0) + 1);
    this.messageIndex.set(message.id, this.messages.length);
    this.messages.push(message);
    if (this.messages.length > this.maxMessages) this.trim();
    this.version++;
    return true;
  }

  /**
   * Merges stored messages (history fetched after a gap). They may be older than what the socket
   * already delivered, so the feed is put back in capture order when needed. Returns how many were new.
   */
  mergeHistory(messages: FeedMessage[]): number {
    let added = 0;
    let outOfOrder = false;
    for (const message of messages) {
      const last = this.messages[this.messages.length - 1];
      if (this.mergeMessage(message)) {
        added++;
        if (last && message.capturedAtMs < last.capturedAtMs) outOfOrder = true;
      }
    }
    if (outOfOrder) {
      this.messages.sort((a, b) => a.capturedAtMs - b.capturedAtMs);
      this.reindex();
    }
    return added;
  }

  /** Adds a buyer or updates the one for the same message. Returns the buyer when it is new. */
  mergeBuyer(buyer: Buyer): Buyer | undefined {
    const at = this.buyerIndex.get(buyer.messageId);
    if (at !== undefined) {
      const current = this.buyers[at]!;
      this.buyers[at] = {
        ...current,
        item: current.item ?? buyer.item,
        price: current.price ?? buyer.price,
        quantity: current.quantity ?? buyer.quantity,
        size: current.size ?? buyer.size,
        lot: current.lot ?? buyer.lot,
        status: buyer.status ?? current.status,
        seq: current.seq ?? buyer.seq,
      };
      this.version++;
      return undefined;
    }
    this.buyerIndex.set(buyer.messageId, this.buyers.length);
    this.buyers.push(buyer);
    this.version++;
    return buyer;
  }

  /**
   * One entry per reply: a later asker's answer that names a reply already shown (the backend merged
   * their question into it) updates that entry, and their message points at it.
   */
  mergeAnswer(answer: Answer): void {
    const at = this.answerIndex.get(answer.messageId);
    if (at === undefined && answer.replyId !== undefined) {
      const shown = this.answers.findIndex((a) => a.replyId === answer.replyId);
      if (shown >= 0) {
        this.answerIndex.set(answer.messageId, shown);
        // The entry keeps its first asker's message and question; the rest is the reply's latest.
        const first = this.answers[shown]!;
        this.answers[shown] = { ...first, ...answer, messageId: first.messageId, question: first.question };
        this.version++;
        return;
      }
    }
    if (at !== undefined) this.answers[at] = { ...this.answers[at]!, ...answer };
    else {
      this.answerIndex.set(answer.messageId, this.answers.length);
      this.answers.push(answer);
    }
    this.version++;
  }

  markDeleted(messageId: string): void {
    this.deletedIds.add(messageId);
    const at = this.messageIndex.get(messageId);
    if (at !== undefined) this.messages[at] = { ...this.messages[at]!, deleted: true };
    this.version++;
  }

  message(id: string): FeedMessage | undefined {
    const at = this.messageIndex.get(id);
    return at === undefined ? undefined : this.messages[at];
  }

  buyerFor(messageId: string): Buyer | undefined {
    const at = this.buyerIndex.get(messageId);
    return at === undefined ? undefined : this.buyers[at];
  }

  answerFor(messageId: string): Answer | undefined {
    const at = this.answerIndex.get(messageId);
    return at === undefined ? undefined : this.answers[at];
  }

  /** Messages captured in the last minute before `now` (backfill excluded). */
  messagesPerMinute(now: number): number {
    const since = now - 60_000;
    let count = 0;
    // Newest last; arrival order follows capture order closely enough to stop at the first old one.
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i]!;
      if (m.capturedAtMs < since) break;
      if (!m.backfill) count++;
    }
    return count;
  }

  /** How many event seqs never arrived (0 when the feed is complete). */
  get missingCount(): number {
    return this.holes.reduce((sum, h) => sum + (h.to - h.from + 1), 0);
  }

  private findAnswer(replyId: string, messageId?: string): number | undefined {
    if (messageId !== undefined) {
      const at = this.answerIndex.get(messageId);
      if (at !== undefined) return at;
    }
    const found = this.answers.findIndex((a) => a.replyId === replyId);
    return found < 0 ? undefined : found;
  }

  /** Drops the oldest fifth once the cap is passed, so memory stays bounded on marathon shows. */
  private trim(): void {
    const drop = Math.ceil(this.maxMessages / 5);
    this.messages.splice(0, drop);
    this.reindex();
  }

  private reindex(): void {
    this.messageIndex.clear();
    this.messages.forEach((m, i) => this.messageIndex.set(m.id, i));
  }
}
