import fc from 'fast-check';
import { decimalAmount, formatMoney, minorDigits, parseAmount, sumCents } from './money.ts';
import { checkoutUrlProblem, defaultCheckoutSettings, parseCheckoutSettings, type CheckoutSettings, type ShippingRule } from './settings.ts';
import { shippingCents } from './shipping.ts';
import { buildInvoices, buyerKeyOf, freezeInvoice, saleLinesOf, sendable, totalsOf, type SaleLine } from './invoice.ts';
import { escapeHtml, invoiceMention, invoiceMessage, invoicesCsv, invoicesHtml, MAX_DM_LENGTH, paymentLinks } from './render.ts';
import type { Lot } from '../ledger/sale.ts';

const DAY = 86_400_000;
const t0 = Date.parse('2026-12-01T18:00:00.000Z');
const at = (days: number) => new Date(t0 + days * DAY).toISOString();

function line(over: Partial<SaleLine> = {}): SaleLine {
  return {
    sessionId: 'show-1',
    showTitle: 'Friday drop',
    showAt: at(0),
    lotCode: 'A1',
    title: "Levi's 501",
    priceCents: 4500,
    quantity: 1,
    assignmentId: 'a1',
    paid: false,
    buyer: 'amy',
    ...over,
  };
}

function settings(over: Partial<CheckoutSettings> = {}): CheckoutSettings {
  return { ...defaultCheckoutSettings("Hannah's Vintage"), ...over };
}

describe('money in integer minor units', () => {
  test('minor units follow the currency', () => {
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('BHD')).toBe(3);
    expect(decimalAmount(5100, 'USD')).toBe('51.00');
    expect(decimalAmount(5, 'USD')).toBe('0.05');
    expect(decimalAmount(5100, 'JPY')).toBe('5100');
    expect(decimalAmount(12345, 'BHD')).toBe('12.345');
  });

  test('shown in the seller\u2019s locale', () => {
    expect(formatMoney(5100, 'USD', 'en-US')).toBe('$51.00');
    expect(formatMoney(123456, 'EUR', 'de-DE')).toBe('1.234,56\u00a0€');
    expect(formatMoney(5100, 'JPY', 'ja-JP')).toMatch(/5,100/);
  });

  test('large amounts format exactly (no float on the way)', () => {
    expect(formatMoney(9_007_199_254_740_991, 'USD')).toBe('$90,071,992,547,409.91');
  });

  test('typed amounts parse to cents, refusing more digits than the currency has', () => {
    expect(parseAmount('12.5', 'USD')).toBe(1250);
    expect(parseAmount('12,50', 'EUR')).toBe(1250);
    expect(parseAmount('12.505', 'USD')).toBeNull();
    expect(parseAmount('300', 'JPY')).toBe(300);
    expect(parseAmount('1e3', 'USD')).toBeNull();
  });

  test('a float never enters a sum', () => {
    expect(() => sumCents([100, 0.5])).toThrow(RangeError);
  });
});

describe('shipping rules at their edges', () => {
  const flat: ShippingRule = { kind: 'flat', perOrderCents: 600, freeOverCents: 10_000 };
  const perItem: ShippingRule = { kind: 'per_item', firstItemCents: 500, additionalItemCents: 150, freeOverCents: null };

  test('flat per order, free from the threshold inclusive', () => {
    expect(shippingCents(flat, { items: 1, subtotalCents: 9_999 })).toBe(600);
    expect(shippingCents(flat, { items: 3, subtotalCents: 10_000 })).toBe(0);
    expect(shippingCents(flat, { items: 0, subtotalCents: 0 })).toBe(0);
  });

  test('per item: the first and each more', () => {
    expect(shippingCents(perItem, { items: 1, subtotalCents: 100 })).toBe(500);
    expect(shippingCents(perItem, { items: 4, subtotalCents: 100 })).toBe(500 + 3 * 150);
  });

  test('free is free', () => {
    expect(shippingCents({ kind: 'free' }, { items: 9, subtotalCents: 1 })).toBe(0);
  });
});

