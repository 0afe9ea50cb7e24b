/**
 * The live chat feed of one session: a virtualized list (only the rows in view exist in the DOM, so tens
 * of thousands of messages stay smooth), filters, and auto-scroll that pauses while the reader is up
 * in older messages ("N new messages" jumps back down). Chat text is rendered as React text only.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { SessionFeed } from '../feed/session-feed.ts';
import type { Answer, Buyer, FeedMessage } from '../feed/types.ts';
import { formatTime } from '../hooks.ts';
import { HistorySearch, type SearchScope } from './HistorySearch.tsx';

interface Filters {
  buyers: boolean;
  questions: boolean;
  query: string;
}

/** Rows that pass the filters; the feed's own array when none is set (no copy per render). */
export function selectRows(feed: SessionFeed, filters: Filters): readonly FeedMessage[] {
  const query = filters.query.trim().toLowerCase();
  if (!filters.buyers && !filters.questions && !query) return feed.messages;
  return feed.messages.filter((m) => {
    if (filters.buyers && !feed.buyerFor(m.id)) return false;
    if (filters.questions && !(m.question || feed.answerFor(m.id))) return false;
    if (query && !m.text.toLowerCase().includes(query) && !m.author.toLowerCase().includes(query)) return false;
    return true;
  });
}

const KNOWN_BADGES = new Set(['owner', 'moderator', 'vip', 'subscriber', 'member', 'verified', 'broadcaster', 'founder']);

/** Pixels from the bottom that still count as "at the bottom". */
const BOTTOM_SLACK = 48;

export interface FeedProps {
  feed: SessionFeed;
  version: number;
  emptyHint: string;
  /** The message on the show's overlay (its row says so, and its button clears it). */
  featuredId?: string;
  /** Features a message on the overlay, or clears it (null); absent: no overlay action. */
  onFeature?: (messageId: string | null) => void;
}

export function Feed({ feed, version, emptyHint, featuredId, onFeature }: FeedProps) {
  const [buyersOnly, setBuyersOnly] = useState(false);
  const [questionsOnly, setQuestionsOnly] = useState(false);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  // One search box: typing filters what is on screen; Enter looks the words up in storage, in this show
  // or in all the seller's shows (the scope beside it).
  const [scope, setScope] = useState<SearchScope>('show');
  const [stored, setStored] = useState<{ q: string; scope: SearchScope } | null>(null);
  const rows = useMemo(
    () => selectRows(feed, { buyers: buyersOnly, questions: questionsOnly, query: deferredQuery }),
    // `version` changes whenever the feed's content does (the arrays are mutated in place).
    [feed, version, buyersOnly, questionsOnly, deferredQuery],
  );
  const count = rows.length;
  const filtered = rows !== feed.messages;

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 34,
    overscan: 10,
    getItemKey: (index) => rows[index]?.id ?? index,
  });

  // Auto-scroll: follow new messages while the reader is at the bottom; stop as soon as they scroll up.
  const [following, setFollowing] = useState(true);
  const followingRef = useRef(true);
  const [seenCount, setSeenCount] = useState(0);
  const lastTop = useRef(0);

  const follow = useCallback((value: boolean, seen: number) => {
    followingRef.current = value;
    setFollowing(value);
    setSeenCount(seen);
  }, []);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
    const movedUp = el.scrollTop < lastTop.current - 1;
    lastTop.current = el.scrollTop;
    if (distance <= BOTTOM_SLACK) {
      if (!followingRef.current) follow(true, count);
    } else if (movedUp && followingRef.current) {
      follow(false, count);
    }
  }, [count, follow]);

  const jumpToLatest = useCallback(() => {
    follow(true, count);
    if (count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [count, follow, virtualizer]);

  const renderedCount = useRef(0);
  useLayoutEffect(() => {
    const before = renderedCount.current;
    renderedCount.current = count;
    if (!followingRef.current || count === 0) return;
    // The reader may have scrolled up a long way while its scroll event is still queued (scroll events
    // wait for the next frame; new messages may not): keep their place instead of pulling them down.
    const el = scrollRef.current;
    if (el && lastTop.current - el.scrollTop > el.clientHeight / 2 && el.scrollHeight - el.scrollTop - el.clientHeight > BOTTOM_SLACK) {
      lastTop.current = el.scrollTop;
      follow(false, before);
      return;
    }
    virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [count, follow, virtualizer]);

  // The list's box changes size (a status note appears above it, a phone tab shows it again): a reader
  // who was following must still see the newest message.
  const countRef = useRef(count);
  countRef.current = count;
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (followingRef.current && countRef.current > 0 && el.clientHeight > 0) {
        virtualizer.scrollToIndex(countRef.current - 1, { align: 'end' });
      }
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [virtualizer]);

  // A new filter is a new list: show its latest rows.
  useLayoutEffect(() => {
    follow(true, 0);
  }, [buyersOnly, questionsOnly, deferredQuery, feed, follow]);

  const unseen = following ? 0 : Math.max(0, count - seenCount);
  const items = virtualizer.getVirtualItems();

  return (
    <section className="feed" aria-label="Live chat">
      <div className="feed-tools">
        <form
          role="search"
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            const q = query.trim();
            setStored(q ? { q, scope } : null);
          }}
        >
          <label>
            <span className="visually-hidden">Search messages (Enter searches storage)</span>
            <input
              type="search"
              placeholder="Search (Enter: stored too)"
              value={query}
              maxLength={200}
              onChange={(e) => {
                setQuery(e.target.value);
                if (e.target.value.trim() === '') setStored(null);
              }}
              data-testid="history-q"
            />
          </label>
          <label>
            <span className="visually-hidden">Where Enter searches</span>
            <select value={scope} onChange={(e) => setScope(e.currentTarget.value as SearchScope)} data-testid="search-scope">
              <option value="show">This show</option>
              <option value="all">All shows</option>
            </select>
          </label>
        </form>
        <button type="button" className="chip-toggle" aria-pressed={buyersOnly} onClick={() => setBuyersOnly((v) => !v)}>
          Buyers
        </button>
        <button type="button" className="chip-toggle" aria-pressed={questionsOnly} onClick={() => setQuestionsOnly((v) => !v)}>
          Questions
        </button>
        <span className="feed-count" aria-live="off">
          {filtered ? `${count.toLocaleString()} of ${feed.messages.length.toLocaleString()}` : `${count.toLocaleString()} messages`}
        </span>
      </div>
      {stored && <HistorySearch sessionId={feed.sessionId} q={stored.q} scope={stored.scope} onClose={() => setStored(null)} />}
      <div
        className="feed-scroll"
        ref={scrollRef}
        onScroll={onScroll}
        tabIndex={0}
        role="log"
        aria-live="off"
        aria-label="Chat messages, newest at the bottom"
        data-testid="feed"
      >
        {count === 0 ? (
          <p className="empty">{filtered ? 'No messages match these filters.' : emptyHint}</p>
        ) : (
          <div className="feed-inner" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const message = rows[item.index]!;
              return (
                <div
                  key={item.key}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  className="feed-row"
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  <MessageRow
                    message={message}
                    buyer={feed.buyerFor(message.id)}
                    answer={feed.answerFor(message.id)}
                    featured={message.id === featuredId}
                    onFeature={onFeature}
                  />
                </div>
              );
            })}
          </div>
        )}
      </div>
      {unseen > 0 && (
        <button type="button" className="new-messages" onClick={jumpToLatest}>
          {unseen === 1 ? '1 new message' : `${unseen.toLocaleString()} new messages`} ↓
        </button>
      )}
    </section>
  );
}

