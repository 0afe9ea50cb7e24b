/**
 * Start-monitoring's check of a show's CSS selectors, before anything is created: a selector the
 * browser's CSS engine refuses (`div[`) means the agent could never find the chat, so the start is
 * answered `400 invalid_selectors` at once instead of a show that stays `starting`. The browser is the
 * judge (a blank page of the pool evaluates `querySelector` with each one), not a CSS parser of our own,
 * so what passes here is exactly what the agent can use. Built-in adapters are ours and tested (and an
 * API-only YouTube show must not launch a browser): only the selectors a request or a JSON adapter file
 * brings are checked, whatever platform they are labelled with. Valid selectors are remembered, so
 * starting the same show again opens no page.
 */
import type { Page } from 'puppeteer-core';
import { EarshotError } from '../../errors.ts';
import { invalidSelectors, selectorsOf } from '../agent/page/selectors.ts';
import { BUILTIN_ADAPTERS } from '../platforms/index.ts';
import type { PlatformAdapter } from '../platforms/types.ts';

/** Throws `invalid_selectors` for an adapter whose selectors the browser refuses. */
export type SelectorCheck = (adapter: PlatformAdapter) => Promise<void>;

/** How many valid selectors are remembered (oldest forgotten first). */
const REMEMBERED = 1_000;

export function createSelectorCheck(pool: { newPage(): Promise<Page> }): SelectorCheck {
  const valid = new Set<string>();
  return async (adapter) => {
    if (BUILTIN_ADAPTERS.includes(adapter)) return;
    const unknown = [...new Set(selectorsOf(adapter.dom).map((s) => s.selector))].filter((s) => !valid.has(s));
    if (unknown.length === 0) return;
    const page = await pool.newPage();
    let verdicts: boolean[];
    try {
      verdicts = await page.evaluate(
        (selectors) =>
          selectors.map((selector) => {
            try {
              document.createDocumentFragment().querySelector(selector);
              return true;
            } catch {
              return false;
            }
          }),
        unknown,
      );
    } finally {
      await page.close().catch(() => undefined);
    }
    const refused = new Set(unknown.filter((_, i) => verdicts[i] !== true));
    for (const selector of unknown) {
      if (refused.has(selector)) continue;
      valid.add(selector);
      if (valid.size > REMEMBERED) valid.delete(valid.values().next().value!);
    }
    const invalid = invalidSelectors(adapter.dom, (selector) => !refused.has(selector));
    if (invalid.length > 0) {
      throw new EarshotError('invalid_selectors', `Not valid CSS selectors: ${invalid.join('; ')}`, { invalid });
    }
  };
}
