/**
 * One browser session's merger: both capture paths feed it (the network tap's parsed frames, the DOM
 * rows the in-page agent reported), and it is the only code of the session that hands messages and
 * deletions to the session's SourceSink. Status and show changes pass through it too, so the sink has
 * one owner.
 *
 * With a network path that reads chat, the two paths meet in the reconciler (network/reconcile.ts:
 * network first, DOM as fallback, never both). Without one, DOM rows and deletions go straight on.
 * Once closed (the session stopped), nothing more reaches the sink, including DOM rows the reconciler
 * was still holding back.
 */
import type { ChatMessage, SessionStatus } from '../domain/message.ts';
import { DomReconciler, type ReconcilerOptions } from './network/reconcile.ts';
import type { SourceSink } from './source.ts';

export interface MergerOptions {
  /**
   * A network path reads this session's chat: reconcile the DOM rows with it (true, or the reconciler's
   * timings). Absent or false: DOM rows pass straight through.
   */
  reconcile?: boolean | ReconcilerOptions;
}

export class MessageMerger {
  private readonly sink: SourceSink;
  private readonly reconciler: DomReconciler | undefined;
  private closed = false;
  /** Network messages that went on (the rest had already come from the DOM). */
  private networkDelivered = 0;

  constructor(sink: SourceSink, options: MergerOptions = {}) {
    this.sink = sink;
    const reconcile = options.reconcile;
    this.reconciler = reconcile ? new DomReconciler(reconcile === true ? {} : reconcile) : undefined;
  }

  /** Whether DOM rows are reconciled with a network path. */
  get reconciling(): boolean {
    return this.reconciler !== undefined;
  }

  /**
   * Messages the network path parsed, in order. Those whose DOM row already went out are dropped; the
   * rest go on at once. `beforeDelivery` runs just before they do (the source turns live first, so the
   * status change comes before the chat that caused it). Returns how many went on.
   */
  network(messages: ChatMessage[], beforeDelivery?: () => void): number {
    if (this.closed || messages.length === 0) return 0;
    const kept = this.reconciler ? messages.filter((message) => this.reconciler!.network(message)) : messages;
    if (kept.length === 0) return 0;
    this.networkDelivered += kept.length;
    beforeDelivery?.();
    this.sink.messages(kept);
    return kept.length;
  }

  /**
   * DOM rows in stream order (browser/agent-rows.ts); rows without a platform id carry stream-position
   * ids of `idPrefix`. With a network path, a row it already delivered is dropped and an unmatched row
   * may wait briefly for its network twin.
   */
  rows(messages: ChatMessage[], idPrefix: string): void {
    if (this.closed || messages.length === 0) return;
    if (this.reconciler) this.reconciler.rows(messages, idPrefix, (kept) => this.deliverMessages(kept));
    else this.sink.messages(messages);
  }

  /** Deletions from either path; with a network path each is reported once, under the id the message went out with. */
  deleted(ids: string[]): void {
    if (this.closed || ids.length === 0) return;
    if (this.reconciler) this.reconciler.deleted(ids, (kept) => this.deliverDeleted(kept));
    else this.sink.deleted(ids);
  }

  status(status: SessionStatus, detail?: string): void {
    if (!this.closed) this.sink.status(status, detail);
  }

  show(showId: string): void {
    if (!this.closed) this.sink.show?.(showId);
  }

  title(title: string): void {
    if (!this.closed) this.sink.title?.(title);
  }

  /** How the two paths met (for the session's diagnostics); empty without a network path. */
  describe(): Record<string, unknown> {
    if (!this.reconciler) return {};
    return { messages: this.networkDelivered, ...this.reconciler.describe() };
  }

  /** Stops everything, including DOM rows still held back (the session stopped). Idempotent. */
  close(): void {
    this.closed = true;
    this.reconciler?.close();
  }

  /** Rows the reconciler let through (it may call back later, from a timer). */
  private deliverMessages(messages: ChatMessage[]): void {
    if (!this.closed && messages.length > 0) this.sink.messages(messages);
  }

  private deliverDeleted(ids: string[]): void {
    if (!this.closed && ids.length > 0) this.sink.deleted(ids);
  }
}