/** The tag of a purchase-intent message, by what the ledger made of it (old services say nothing: buyer). */
const CLAIM_WORD = { winner: 'buyer', waitlist: 'waitlist', interested: 'interest' } as const;

interface RowProps {
  message: FeedMessage;
  buyer?: Buyer;
  answer?: Answer;
  featured: boolean;
  onFeature?: (messageId: string | null) => void;
}

const MessageRow = memo(function MessageRow({ message, buyer, answer, featured, onFeature }: RowProps) {
  const classes = ['msg'];
  if (onFeature) classes.push('has-action');
  if (featured) classes.push('is-featured');
  if (message.deleted) classes.push('deleted');
  if (buyer) classes.push('is-buyer');
  if (message.backfill) classes.push('backfill');
  return (
    <div className={classes.join(' ')} data-testid="message" data-id={message.id}>
      <time dateTime={message.time} title={new Date(message.time).toLocaleString()}>
        {formatTime(message.time)}
      </time>{' '}
      <span className="author" data-testid="author">
        {message.author}
      </span>
      {message.badges.map((badge) => (
        <span key={badge} className={`badge ${KNOWN_BADGES.has(badge) ? `badge-${badge}` : ''}`}>
          {badge}
        </span>
      ))}
      {buyer && (
        // Only the ledger's winners are buyers; a waitlisted or unplaced claim says what it is.
        <span
          className={`tag tag-buyer${buyer.status && buyer.status !== 'winner' ? ' tag-claim' : ''}`}
          title={`Purchase intent (confidence ${Math.round(buyer.confidence * 100)}%)`}
        >
          {CLAIM_WORD[buyer.status ?? 'winner']}
          {buyer.lot ? ` · ${buyer.lot}` : buyer.item ? ` · ${buyer.item}` : ''}
          {buyer.quantity ? ` ×${buyer.quantity}` : ''}
        </span>
      )}
      {(message.question || answer) && (
        <span className="tag tag-question" title={answer ? `Answer ${answer.status}` : 'Looks like a question'}>
          {answer ? `answered · ${answer.status}` : 'question'}
        </span>
      )}
      {message.paidDisplay && <span className="tag tag-paid">{message.paidDisplay}</span>}
      {message.deleted && <span className="tag">deleted</span>}{' '}
      <span className="text" data-testid="text">
        {message.text}
      </span>
      {onFeature && !message.deleted && (
        // A toggle with one name (pressed: on the overlay), in the row's reserved right edge: no extra line.
        <button
          type="button"
          className="msg-feature"
          aria-label="Feature on overlay"
          aria-pressed={featured}
          title={featured ? 'On the stream overlay: press to take it off' : 'Show this message on the stream overlay'}
          onClick={() => onFeature(featured ? null : message.id)}
          data-testid="feature"
        >
          {featured ? '★' : '☆'}
        </button>
      )}
    </div>
  );
});
