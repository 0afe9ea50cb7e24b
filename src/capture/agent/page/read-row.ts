/** Reads one chat row with the adapter's selectors (platforms/*.ts `dom`). */
import type { DomSpec } from '../../platforms/types.ts';
import { signatureOf } from './signature.ts';
import type { ReadRow } from './stream.ts';

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * Visible text of an element, emoji images by their alt text, the excluded element left out.
 * Text nodes rather than innerText: the page is not painted (BrowserSource's paint switch), so rendered
 * text is not what to rely on.
 */
export function textOf(el: Element | null, exclude: Element | null): string {
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
}

/** The row's fields, or null for what is not a chat row (excluded, or neither author nor text). */
export function readRow(el: Element, spec: DomSpec, maxText: number): ReadRow<Element> | null {
  const clip = (s: string): string => (s.length > maxText ? s.slice(0, maxText) : s);
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
  const badgeSpec = spec.badges;
  if (badgeSpec) {
    el.querySelectorAll(badgeSpec.selector).forEach((b) => {
      const name =
        (badgeSpec.attribute ? b.getAttribute(badgeSpec.attribute) : null) ??
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
    node: el,
    pid: pidRaw ? pidRaw : undefined,
    sig: signatureOf(author, text),
    author,
    authorId,
    badges,
    text,
    paid,
    deleted,
  };
}
