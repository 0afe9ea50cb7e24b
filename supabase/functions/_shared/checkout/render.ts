/**
 * An invoice as the seller hands it out: a message short enough for a DM, an @mention for chat, payment
 * links, CSV and a printable page. Buyer names and lot titles come from chat and are hostile: they are
 * percent-encoded into links, escaped in HTML (never rendered as markup), neutralised in CSV cells, and
 * kept to one line in messages.
 */
import { csv } from '../ledger/corrections.ts';
import { decimalAmount, formatMoney } from './money.ts';
import type { CheckoutSettings } from './settings.ts';
import { describeShipping } from './shipping.ts';
import type { Invoice } from './invoice.ts';

/** Longest DM text (a platform DM is short; Whatnot's and Instagram's take about 1,000 characters). */
export const MAX_DM_LENGTH = 1_000;
/** Longest chat @mention (chat inputs cap around 200-500 characters). */
export const MAX_MENTION_LENGTH = 200;

/** A payment link for one invoice. */
export interface PaymentLink {
  kind: 'paypal' | 'venmo' | 'cashapp' | 'checkout';
  label: string;
  url: string;
}

const oneLine = (text: string, max: number): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${[...flat].slice(0, max - 1).join('')}…` : flat;
};

/** The invoice's links for each payment handle the seller set, amounts and names percent-encoded. */
export function paymentLinks(invoice: Invoice, settings: CheckoutSettings): PaymentLink[] {
  const amount = decimalAmount(invoice.totalCents, invoice.currency);
  const p = settings.payment;
  const note = encodeURIComponent(`${invoice.shopName} ${invoice.id}`);
  const links: PaymentLink[] = [];
  if (p.paypalMe) links.push({ kind: 'paypal', label: 'PayPal', url: `https://paypal.me/${p.paypalMe}/${amount}${invoice.currency}` });
  if (p.venmo) links.push({ kind: 'venmo', label: 'Venmo', url: `https://venmo.com/${p.venmo}?txn=pay&amount=${amount}&note=${note}` });
  if (p.cashApp) links.push({ kind: 'cashapp', label: 'Cash App', url: `https://cash.app/$${p.cashApp}/${amount}` });
  if (p.checkoutUrl) {
    const values: Record<string, string> = { buyer: invoice.buyer, total: amount, currency: invoice.currency, invoice: invoice.id };
    links.push({ kind: 'checkout', label: 'Checkout', url: p.checkoutUrl.replace(/\{(buyer|total|currency|invoice)\}/g, (_m, k: string) => encodeURIComponent(values[k]!)) });
  }
  return links;
}

/**
 * The invoice as a DM: greeting, one line per lot (as many as fit), shipping, total, the payment links
 * and the seller's note, within {@link MAX_DM_LENGTH}.
 */
export function invoiceMessage(invoice: Invoice, settings: CheckoutSettings): string {
  const money = (c: number) => formatMoney(c, invoice.currency, settings.locale);
  const head = `Hi ${oneLine(invoice.buyer, 60)}! Thanks for shopping with ${oneLine(invoice.shopName, 80)}.`;
  const tail = [
    invoice.shippingCents > 0 ? `Shipping ${money(invoice.shippingCents)}` : 'Shipping free',
    `Total ${money(invoice.totalCents)}`,
    ...paymentLinks(invoice, settings).map((l) => `${l.label}: ${l.url}`),
    ...(settings.invoiceNote ? [oneLine(settings.invoiceNote, 300)] : []),
  ];
  const lineOf = (l: Invoice['lines'][number]) =>
    `${oneLine(l.lotCode, 40)} ${oneLine(l.title ?? '', 60)}${l.quantity > 1 ? ` x${l.quantity}` : ''} ${l.priceCents === null ? '(price to come)' : money(l.priceCents)}`.replace(/ +/g, ' ');
  const fixed = [head, ...tail].join('\n').length + 1;
  const body: string[] = [];
  let used = fixed;
  for (let i = 0; i < invoice.lines.length; i++) {
    const line = lineOf(invoice.lines[i]!);
    const rest = invoice.lines.length - i - 1;
    const more = rest > 0 ? `+ ${rest} more` : '';
    if (used + line.length + 1 + (more ? more.length + 1 : 0) > MAX_DM_LENGTH) {
      body.push(`+ ${invoice.lines.length - i} more`);
      break;
    }
    body.push(line);
    used += line.length + 1;
  }
  return [head, ...body, ...tail].join('\n').slice(0, MAX_DM_LENGTH);
}

