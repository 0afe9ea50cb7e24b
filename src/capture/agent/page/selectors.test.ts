import { invalidSelectors, selectorsOf } from './selectors.ts';

describe("a spec's selectors", () => {
  test('are every CSS selector of the spec by field, attributes left out', () => {
    const spec = {
      container: '#chat',
      row: '.row',
      author: '.a',
      text: '.t',
      idAttribute: 'data-id',
      exclude: '.ad',
      badges: { selector: '.badge', attribute: 'title' },
      ended: '.over',
    };
    expect(selectorsOf(spec).map((s) => `${s.field}=${s.selector}`)).toEqual([
      'container=#chat',
      'row=.row',
      'author=.a',
      'text=.t',
      'exclude=.ad',
      'badges=.badge',
      'ended=.over',
    ]);
  });

  test('those the judge refuses are named with their field', () => {
    const judge = (selector: string): boolean => !selector.includes('[') || selector.includes(']');
    expect(invalidSelectors({ container: 'div[', row: '.r', author: 'a[x]', text: 'p[', paidAmount: '.p' }, judge)).toEqual(['container: div[', 'text: p[']);
    expect(invalidSelectors({ container: '#c', row: '.r', author: '.a', text: '.t' }, judge)).toEqual([]);
  });
});
