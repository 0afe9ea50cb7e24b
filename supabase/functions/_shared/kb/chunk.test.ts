import { chunkText } from './chunk.ts';
import { contentTerms, searchQuery, sentences, stem } from './text.ts';

describe('chunkText', () => {
  test('cuts along Markdown headings and keeps the heading path', () => {
    const chunks = chunkText(
      [
        '# Shop policies',
        'Welcome to the shop.',
        '## Shipping',
        'We ship to the US and Canada.',
        '',
        'Orders ship within 2 business days.',
        '### International',
        'Customs fees are paid by the buyer.',
        '## Returns',
        'Returns are accepted within 30 days.',
      ].join('\n'),
    );
    expect(chunks.map((c) => [c.heading, c.content])).toEqual([
      ['Shop policies', 'Welcome to the shop.'],
      ['Shop policies > Shipping', 'We ship to the US and Canada.\n\nOrders ship within 2 business days.'],
      ['Shop policies > Shipping > International', 'Customs fees are paid by the buyer.'],
      ['Shop policies > Returns', 'Returns are accepted within 30 days.'],
    ]);
    expect(chunks.map((c) => c.ordinal)).toEqual([0, 1, 2, 3]);
  });

  test('treats short standalone lines of plain text as headings and joins hard-wrapped lines', () => {
    const chunks = chunkText('SHIPPING\n\nWe ship every Monday and\nThursday from Austin.\n\nReturns:\n\nNo returns on\nsale items.');
    expect(chunks).toEqual([
      { ordinal: 0, heading: 'SHIPPING', content: 'We ship every Monday and Thursday from Austin.' },
      { ordinal: 1, heading: 'Returns', content: 'No returns on sale items.' },
    ]);
  });

  test('a short line right above a sentence heads it; hard-wrapped prose does not', () => {
    const chunks = chunkText(
      'Shipping\nWe ship to the US and Canada.\n\nOur jeans are measured flat and we list the waist and\nInseam for each pair.',
    );
    expect(chunks.map((c) => [c.heading, c.content])).toEqual([
      ['Shipping', 'We ship to the US and Canada.\n\nOur jeans are measured flat and we list the waist and Inseam for each pair.'],
    ]);
  });

  test("issue 28: a title line and headings without blank lines are headings, not the start of a sentence", () => {
    const chunks = chunkText(
      [
        "Shipping and returns policy - Hannah's Vintage",
        'Thanks for shopping our live shows. Please read this before you claim.',
        '',
        'Shipping',
        'We ship to the US and Canada within 2 business days of the show.',
        'Combined shipping is free when you win three or more items in one show.',
        'Returns and exchanges',
        'All sales are final. We accept a return only when an item',
        'arrives damaged or not as described.',
      ].join('\n'),
    );
    expect(chunks.map((c) => [c.heading, c.content])).toEqual([
      ["Shipping and returns policy - Hannah's Vintage", 'Thanks for shopping our live shows. Please read this before you claim.'],
      ['Shipping', 'We ship to the US and Canada within 2 business days of the show. Combined shipping is free when you win three or more items in one show.'],
      ['Returns and exchanges', 'All sales are final. We accept a return only when an item arrives damaged or not as described.'],
    ]);
    // The issue's own document: the title sat directly on a "Returns:" label line.
    expect(chunkText("Shipping and returns policy - Hannah's Vintage\nReturns: all sales are final.")).toEqual([
      { ordinal: 0, heading: "Shipping and returns policy - Hannah's Vintage", content: 'Returns: all sales are final.' },
    ]);
  });

  test('a first line that is a statement, or prose cut after a sentence, stays text', () => {
    expect(chunkText('Free shipping on every order over fifty dollars\nReturns are accepted within 30 days.')[0]).toMatchObject({
      heading: '',
      content: 'Free shipping on every order over fifty dollars Returns are accepted within 30 days.',
    });
    expect(chunkText('Returns\nWe ship fast. Orders placed by\nMonday ship the same week.')[0]).toMatchObject({
      heading: 'Returns',
      content: 'We ship fast. Orders placed by Monday ship the same week.',
    });
    expect(chunkText('Payment\nWe take these cards.\nVisa\nMastercard\nAmex')[0]).toMatchObject({
      heading: 'Payment',
      content: 'We take these cards. Visa Mastercard Amex',
    });
  });

  test('bounds chunk size and overlaps neighbouring chunks of a section', () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} talks about topic ${i} at some length to fill space.`);
    const chunks = chunkText(`# Big\n\n${paragraphs.join('\n\n')}`, { maxChars: 300, overlapChars: 80 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.content.length).toBeLessThanOrEqual(300);
    // Every paragraph is somewhere, and each chunk after the first starts with the end of the previous one.
    for (const p of paragraphs) expect(chunks.some((c) => c.content.includes(p))).toBe(true);
    for (let i = 1; i < chunks.length; i++) {
      const previousLast = sentences(chunks[i - 1]!.content).pop()!;
      expect(chunks[i]!.content.startsWith(previousLast)).toBe(true);
    }
  });

  test('splits one huge paragraph (and a huge word) without exceeding the bound', () => {
    const huge = `${'word '.repeat(1500)}${'x'.repeat(2500)}`;
    const chunks = chunkText(huge, { maxChars: 500, overlapChars: 50 });
    for (const chunk of chunks) expect(chunk.content.length).toBeLessThanOrEqual(500);
    expect(chunks.map((c) => c.content).join(' ').replace(/\s+/g, '')).toContain('x'.repeat(400));
  });

  test('gives nothing for empty text and ignores code fences as headings', () => {
    expect(chunkText('   \n\n  ')).toEqual([]);
    const chunks = chunkText('# Real\n\n```\n# not a heading\n```\n\ntext');
    expect(chunks.every((c) => c.heading === 'Real')).toBe(true);
  });
});

describe('text', () => {
  test('stems plurals and verb forms to shared stems', () => {
    expect(['returns', 'return', 'returned', 'returning'].map(stem)).toEqual(['return', 'return', 'return', 'return']);
    expect(['shipping', 'shipped', 'ships', 'ship'].map(stem)).toEqual(['ship', 'ship', 'ship', 'ship']);
    expect(stem('policies')).toBe('policy');
    expect(stem('combined')).toBe(stem('combine'));
    expect(stem('taking')).toBe(stem('take'));
  });

  test('a question keeps only its content words, joined with "or" for full-text search', () => {
    expect(contentTerms('Do you take returns?')).toEqual(['return']);
    expect(contentTerms('how long does shipping take??')).toEqual(['ship']);
    // Synonyms widen the search; the reranker judges the sentences that come back.
    expect(searchQuery('shipping to Canada?')).toBe('ship or canada or deliver or delivery or mail or send');
    expect(searchQuery('are these real?')).toContain('authentic');
    expect(searchQuery('how much?')).toBe('');
  });
});