/** The chat @mention that points a buyer to their DMs ("@amy your total is $51.00, check your DMs"). */
export function invoiceMention(invoice: Invoice, settings: CheckoutSettings): string {
  const name = invoice.buyer.replace(/^@/, '').replace(/[^\p{L}\p{N}_.-]/gu, '');
  return oneLine(`@${name} your total is ${formatMoney(invoice.totalCents, invoice.currency, settings.locale)}, check your DMs`, MAX_MENTION_LENGTH);
}

/** Invoices as CSV: one row per lot, then a shipping row and a total row per invoice (cells neutralised). */
export function invoicesCsv(invoices: readonly Invoice[]): string {
  const rows: Array<Array<string | number | null>> = [['invoice', 'state', 'buyer', 'show', 'lot', 'title', 'quantity', 'amount', 'currency']];
  for (const inv of invoices) {
    const amount = (c: number | null) => (c === null ? null : decimalAmount(c, inv.currency));
    for (const l of inv.lines) rows.push([inv.id, inv.state, inv.buyer, l.showTitle ?? l.sessionId, l.lotCode, l.title, l.quantity, amount(l.priceCents), inv.currency]);
    rows.push([inv.id, inv.state, inv.buyer, null, 'SHIPPING', null, null, amount(inv.shippingCents), inv.currency]);
    rows.push([inv.id, inv.state, inv.buyer, null, 'TOTAL', null, inv.items, amount(inv.totalCents), inv.currency]);
  }
  return csv(rows);
}

/** Text for HTML: every markup character escaped (chat text is never markup). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A printable invoice page: plain HTML with print CSS (black on white, no backgrounds, page breaks
 * between invoices), no script, every value escaped. Several invoices print one per page.
 */
export function invoicesHtml(invoices: readonly Invoice[], settings: CheckoutSettings): string {
  const e = escapeHtml;
  const pages = invoices.map((inv) => {
    const money = (c: number) => e(formatMoney(c, inv.currency, settings.locale));
    const rows = inv.lines
      .map(
        (l) =>
          `<tr><td>${e(l.lotCode)}</td><td>${e(l.title ?? '')}</td><td class="num">${l.quantity}</td><td class="num">${l.priceCents === null ? 'to come' : money(l.priceCents)}</td></tr>`,
      )
      .join('\n');
    const links = paymentLinks(inv, settings)
      .map((l) => `<li>${e(l.label)}: <a href="${e(l.url)}">${e(l.url)}</a></li>`)
      .join('');
    return `<section class="invoice" aria-label="Invoice ${e(inv.id)}">
<header><h1>${e(inv.shopName)}</h1><p>Invoice <strong>${e(inv.id)}</strong> for <strong>${e(inv.buyer)}</strong> · ${e(inv.state)}</p></header>
<table><thead><tr><th scope="col">Lot</th><th scope="col">Item</th><th scope="col" class="num">Qty</th><th scope="col" class="num">Price</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th scope="row" colspan="3">Subtotal</th><td class="num">${money(inv.subtotalCents)}</td></tr>
<tr><th scope="row" colspan="3">Shipping (${e(describeShipping(settings.shipping, (c) => formatMoney(c, inv.currency, settings.locale)))})</th><td class="num">${money(inv.shippingCents)}</td></tr>
<tr class="total"><th scope="row" colspan="3">Total</th><td class="num">${money(inv.totalCents)}</td></tr></tfoot></table>
${links ? `<ul class="pay">${links}</ul>` : ''}
${settings.invoiceNote ? `<p class="note">${e(settings.invoiceNote)}</p>` : ''}
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(settings.shopName)}: invoices</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;color:#111;background:#fff;margin:24px}
.invoice{max-width:720px;margin:0 auto 48px}
h1{font-size:22px;margin:0 0 4px}
table{width:100%;border-collapse:collapse;margin:16px 0}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #999}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.total th,.total td{font-weight:700;border-top:2px solid #111}
a{color:#111}
@media print{body{margin:0}.invoice{page-break-after:always;break-after:page}a{text-decoration:none}}
</style></head>
<body>
${pages.join('\n')}
</body></html>
`;
}