describe('invoices per buyer', () => {
  test('one invoice per buyer per show, the total equal to its lines and shipping', () => {
    const s = settings({ shipping: { kind: 'flat', perOrderCents: 600, freeOverCents: null } });
    const invoices = buildInvoices(
      [line(), line({ lotCode: 'B7', assignmentId: 'a1', title: 'Carhartt', priceCents: 8000 }), line({ lotCode: 'C3', buyer: 'Bob', priceCents: 3000 })],
      s,
    );
    expect(invoices.map((i) => [i.buyer, i.subtotalCents, i.shippingCents, i.totalCents, i.state])).toEqual([
      ['amy', 12_500, 600, 13_100, 'draft'],
      ['Bob', 3_000, 600, 3_600, 'draft'],
    ]);
  });

  test('buyers are matched without case, as the ledger counts them', () => {
    const invoices = buildInvoices([line(), line({ lotCode: 'B7', buyer: 'AMY', assignmentId: 'a1' })], settings());
    expect(invoices).toHaveLength(1);
    expect(buyerKeyOf('@Amy')).toBe('amy');
  });

  test('combined shipping across shows within the window, inclusive; a show past it starts a new invoice', () => {
    const s = settings({ combineWindowDays: 3, shipping: { kind: 'flat', perOrderCents: 600, freeOverCents: null } });
    const invoices = buildInvoices(
      [
        line({ sessionId: 'mon', showAt: at(0) }),
        line({ sessionId: 'thu', showAt: at(3), lotCode: 'D5', priceCents: 6500 }),
        line({ sessionId: 'fri', showAt: at(3.0001), lotCode: 'AA10', priceCents: 2500 }),
      ],
      s,
    );
    expect(invoices.map((i) => [i.sessionIds, i.totalCents])).toEqual([
      [['mon', 'thu'], 4500 + 6500 + 600],
      [['fri'], 2500 + 600],
    ]);
  });

  test('without a window, each show is invoiced apart', () => {
    const invoices = buildInvoices([line({ sessionId: 'a' }), line({ sessionId: 'b', showAt: at(0) })], settings({ combineWindowDays: 0 }));
    expect(invoices).toHaveLength(2);
  });

  test('draft -> sent -> paid, and a settings change never rewrites a sent invoice', () => {
    const before = settings({ shipping: { kind: 'flat', perOrderCents: 600, freeOverCents: null } });
    const [draft] = buildInvoices([line()], before);
    expect(draft!.state).toBe('draft');
    expect(sendable(draft!)).toEqual({ ok: true });
    const sent = freezeInvoice(draft!, at(1));
    const after = settings({ shipping: { kind: 'flat', perOrderCents: 999, freeOverCents: null } });
    const [stillSent] = buildInvoices([line()], after, [sent]);
    expect(stillSent).toMatchObject({ id: draft!.id, state: 'sent', shippingCents: 600, totalCents: 5100, sentAt: at(1) });
    expect(sendable(stillSent!)).toEqual({ ok: false, reason: 'already_sent' });
    // The paid mark lives on the assignment: once it is set, the invoice is paid.
    const [paid] = buildInvoices([line({ paid: true })], after, [sent]);
    expect(paid!.state).toBe('paid');
    // A lot the buyer wins after the send is a new draft, not a change to the sent one.
    const more = buildInvoices([line(), line({ lotCode: 'B7', priceCents: 8000 })], after, [sent]);
    expect(more.map((i) => [i.state, i.totalCents])).toEqual([
      ['sent', 5100],
      ['draft', 8000 + 999],
    ]);
  });

  test('an unpriced lot keeps the invoice from being sent', () => {
    const [inv] = buildInvoices([line(), line({ lotCode: 'B7', priceCents: null })], settings());
    expect(inv).toMatchObject({ unpriced: 1, subtotalCents: 4500 });
    expect(sendable(inv!)).toEqual({ ok: false, reason: 'unpriced' });
  });

  test('ids are stable and URL-safe', () => {
    const a = buildInvoices([line()], settings())[0]!.id;
    const b = buildInvoices([line()], settings())[0]!.id;
    expect(a).toBe(b);
    expect(a).toMatch(/^inv_[0-9a-z]+$/);
    expect(buildInvoices([line({ buyer: 'bob' })], settings())[0]!.id).not.toBe(a);
  });

  test('property: every invoice total equals the sum of its priced lines plus shipping, and the invoices add up to the sales', () => {
    const rule = fc.oneof(
      fc.constant<ShippingRule>({ kind: 'free' }),
      fc.record({ kind: fc.constant('flat' as const), perOrderCents: fc.integer({ min: 0, max: 5_000 }), freeOverCents: fc.option(fc.integer({ min: 0, max: 50_000 }), { nil: null }) }),
      fc.record({
        kind: fc.constant('per_item' as const),
        firstItemCents: fc.integer({ min: 0, max: 2_000 }),
        additionalItemCents: fc.integer({ min: 0, max: 1_000 }),
        freeOverCents: fc.option(fc.integer({ min: 0, max: 50_000 }), { nil: null }),
      }),
    );
    const sale = fc.record({
      sessionId: fc.constantFrom('s1', 's2', 's3'),
      day: fc.integer({ min: 0, max: 20 }),
      buyer: fc.constantFrom('amy', 'Amy', 'bob', 'cy_88'),
      priceCents: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null, freq: 8 }),
      quantity: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(fc.array(sale, { maxLength: 40 }), rule, fc.integer({ min: 0, max: 10 }), (sales, shipping, window) => {
        const lines = sales.map((x, i) =>
          line({ sessionId: x.sessionId, showAt: at(x.day), buyer: x.buyer, priceCents: x.priceCents, quantity: x.quantity, lotCode: `L${i}`, assignmentId: 'a1' }),
        );
        const invoices = buildInvoices(lines, settings({ shipping, combineWindowDays: window }));
        for (const inv of invoices) {
          const priced = inv.lines.filter((l) => l.priceCents !== null).reduce((n, l) => n + l.priceCents!, 0);
          expect(inv.subtotalCents).toBe(priced);
          expect(inv.totalCents).toBe(priced + inv.shippingCents);
          expect(inv.shippingCents).toBe(shippingCents(shipping, { items: inv.items, subtotalCents: priced }));
          expect(Number.isSafeInteger(inv.totalCents)).toBe(true);
        }
        // Every sale is on exactly one invoice.
        expect(invoices.flatMap((i) => i.lines.map((l) => l.lotCode)).sort()).toEqual(lines.map((l) => l.lotCode).sort());
        const all = invoices.reduce((n, i) => n + i.subtotalCents, 0);
        expect(all).toBe(lines.reduce((n, l) => n + (l.priceCents ?? 0), 0));
      }),
      { numRuns: 300 },
    );
  });

  test('totalsOf counts quantities as items for shipping', () => {
    expect(totalsOf([line({ quantity: 3 }), line({ lotCode: 'B', quantity: 1 })], 100)).toEqual({ items: 4, subtotalCents: 9000, shippingCents: 100, totalCents: 9100, unpriced: 0 });
  });
});

