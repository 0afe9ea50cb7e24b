/**
 * The show report a seller reads at a glance after a show: lots sold / unsold / void, revenue, buyers,
 * the average price, chat and claims per minute, top buyers, waitlisted viewers who got nothing,
 * interested viewers with no sale (with what they said), questions left unanswered and answers sent.
 * Built purely from the ledger's lots and what the store counted; the HTTP layer gathers the inputs.
 * Money in integer cents.
 */
import { ledgerBuyers, lotPriceCents, saleStateOf, summarizeLots, type InterestedViewer, type Lot, type SalesSummary } from '../ledger/sale.ts';
import { buyerKeyOf } from './invoice.ts';
import { escapeHtml as escapeXml } from './render.ts';

/** Messages and claims in one minute of the show (minute 0 is the show's start). */
export interface MinuteCount {
  minute: number;
  messages: number;
  claims: number;
}

/** A question a viewer asked and what became of it. */
export interface ReportQuestion {
  messageId: string;
  username: string;
  text: string;
  at: string;
  /** The answer's text when one was suggested or sent; null when none was. */
  answer: string | null;
  /** `sent` when it went out in chat, `suggested` when it waited for the seller, `unanswered` otherwise. */
  status: 'sent' | 'suggested' | 'unanswered';
}

export interface ReportInput {
  sessionId: string;
  title: string | null;
  startedAt: string;
  endedAt: string | null;
  lots: readonly Lot[];
  /** Whether the show is still running (open lots then count as pending, not sold). */
  live: boolean;
  perMinute: readonly MinuteCount[];
  interested: readonly InterestedViewer[];
  questions: readonly ReportQuestion[];
}

export interface ShowReport {
  sessionId: string;
  title: string | null;
  startedAt: string;
  endedAt: string | null;
  summary: SalesSummary;
  /** Revenue over sold lots with a price (null when none was priced). */
  averagePriceCents: number | null;
  messages: number;
  claims: number;
  perMinute: MinuteCount[];
  topBuyers: Array<{ username: string; lots: number; totalCents: number }>;
  /** Viewers who waited on a lot and won nothing in the show. */
  waitlistedWithout: Array<{ username: string; lots: string[] }>;
  /** Viewers with purchase intent that no lot holds, and who won nothing. */
  interestedWithout: InterestedViewer[];
  unanswered: ReportQuestion[];
  answered: ReportQuestion[];
}

/** Most buyers listed as top buyers. */
export const TOP_BUYERS = 10;

/** Builds the report (see the module comment). Minutes without chat are filled with zeros. */
export function buildShowReport(input: ReportInput): ShowReport {
  const summary = summarizeLots(input.lots, { live: input.live });
  const buyers = ledgerBuyers(input.lots, { live: input.live });
  const winners = new Set(buyers.map((b) => buyerKeyOf(b.username)));
  const soldPriced = input.lots.filter((l) => saleStateOf(l, input.live) === 'sold' && lotPriceCents(l) !== null);
  const waitlisted = new Map<string, { username: string; lots: string[] }>();
  for (const lot of input.lots) {
    if (lot.status === 'void') continue;
    for (const w of lot.waitlist) {
      const key = buyerKeyOf(w.username);
      if (winners.has(key)) continue;
      const entry = waitlisted.get(key) ?? { username: w.username, lots: [] };
      if (!entry.lots.includes(lot.code)) entry.lots.push(lot.code);
      waitlisted.set(key, entry);
    }
  }
  const last = input.perMinute.reduce((m, x) => Math.max(m, x.minute), -1);
  const byMinute = new Map(input.perMinute.map((m) => [m.minute, m]));
  const perMinute: MinuteCount[] = [];
  for (let minute = 0; minute <= last; minute++) perMinute.push(byMinute.get(minute) ?? { minute, messages: 0, claims: 0 });
  return {
    sessionId: input.sessionId,
    title: input.title,
    startedAt: input.startedAt,
    endedAt: input.endedAt,
    summary,
    averagePriceCents: soldPriced.length > 0 ? Math.round(summary.revenueCents / soldPriced.length) : null,
    messages: perMinute.reduce((n, m) => n + m.messages, 0),
    claims: perMinute.reduce((n, m) => n + m.claims, 0),
    perMinute,
    topBuyers: buyers
      .filter((b) => b.sold > 0 || input.live)
      .map((b) => ({ username: b.username, lots: b.sold + b.pending, totalCents: b.totalCents }))
      .sort((a, b) => b.totalCents - a.totalCents || b.lots - a.lots || a.username.localeCompare(b.username))
      .slice(0, TOP_BUYERS),
    waitlistedWithout: [...waitlisted.values()].sort((a, b) => a.username.localeCompare(b.username)),
    interestedWithout: input.interested.filter((v) => !winners.has(buyerKeyOf(v.username)) && !waitlisted.has(buyerKeyOf(v.username))),
    unanswered: input.questions.filter((q) => q.status === 'unanswered'),
    answered: input.questions.filter((q) => q.status !== 'unanswered'),
  };
}

