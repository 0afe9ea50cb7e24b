/**
 * The script that runs inside the monitored page. It must stay self-contained: `installAgent` is
 * serialized with Function.prototype.toString and evaluated in the page, so it may not reference
 * anything outside its own body (no imports, no helpers, no closures over module scope).
 *
 * It observes the chat container with a MutationObserver and hands batches of new rows to Node through
 * a CDP binding; a slow sweep re-reads the visible rows as a safety net.
 *
 * It runs in an isolated world (BrowserSource's AGENT_WORLD): it shares the page's DOM, so the observers
 * see every row, but not the page's JavaScript globals, so the page's own scripts see neither
 * `__earshotAgent` nor the binding, which exists only in that world: a hostile page cannot forge chat
 * through it. What it reports is still validated in Node (report.ts).
 *
 * Identity: a platform id when the row has one. Otherwise a row's identity is its position in the
 * stream. Virtualized lists remove, re-create and recycle row nodes, so neither a node nor an index
 * attribute can be an identity; instead each sync aligns the visible window of rows with the stream
 * seen so far: rows whose node survived (with the same content) anchor the window at their known
 * positions; without any surviving node (a full re-render) the window is aligned by content with the
 * tail of the stream. Rows past the known end are new. So a re-rendered list adds nothing, while the
 * same text typed twice by one viewer is two rows at two positions, hence two messages.
 */

import type { DomSpec } from '../platforms/types.ts';

/** Settings and carried-over state handed to the agent. */
export interface AgentConfig {
  bindingName: string;
  spec: DomSpec;
  sweepMs: number;
  /** The last known rows of the stream (oldest first), so a reloaded page realigns instead of repeating. */
  tail: AgentTailEntry[];
  /** The next free stream position. */
  nextPos: number;
  /** Platform ids already seen (recent ones), so a reloaded page does not repeat them. */
  seenIds: string[];
  /** True until the first sync after monitoring started: those rows are backfill. */
  firstSyncIsBackfill: boolean;
  /** Longest text kept per field. */
  maxText: number;
}

export interface AgentTailEntry {
  pos: number;
  sig: string;
}

/** One captured row as the agent reports it. */
export interface AgentRow {
  /** Platform id from the row, if any. */
  pid?: string;
  /** Stream position (rows without a platform id). */
  pos?: number;
  sig: string;
  author: string;
  authorId?: string;
  badges: string[];
  text: string;
  paid?: string;
  backfill: boolean;
  /** Page time (ms since epoch) when the agent saw the row. */
  seenAt: number;
}

export type AgentReport =
  | { type: 'rows'; rows: AgentRow[]; reason: 'backfill' | 'mutation' | 'sweep' }
  | { type: 'deleted'; pids: string[]; positions: number[] }
  | { type: 'probe'; containerFound: boolean; rowCount: number; href: string; ended?: boolean };

