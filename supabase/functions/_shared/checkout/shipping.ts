/**
 * Shipping for one invoice by the seller's rule. Pure: the items an invoice holds and their subtotal in,
 * integer cents out. Free from `freeOverCents` up (a subtotal equal to the threshold ships free).
 */
import type { ShippingRule } from './settings.ts';

/** What shipping is computed from: how many items (quantities added up) and their subtotal. */
export interface ShippingInput {
  items: number;
  subtotalCents: number;
}

/** Shipping in cents for `input` under `rule` (0 for an empty order). */
export function shippingCents(rule: ShippingRule, input: ShippingInput): number {
  if (input.items <= 0) return 0;
  switch (rule.kind) {
    case 'free':
      return 0;
    case 'flat':
      return isFree(rule.freeOverCents, input.subtotalCents) ? 0 : rule.perOrderCents;
    case 'per_item':
      return isFree(rule.freeOverCents, input.subtotalCents) ? 0 : rule.firstItemCents + (input.items - 1) * rule.additionalItemCents;
  }
}

function isFree(threshold: number | null, subtotal: number): boolean {
  return threshold !== null && subtotal >= threshold;
}

/** The rule in words, for the invoice and the settings screen ("$6.00 per order, free from $100.00"). */
export function describeShipping(rule: ShippingRule, money: (cents: number) => string): string {
  const free = 'freeOverCents' in rule && rule.freeOverCents !== null ? `, free from ${money(rule.freeOverCents)}` : '';
  switch (rule.kind) {
    case 'free':
      return 'Free shipping';
    case 'flat':
      return `${money(rule.perOrderCents)} per order${free}`;
    case 'per_item':
      return `${money(rule.firstItemCents)} for the first item, ${money(rule.additionalItemCents)} for each more${free}`;
  }
}
