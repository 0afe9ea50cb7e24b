/**
 * The CSS selectors of a DomSpec, and which of them a CSS engine refuses. An invalid selector makes
 * `querySelector` throw a SyntaxError: the agent could never find the chat, so it says so at once (the
 * probe's `invalidSelectors`) instead of leaving the show `starting`. Node asks the same question of a
 * blank page before a show starts (browser/selector-check.ts), so the answer is always the browser's.
 */
import type { DomSpec } from '../../platforms/types.ts';

/** One selector of a spec and the field it came from. */
export interface SpecSelector {
  field: string;
  selector: string;
}

/** Every CSS selector of the spec, in a fixed order (attribute names are not selectors). */
export function selectorsOf(spec: DomSpec): SpecSelector[] {
  const out: SpecSelector[] = [
    { field: 'container', selector: spec.container },
    { field: 'row', selector: spec.row },
    { field: 'author', selector: spec.author },
    { field: 'text', selector: spec.text },
  ];
  const optional: Array<[string, string | undefined]> = [
    ['deleted', spec.deleted],
    ['exclude', spec.exclude],
    ['badges', spec.badges?.selector],
    ['paidAmount', spec.paidAmount],
    ['ended', spec.ended],
  ];
  for (const [field, selector] of optional) if (selector !== undefined) out.push({ field, selector });
  return out;
}

/** The spec's selectors `isValid` refuses, each as `field: selector`. */
export function invalidSelectors(spec: DomSpec, isValid: (selector: string) => boolean): string[] {
  return selectorsOf(spec)
    .filter((s) => !isValid(s.selector))
    .map((s) => `${s.field}: ${s.selector}`);
}

/** The page's own answer: whether its CSS engine parses `selector` (an empty fragment matches nothing). */
export function isValidSelector(selector: string): boolean {
  try {
    document.createDocumentFragment().querySelector(selector);
    return true;
  } catch {
    return false;
  }
}
