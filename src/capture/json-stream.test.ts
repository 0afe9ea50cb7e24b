import { JsonObjectSplitter, readJsonObject } from './json-stream.ts';

describe('JsonObjectSplitter', () => {
  it("splits Google's growing JSON array into objects, whatever the chunking", () => {
    const text = '[{"a":1,"s":"}{\\"]"}\n,{"b":{"c":[1,2]}}\n,{"d":"é"}\n]';
    for (const size of [1, 2, 3, 7, text.length]) {
      const splitter = new JsonObjectSplitter();
      const out: unknown[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...splitter.push(text.slice(i, i + size)).map((t) => JSON.parse(t)));
      expect(out).toEqual([{ a: 1, s: '}{"]' }, { b: { c: [1, 2] } }, { d: 'é' }]);
      expect(splitter.partial).toBe(false);
    }
  });

  it('reads newline-delimited objects too and reports an unfinished one', () => {
    const splitter = new JsonObjectSplitter();
    expect(splitter.push('{"x":1}\n{"y":2}\n{"z"')).toEqual(['{"x":1}', '{"y":2}']);
    expect(splitter.partial).toBe(true);
  });

  it('refuses garbage between objects and objects over the size cap', () => {
    expect(() => new JsonObjectSplitter().push('{"a":1} hello')).toThrow(/unexpected/);
    expect(() => new JsonObjectSplitter(10).push('{"a":"0123456789')).toThrow(/larger than/);
  });
});

describe('readJsonObject', () => {
  it('cuts one object out of a larger text, braces and escapes inside strings included', () => {
    const html = '<script>var x = {"a":{"b":"}\\"{"},"c":[{"d":1}]}; var y = {"e":2};</script>';
    const start = html.indexOf('{');
    expect(readJsonObject(html, start)).toBe('{"a":{"b":"}\\"{"},"c":[{"d":1}]}');
    expect(JSON.parse(readJsonObject(html, html.indexOf('{"e"'))!)).toEqual({ e: 2 });
  });

  it('gives nothing for an object that never closes or a start that is not a brace', () => {
    expect(readJsonObject('x = {"a":{"b":1}', 4)).toBeUndefined();
    expect(readJsonObject('x = {"a":1}', 0)).toBeUndefined();
  });
});