describe('sale lines from the ledger', () => {
  function lot(code: string, status: Lot['status'], winner: string | null, priceCents: number | null, paid = false): Lot {
    const assignment = winner
      ? { id: 'a2', username: winner, messageId: 'm1', at: at(0), priceCents, paid, packed: false, shipped: false, state: 'current' as const }
      : null;
    return {
      code,
      baseCode: code,
      title: `item ${code}`,
      priceCents,
      price: priceCents === null ? null : priceCents / 100,
      status,
      winner: winner ? { username: winner, messageId: 'm1', at: at(0) } : null,
      waitlist: [],
      assignment,
      assignments: assignment ? [assignment] : [],
      paid,
      packed: false,
      shipped: false,
      version: 1,
      announcedBy: 'host',
      announcedAt: at(0),
      ord: 1,
    };
  }

  test('sold lots become lines of their current assignment; unsold, void and (live) pending lots do not', () => {
    const lots = [lot('A1', 'sold', 'amy', 4500, true), lot('B7', 'unsold', null, 8000), lot('C3', 'void', 'bob', 3000), lot('D5', 'open', 'cy', 6500)];
    const show = { sessionId: 's', title: 'Friday', startedAt: at(0) };
    expect(saleLinesOf(show, lots, { live: true }).map((l) => [l.lotCode, l.buyer, l.priceCents, l.paid, l.assignmentId])).toEqual([['A1', 'amy', 4500, true, 'a2']]);
    // Once the show is over an open lot with a winner counts as sold, as settlement closes it.
    expect(saleLinesOf(show, lots, { live: false }).map((l) => l.lotCode)).toEqual(['A1', 'D5']);
  });
});

