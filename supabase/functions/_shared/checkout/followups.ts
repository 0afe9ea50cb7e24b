/**
 * Follow-ups after the show: a draft message for each viewer who would otherwise be lost, i.e. each
 * waitlisted viewer left without the item and each interested viewer with no sale. Drafts are templated
 * by default; a model may write them instead (with OPENAI_API_KEY), but a model's draft is used only when
 * {@link draftProblems} finds nothing in it that the lot and the seller's documents do not say: no price,
 * number or promise (free shipping, a discount, a hold, a restock date) of its own.
 * The seller copies a draft, marks it done, or sends it where the platform allows.
 */
import { formatMoney } from './money.ts';
import type { CheckoutSettings } from './settings.ts';
import type { ShowReport } from './report.ts';
import type { Lot } from '../ledger/sale.ts';

export interface FollowUp {
  username: string;
  kind: 'waitlisted' | 'interested';
  /** The lots the follow-up is about (codes). */
  lots: string[];
  /** What the viewer said (interested viewers), newest last. */
  said: string[];
  draft: string;
  source: 'template' | 'model';
}

/** Templated drafts for everyone the report lists as left without a sale. */
export function templateFollowUps(report: ShowReport, lots: readonly Lot[], settings: CheckoutSettings): FollowUp[] {
  const byCode = new Map(lots.map((l) => [l.code, l]));
  const shop = settings.shopName;
  const name = (l: Lot | undefined, code: string) => (l?.title ? `${code} (${l.title})` : code);
  const out: FollowUp[] = [];
  for (const w of report.waitlistedWithout) {
    const what = w.lots.map((c) => name(byCode.get(c), c)).join(', ');
    out.push({
      username: w.username,
      kind: 'waitlisted',
      lots: w.lots,
      said: [],
      draft: `Hi @${w.username}, ${what} went to another buyer tonight, sorry! You were on the waitlist, so if it comes back you'll hear from ${shop} first.`,
      source: 'template',
    });
  }
  for (const v of report.interestedWithout) {
    const codes = lots.filter((l) => v.messages.some((m) => mentionsCode(m.text, l.baseCode))).map((l) => l.code);
    const lot = codes.length === 1 ? byCode.get(codes[0]!) : undefined;
    const about = lot ? `${name(lot, lot.code)}${lot.priceCents !== null ? ` at ${formatMoney(lot.priceCents, settings.currency, settings.locale)}` : ''}` : "tonight's items";
    out.push({
      username: v.username,
      kind: 'interested',
      lots: codes,
      said: v.messages.map((m) => m.text),
      draft: `Hi @${v.username}, thanks for watching ${shop}! You asked about ${about}: reply here if you'd still like it and I'll check what I can do.`,
      source: 'template',
    });
  }
  return out;
}

function mentionsCode(text: string, code: string): boolean {
  return new RegExp(`(^|[^\\p{L}\\p{N}])#?${code.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'iu').test(text);
}

/** Phrases a draft may use only when the lot or the seller's documents say them. */
const PROMISES = [
  /free shipping/i,
  /\bdiscount(ed)?\b/i,
  /\b\d+\s?% off\b/i,
  /\bon hold\b|\bhold (it|this|one) for you\b/i,
  /\brestock(ed|ing)?\b/i,
  /\bguarantee(d)?\b/i,
  /\brefund(s|ed)?\b/i,
  /\bbundle\b/i,
];

/**
 * What in a model's draft is not grounded in `facts` (the lot's code, title and price, and the seller's
 * document text): every number (prices included) and every promise phrase must appear there. An empty
 * list means the draft may be used; otherwise the templated draft is used instead.
 */
export function draftProblems(draft: string, facts: { text: string; amounts: readonly string[] }): string[] {
  const problems: string[] = [];
  const factText = `${facts.text} ${facts.amounts.join(' ')}`.toLowerCase();
  const factNumbers = new Set([...factText.matchAll(/\d+(?:[.,]\d+)?/g)].map((m) => normalizeNumber(m[0])));
  for (const m of draft.matchAll(/\d+(?:[.,]\d+)?/g)) {
    if (!factNumbers.has(normalizeNumber(m[0]))) problems.push(`number not in the facts: ${m[0]}`);
  }
  for (const promise of PROMISES) {
    const said = promise.exec(draft);
    if (said && !promise.test(factText)) problems.push(`promise not in the facts: ${said[0]}`);
  }
  if (/https?:\/\//i.test(draft) && !/https?:\/\//i.test(factText)) problems.push('a link not in the facts');
  return problems;
}

function normalizeNumber(n: string): string {
  const v = Number(n.replace(',', '.'));
  return Number.isFinite(v) ? String(v) : n;
}