/**
 * Messages and claims per minute as an SVG line chart that reads printed in black and white: two series
 * told apart by line style (solid messages, dashed claims) and by their labels, not by colour; axes with
 * ticks; a title and a text description for screen readers. Pure markup, every label escaped.
 */
export function perMinuteSvg(perMinute: readonly MinuteCount[], options: { width?: number; height?: number; title?: string } = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 220;
  const pad = { left: 44, right: 16, top: 28, bottom: 34 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const n = Math.max(1, perMinute.length);
  const peak = Math.max(1, ...perMinute.map((m) => Math.max(m.messages, m.claims)));
  const top = niceCeil(peak);
  const x = (i: number) => pad.left + (n === 1 ? w / 2 : (i / (n - 1)) * w);
  const y = (v: number) => pad.top + h - (v / top) * h;
  const path = (pick: (m: MinuteCount) => number) =>
    perMinute.map((m, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(pick(m)).toFixed(1)}`).join(' ');
  const yTicks = [0, top / 2, top].map(
    (v) => `<line x1="${pad.left - 4}" x2="${pad.left + w}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#bbb" stroke-width="0.5"/><text x="${pad.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`,
  );
  const step = Math.max(1, Math.ceil(n / 8));
  const xTicks: string[] = [];
  for (let i = 0; i < n; i += step) xTicks.push(`<text x="${x(i).toFixed(1)}" y="${pad.top + h + 16}" text-anchor="middle">${perMinute[i]?.minute ?? i}</text>`);
  const title = escapeXml(options.title ?? 'Messages and claims per minute');
  const total = (pick: (m: MinuteCount) => number) => perMinute.reduce((s, m) => s + pick(m), 0);
  const desc = escapeXml(`${total((m) => m.messages)} messages and ${total((m) => m.claims)} claims over ${perMinute.length} minutes; the busiest minute had ${peak}.`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="chart-title chart-desc" font-family="system-ui, sans-serif" font-size="11" fill="#111">
<title id="chart-title">${title}</title>
<desc id="chart-desc">${desc}</desc>
<text x="${pad.left}" y="16" font-size="13" font-weight="600">${title}</text>
${yTicks.join('\n')}
<line x1="${pad.left}" x2="${pad.left + w}" y1="${pad.top + h}" y2="${pad.top + h}" stroke="#111"/>
${xTicks.join('\n')}
<text x="${pad.left + w / 2}" y="${height - 4}" text-anchor="middle">minute of the show</text>
<path d="${path((m) => m.messages)}" fill="none" stroke="#111" stroke-width="2"/>
<path d="${path((m) => m.claims)}" fill="none" stroke="#111" stroke-width="2" stroke-dasharray="6 4"/>
<g transform="translate(${pad.left + w - 170}, 10)"><line x1="0" x2="22" y1="0" y2="0" stroke="#111" stroke-width="2"/><text x="26" y="4">messages</text><line x1="90" x2="112" y1="0" y2="0" stroke="#111" stroke-width="2" stroke-dasharray="6 4"/><text x="116" y="4">claims</text></g>
</svg>`;
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