describe('settings: payment handles and the checkout URL are refused with a code', () => {
  const base = { shopName: 'Shop', currency: 'usd', shipping: { kind: 'free' } };

  test('handles as people type them are accepted and cut down', () => {
    const parsed = parseCheckoutSettings({ ...base, payment: { paypalMe: 'https://paypal.me/HannahVintage', venmo: '@hannah-vintage', cashApp: '$hannahv' } });
    expect(parsed).toEqual({
      ok: true,
      settings: expect.objectContaining({ currency: 'USD', payment: { paypalMe: 'HannahVintage', venmo: 'hannah-vintage', cashApp: 'hannahv' } }),
    });
  });

  test.each([
    [{ paypalMe: 'hannah vintage' }],
    [{ paypalMe: 'x'.repeat(21) }],
    [{ venmo: 'abc' }],
    [{ venmo: 'hannah/../x' }],
    [{ cashApp: '$12345' }],
    [{ cashApp: '$a b' }],
  ])('a handle that is not one (%j) is invalid_payment_handle', (payment) => {
    expect(parseCheckoutSettings({ ...base, payment })).toMatchObject({ ok: false, code: 'invalid_payment_handle' });
  });

  test.each([
    'http://shop.example.com/pay?total={total}',
    'javascript:alert(1)//{total}',
    'https://user:pw@shop.example.com/{total}',
    'https://127.0.0.1/pay/{total}',
    'https://localhost/pay/{total}',
    'https://{buyer}.example.com/{total}',
    'https://shop.example.com/pay/{amount}',
    'https://shop.example.com/pay/',
    'https://shop.example.com/{total',
  ])('a checkout URL template like %s is invalid_checkout_url', (checkoutUrl) => {
    expect(checkoutUrlProblem(checkoutUrl)).not.toBeNull();
    expect(parseCheckoutSettings({ ...base, payment: { checkoutUrl } })).toMatchObject({ ok: false, code: 'invalid_checkout_url' });
  });

  test('other problems are invalid_body, naming the field', () => {
    expect(parseCheckoutSettings({ ...base, currency: 'XYZW' })).toMatchObject({ ok: false, code: 'invalid_body', message: expect.stringMatching(/^currency/) });
    expect(parseCheckoutSettings({ ...base, extra: 1 })).toMatchObject({ ok: false, code: 'invalid_body' });
  });
});

describe('an invoice handed out', () => {
  const s = settings({
    shipping: { kind: 'flat', perOrderCents: 600, freeOverCents: null },
    payment: { paypalMe: 'HannahVintage', venmo: 'hannah-vintage', cashApp: 'hannahv', checkoutUrl: 'https://shop.example.com/pay?who={buyer}&amount={total}&cur={currency}' },
    invoiceNote: 'Ships Tuesdays.',
  });

  test('payment links carry the total and percent-encode the buyer', () => {
    const [inv] = buildInvoices([line({ buyer: 'amy&admin=1 <x>' })], s);
    const links = paymentLinks(inv!, s);
    expect(links.map((l) => l.url)).toEqual([
      'https://paypal.me/HannahVintage/51.00USD',
      expect.stringMatching(/^https:\/\/venmo\.com\/hannah-vintage\?txn=pay&amount=51\.00&note=/),
      'https://cash.app/$hannahv/51.00',
      'https://shop.example.com/pay?who=amy%26admin%3D1%20%3Cx%3E&amount=51.00&cur=USD',
    ]);
    expect(new URL(links[3]!.url).searchParams.get('who')).toBe('amy&admin=1 <x>');
  });

  test('the DM lists the lots, shipping, total, links and note, within the DM limit', () => {
    const [inv] = buildInvoices([line(), line({ lotCode: 'B7', title: 'Carhartt chore jacket', priceCents: 8000 })], s);
    const text = invoiceMessage(inv!, s);
    expect(text).toContain("Hi amy! Thanks for shopping with Hannah's Vintage.");
    expect(text).toContain("A1 Levi's 501 $45.00");
    expect(text).toContain('Shipping $6.00');
    expect(text).toContain('Total $131.00');
    expect(text).toContain('PayPal: https://paypal.me/HannahVintage/131.00USD');
    expect(text).toContain('Ships Tuesdays.');
    const many = buildInvoices(Array.from({ length: 80 }, (_, i) => line({ lotCode: `L${i}`, title: 'a long vintage item title here' })), s)[0]!;
    const long = invoiceMessage(many, s);
    expect(long.length).toBeLessThanOrEqual(MAX_DM_LENGTH);
    expect(long).toMatch(/\+ \d+ more/);
    expect(long).toContain(`Total ${formatMoney(many.totalCents, 'USD')}`);
  });

  test('the @mention is one short line with only the handle', () => {
    const [inv] = buildInvoices([line({ buyer: 'amy\n@everyone' })], s);
    expect(invoiceMention(inv!, s)).toBe('@amyeveryone your total is $51.00, check your DMs');
  });

  test('CSV rows per lot with shipping and total, cells neutralised', () => {
    const [inv] = buildInvoices([line({ title: '=HYPERLINK("http://x")' })], s);
    const text = invoicesCsv([inv!]);
    expect(text.split('\r\n')[1]).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(text).toContain(`${inv!.id},draft,amy,,SHIPPING,,,6.00,USD`);
    expect(text).toContain(`${inv!.id},draft,amy,,TOTAL,,1,51.00,USD`);
  });

  test('the printable page escapes every value and has print CSS, no script', () => {
    const [inv] = buildInvoices([line({ title: '<img src=x onerror=alert(1)>', buyer: '"><script>x</script>' })], s);
    const html = invoicesHtml([inv!], s);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml('<img src=x onerror=alert(1)>'));
    expect(html).toContain('@media print');
    expect(html).toContain('$51.00');
  });
});