/** Installs the agent in the current document. Serialized into the page; keep it self-contained. */
export function installAgent(config: AgentConfig): void {
  const w = window as unknown as Record<string, unknown>;
  if (w.__earshotAgent) return;
  const spec = config.spec;
  const send = (report: unknown): void => {
    const binding = w[config.bindingName] as ((payload: string) => void) | undefined;
    if (typeof binding === 'function') binding(JSON.stringify(report));
  };
  const TAIL_MAX = 2000;
  const SEEN_MAX = 5000;
  const tail: Array<{ pos: number; sig: string }> = config.tail.slice(-TAIL_MAX);
  let nextPos = config.nextPos;
  const seenIds = new Set<string>(config.seenIds);
  const seenOrder: string[] = config.seenIds.slice();
  const deletedIds = new Set<string>();
  const nodeInfo = new WeakMap<Element, { pos: number; sig: string }>();
  let backfillPending = config.firstSyncIsBackfill;
  const BACKFILL_WINDOW_MS = 3000;
  let attachedAt = Date.now();
  let container: Element | null = null;
  let observer: MutationObserver | null = null;
  let parentObserver: MutationObserver | null = null;

  const clip = (s: string): string => (s.length > config.maxText ? s.slice(0, config.maxText) : s);
  const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

  /** Visible text of an element, emoji images by their alt text, the excluded element left out. */
  const textOf = (el: Element | null, exclude: Element | null): string => {
    if (!el) return '';
    let out = '';
    const walk = (node: Node): void => {
      if (node === exclude) return;
      if (node.nodeType === 3) {
        out += (node as Text).data;
        return;
      }
      if (node.nodeType !== 1) return;
      const element = node as Element;
      const tag = element.tagName;
      if (tag === 'IMG') {
        out += element.getAttribute('alt') ?? '';
        return;
      }
      if (tag === 'SCRIPT' || tag === 'STYLE' || tag === 'TEMPLATE') return;
      for (let child = element.firstChild; child; child = child.nextSibling) walk(child);
    };
    walk(el);
    return squash(out);
  };

  interface ReadRow {
    el: Element;
    pid?: string;
    sig: string;
    author: string;
    authorId?: string;
    badges: string[];
    text: string;
    paid?: string;
    deleted: boolean;
  }

  const readRow = (el: Element): ReadRow | null => {
    if (spec.exclude && el.matches(spec.exclude)) return null;
    const authorEl = el.querySelector(spec.author);
    const author = clip(textOf(authorEl, null));
    let textEl: Element | null = el.querySelector(spec.text);
    if (!textEl && el.matches(spec.text)) textEl = el;
    const text = clip(textOf(textEl, authorEl && textEl && textEl.contains(authorEl) ? authorEl : null));
    const deleted = Boolean(spec.deleted && (el.matches(spec.deleted) || el.querySelector(spec.deleted)));
    if (!author && !text) return null;
    const pidRaw = spec.idAttribute ? el.getAttribute(spec.idAttribute) : null;
    const badges: string[] = [];
    if (spec.badges) {
      el.querySelectorAll(spec.badges.selector).forEach((b) => {
        const name =
          (spec.badges!.attribute ? b.getAttribute(spec.badges!.attribute) : null) ??
          b.getAttribute('alt') ??
          b.getAttribute('aria-label') ??
          b.getAttribute('title') ??
          b.textContent;
        const clean = squash(name ?? '').toLowerCase();
        if (clean && badges.indexOf(clean) < 0) badges.push(clean);
      });
    }
    const authorId = spec.authorIdAttribute ? (el.getAttribute(spec.authorIdAttribute) ?? undefined) : undefined;
    const paidEl = spec.paidAmount ? el.querySelector(spec.paidAmount) : null;
    const paid = paidEl ? squash(paidEl.textContent ?? '') || undefined : undefined;
    return {
      el,
      pid: pidRaw ? pidRaw : undefined,
      sig: author + '\u0000' + text,
      author,
      authorId,
      badges,
      text,
      paid,
      deleted,
    };
  };

  const rememberId = (pid: string): void => {
    seenIds.add(pid);
    seenOrder.push(pid);
    if (seenOrder.length > SEEN_MAX) {
      const drop = seenOrder.splice(0, seenOrder.length - SEEN_MAX);
      for (const d of drop) seenIds.delete(d);
    }
  };

  const tailSigAt = (pos: number): string | undefined => {
    // tail holds consecutive positions ending at nextPos - 1 (older ones trimmed)
    if (tail.length === 0) return undefined;
    const index = pos - tail[0]!.pos;
    return index >= 0 && index < tail.length ? tail[index]!.sig : undefined;
  };

  const pushTail = (pos: number, sig: string): void => {
    tail.push({ pos, sig });
    if (tail.length > TAIL_MAX) tail.splice(0, tail.length - TAIL_MAX);
  };

  /** Aligns the window of id-less rows with the stream; returns the rows that are new, in order. */
  const alignWindow = (win: ReadRow[]): Array<{ row: ReadRow; pos: number }> => {
    const fresh: Array<{ row: ReadRow; pos: number }> = [];
    if (win.length === 0) return fresh;
    // 1. Anchors: surviving nodes whose content is unchanged vote for an offset (stream pos - window index).
    const votes = new Map<number, number>();
    for (let j = 0; j < win.length; j++) {
      const info = nodeInfo.get(win[j]!.el);
      if (info && (info.sig === win[j]!.sig || win[j]!.deleted)) {
        const offset = info.pos - j;
        votes.set(offset, (votes.get(offset) ?? 0) + 1);
      }
    }
    let offset: number | null = null;
    let best = 0;
    votes.forEach((count, candidate) => {
      if (count > best || (count === best && offset !== null && candidate > offset)) {
        best = count;
        offset = candidate;
      }
    });
    if (offset === null) {
      // 2. No surviving node: align by content. Longest prefix of the window equal to a suffix of the tail.
      const maxK = Math.min(win.length, tail.length);
      let k = 0;
      for (let candidate = maxK; candidate > 0; candidate--) {
        let ok = true;
        for (let i = 0; i < candidate; i++) {
          if (win[i]!.sig !== tail[tail.length - candidate + i]!.sig) {
            ok = false;
            break;
          }
        }
        if (ok) {
          k = candidate;
          break;
        }
      }
      if (k === 0 && tail.length >= win.length) {
        // The whole window may sit further up the stream (a re-render while scrolled up): nothing new then.
        for (let start = tail.length - win.length; start >= 0; start--) {
          let ok = true;
          for (let i = 0; i < win.length; i++) {
            if (win[i]!.sig !== tail[start + i]!.sig) {
              ok = false;
              break;
            }
          }
          if (ok) {
            for (let i = 0; i < win.length; i++) nodeInfo.set(win[i]!.el, { pos: tail[start + i]!.pos, sig: win[i]!.sig });
            return fresh;
          }
        }
      }
      offset = nextPos - k;
    }
    for (let j = 0; j < win.length; j++) {
      const row = win[j]!;
      const pos = (offset as number) + j;
      if (pos < nextPos) {
        const known = tailSigAt(pos);
        nodeInfo.set(row.el, { pos, sig: known ?? row.sig });
        continue;
      }
      // pos === nextPos: anchored windows are contiguous, so a row past the end is the next one.
      nodeInfo.set(row.el, { pos: nextPos, sig: row.sig });
      pushTail(nextPos, row.sig);
      fresh.push({ row, pos: nextPos });
      nextPos++;
    }
    return fresh;
  };

  const sync = (reason: 'mutation' | 'sweep'): void => {
    if (!container || !container.isConnected) {
      attach();
      if (!container) return;
    }
    const rows: ReadRow[] = [];
    container.querySelectorAll(spec.row).forEach((el) => {
      const read = readRow(el);
      if (read) rows.push(read);
    });
    // Rows already on the page when monitoring starts are backfill: the first non-empty sync, if it
    // comes while the page is still settling (history is rendered in one batch right after load).
    const backfill = backfillPending && rows.length > 0 && Date.now() - attachedAt < BACKFILL_WINDOW_MS;
    if (rows.length > 0 || Date.now() - attachedAt >= BACKFILL_WINDOW_MS) backfillPending = false;
    const now = Date.now();
    const out: Array<Record<string, unknown>> = [];
    const deletedPids: string[] = [];
    const deletedPositions: number[] = [];
    const toRow = (r: ReadRow, extra: { pid?: string; pos?: number }): Record<string, unknown> => ({
      ...extra,
      sig: r.sig,
      author: r.author,
      authorId: r.authorId,
      badges: r.badges,
      text: r.text,
      paid: r.paid,
      backfill,
      seenAt: now,
    });
    const idless: ReadRow[] = [];
    for (const r of rows) {
      if (r.pid) {
        if (r.deleted) {
          if (!deletedIds.has(r.pid)) {
            deletedIds.add(r.pid);
            deletedPids.push(r.pid);
          }
          continue;
        }
        if (!seenIds.has(r.pid)) {
          rememberId(r.pid);
          out.push(toRow(r, { pid: r.pid }));
        }
      } else {
        idless.push(r);
      }
    }
    for (const r of idless) {
      const info = nodeInfo.get(r.el);
      if (r.deleted && info && !deletedIds.has('pos:' + info.pos)) {
        deletedIds.add('pos:' + info.pos);
        deletedPositions.push(info.pos);
      }
    }
    const fresh = alignWindow(idless.filter((r) => !r.deleted || nodeInfo.has(r.el)));
    for (const f of fresh) if (!f.row.deleted) out.push(toRow(f.row, { pos: f.pos }));
    if (out.length > 0) send({ type: 'rows', rows: out, reason: backfill ? 'backfill' : reason });
    if (deletedPids.length > 0 || deletedPositions.length > 0) {
      send({ type: 'deleted', pids: deletedPids, positions: deletedPositions });
    }
  };

  const onMutations = (): void => {
    try {
      sync('mutation');
    } catch (error) {
      send({ type: 'probe', containerFound: Boolean(container), rowCount: -1, href: String(error) });
    }
  };

  function attach(): void {
    const found = document.querySelector(spec.container);
    if (found === container) return;
    observer?.disconnect();
    parentObserver?.disconnect();
    container = found;
    if (!container) return;
    if (backfillPending) attachedAt = Date.now();
    observer = new MutationObserver(onMutations);
    observer.observe(container, { childList: true, subtree: true, characterData: true, attributes: Boolean(spec.deleted) });
    // The list itself may be replaced wholesale; watching its parent notices that at once.
    if (container.parentNode) {
      parentObserver = new MutationObserver(() => {
        if (container && !container.isConnected) onMutations();
      });
      parentObserver.observe(container.parentNode, { childList: true });
    }
  }

  let lastProbe = 0;
  const sweep = (): void => {
    try {
      sync('sweep');
    } catch {
      // a broken page must not stop the sweep
    }
    const now = Date.now();
    if (now - lastProbe >= 1000) {
      lastProbe = now;
      const rowCount = container ? container.querySelectorAll(spec.row).length : 0;
      let ended = false;
      if (spec.ended) {
        // Only a visible banner counts: pages often keep a hidden "ended" element in the markup.
        document.querySelectorAll(spec.ended).forEach((el) => {
          if (el.getClientRects().length > 0) ended = true;
        });
      }
      send({ type: 'probe', containerFound: Boolean(container && container.isConnected), rowCount, href: location.href, ended });
    }
  };

  const start = (): void => {
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
    setInterval(sweep, config.sweepMs);
    sweep();
  };

  w.__earshotAgent = { sync, state: () => ({ nextPos, tail: tail.slice(-50) }) };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start, { once: true });
  } else {
    start();
  }
}

/** The agent as a script source that installs it with the given config. */
export function agentScript(config: AgentConfig): string {
  return `(${installAgent.toString()})(${JSON.stringify(config)});`;
}
