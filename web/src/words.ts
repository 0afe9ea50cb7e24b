/** Lists said in words, as the dashboard's sentences need them. */

/** "a", "a and b", "a, b and c", "a, b and 3 more": read at a glance, however long the list. */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  if (items.length <= 3) return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
  return `${items.slice(0, 2).join(', ')} and ${items.length - 2} more`;
}
