/** Any chat page, read with the CSS selectors given when monitoring starts. */
import type { SelectorSet } from '../../../domain/message.ts';
import type { PlatformAdapter } from '../types.ts';
import { genericSite } from './site.ts';

export function genericAdapter(selectors: SelectorSet): PlatformAdapter {
  const idAttribute = selectors.id?.startsWith('@') ? selectors.id.slice(1) : selectors.id;
  return {
    platform: genericSite.platform,
    matches: () => true,
    dom: {
      container: selectors.container,
      row: selectors.row,
      author: selectors.author,
      text: selectors.text,
      idAttribute: idAttribute || undefined,
    },
  };
}
