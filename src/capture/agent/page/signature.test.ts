import fc from 'fast-check';
import { contentKey, contentSignature } from '../../../../supabase/functions/_shared/identity.ts';
import { readRow } from './read-row.ts';
import { signatureOf } from './signature.ts';

describe("the agent's row signature", () => {
  test("is the identity module's content signature, for any author and text", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (author, text) => {
        expect(signatureOf(author, text)).toBe(contentSignature(author, text));
      }),
    );
    expect(signatureOf('Ann', 'sold  2')).toBe('Ann\u0000sold  2');
  });

  test('is what readRow reports, and the content key the merger matches on derives from it', () => {
    // A row element reduced to what readRow touches: one author and one text child, no extras.
    const textNode = (data: string) => ({ nodeType: 3, data });
    const element = (tag: string, children: unknown[]) => ({ nodeType: 1, tagName: tag, firstChild: null as unknown, children, contains: () => false });
    const link = (parent: { firstChild: unknown; children: unknown[] }) => {
      const kids = parent.children as Array<Record<string, unknown>>;
      parent.firstChild = kids[0] ?? null;
      kids.forEach((kid, i) => (kid.nextSibling = kids[i + 1] ?? null));
    };
    const author = element('SPAN', [textNode(' Ann ')]);
    const text = element('SPAN', [textNode('Sold  the red one')]);
    link(author);
    link(text);
    const row = {
      matches: () => false,
      querySelector: (selector: string) => (selector === '.a' ? author : selector === '.t' ? text : null),
      querySelectorAll: () => [],
      getAttribute: () => null,
    };
    const read = readRow(row as unknown as Element, { container: '.c', row: '.r', author: '.a', text: '.t' }, 2_000)!;
    expect(read.sig).toBe(contentSignature(read.author, read.text));
    expect(read.sig).toBe('Ann\u0000Sold the red one');
    expect(contentKey(read.author, read.text)).toBe(contentKey('ann', 'soldtheredone'));
  });
});
