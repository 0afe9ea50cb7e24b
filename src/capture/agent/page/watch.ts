/**
 * Watches the chat container: a MutationObserver on it (plus one on its parent, so a list replaced
 * wholesale is noticed at once) syncs on every change, and a slow sweep re-syncs the visible rows as a
 * safety net and sends the probe (container found, row count, ended banner, the agent's counters) behind
 * `no_chat_found`. New rows leave through the send queue (send-queue.ts): bounded reports, paced, capped.
 * A spec with a selector the page's CSS engine refuses is not watched at all: one probe says which.
 */
import type { DomSpec } from '../../platforms/types.ts';
import type { AgentStats, ReportLimits } from '../types.ts';
import type { Send } from './emit.ts';
import { readRow } from './read-row.ts';
import { invalidSelectors, isValidSelector } from './selectors.ts';
import { createSendQueue } from './send-queue.ts';
import type { ReadRow, Stream, SyncReason } from './stream.ts';

/** The sweep runs every sweepMs; the probe goes out at most this often. */
const PROBE_INTERVAL_MS = 1000;

export interface WatchOptions {
  spec: DomSpec;
  maxText: number;
  sweepMs: number;
  stream: Stream<Element>;
  send: Send;
  limits: ReportLimits;
}

export interface Watch {
  /** Attaches to the container (waiting for it if needed) and starts the sweep. */
  start(): void;
  /** Syncs the visible rows now. */
  sync(reason: SyncReason): void;
}

export function createWatch(options: WatchOptions): Watch {
  const { spec, stream, send } = options;
  let container: Element | null = null;
  let observer: MutationObserver | null = null;
  let parentObserver: MutationObserver | null = null;
  let lastProbe = 0;
  let sweeps = 0;
  // Random per installed agent: Node tells a reloaded document's counters from the previous one's by it.
  const run = Math.random().toString(36).slice(2, 10);
  const queue = createSendQueue(options.limits, () => Date.now());
  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  const flush = (): void => {
    for (const report of queue.take()) send(report);
    if (flushTimer !== null) return;
    const wait = queue.waitMs();
    if (wait === undefined) return;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      flush();
    }, wait);
  };

  const stats = (): AgentStats => ({ run, sweeps, ...queue.stats() });

  const attach = (): void => {
    const found = document.querySelector(spec.container);
    if (found === container) return;
    observer?.disconnect();
    parentObserver?.disconnect();
    container = found;
    if (!container) return;
    stream.attached();
    observer = new MutationObserver(containerOnMutations);
    observer.observe(container, { childList: true, subtree: true, characterData: true, attributes: Boolean(spec.deleted) });
    if (container.parentNode) {
      parentObserver = new MutationObserver(parentOnMutations);
      parentObserver.observe(container.parentNode, { childList: true });
    }
  };

  const sync = (reason: SyncReason): void => {
    if (!container || !container.isConnected) {
      attach();
      if (!container) return;
    }
    const rows: Array<ReadRow<Element>> = [];
    container.querySelectorAll(spec.row).forEach((el) => {
      const read = readRow(el, spec, options.maxText);
      if (read) rows.push(read);
    });
    for (const report of stream.sync(rows, reason)) {
      if (report.type === 'rows') queue.push(report.rows, report.reason);
      else if (report.type === 'deleted') for (const deletion of queue.deleted(report.pids, report.positions)) send(deletion);
    }
    flush();
  };

  function containerOnMutations(): void {
    try {
      sync('mutation');
    } catch (error) {
      send({ type: 'probe', containerFound: Boolean(container), rowCount: -1, href: String(error), stats: stats() });
    }
  }

  function parentOnMutations(): void {
    if (container && !container.isConnected) containerOnMutations();
  }

  const probe = (): void => {
    const rowCount = container ? container.querySelectorAll(spec.row).length : 0;
    let ended = false;
    if (spec.ended) {
      // Only a visible banner counts: pages often keep a hidden "ended" element in the markup.
      document.querySelectorAll(spec.ended).forEach((el) => {
        if (el.getClientRects().length > 0) ended = true;
      });
    }
    send({ type: 'probe', containerFound: Boolean(container && container.isConnected), rowCount, href: location.href, ended, stats: stats() });
  };

  const sweep = (): void => {
    try {
      sync('sweep');
    } catch {
      // a broken page must not stop the sweep
    }
    sweeps++;
    const now = Date.now();
    if (now - lastProbe >= PROBE_INTERVAL_MS) {
      lastProbe = now;
      probe();
    }
  };

  const start = (): void => {
    const invalid = invalidSelectors(spec, isValidSelector);
    if (invalid.length > 0) {
      // Every querySelector with these would throw: nothing to watch, and Node ends the show at once.
      send({ type: 'probe', containerFound: false, rowCount: 0, href: location.href, invalidSelectors: invalid, stats: stats() });
      return;
    }
    attach();
    if (container) sync('mutation');
    // Until the container exists, watch the document for it (cheap: disconnected as soon as it appears).
    if (!container) {
      const waiter = new MutationObserver(() => {
        if (document.querySelector(spec.container)) {
          waiter.disconnect();
          attach();
          sync('mutation');
        }
      });
      waiter.observe(document.documentElement, { childList: true, subtree: true });
    }
    setInterval(sweep, options.sweepMs);
    sweep();
  };

  return { start, sync };
}
