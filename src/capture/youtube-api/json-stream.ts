/**
 * Splits a long-lived HTTP body into the JSON objects it carries. Google's REST server streaming sends a
 * JSON array that grows over time (`[{...}\n,{...}\n`); other servers send newline-delimited objects. Both
 * come out as one complete top-level object at a time, however the bytes are chunked.
 *
 * Why not @streamparser/json: one parser must be told up front whether it reads an array (`paths`) or
 * concatenated values (`separator`), and this stream may be either; and finding the object's end here
 * then parsing it with the native JSON.parse is about 5x faster (5.7 MB of 50-item pages: 50-96 ms
 * against 248-378 ms for @streamparser/json 0.0.26 on Node 22).
 */

/** The largest single object accepted; a bigger one means a broken or hostile stream. */
export const MAX_STREAM_OBJECT_CHARS = 16 * 1024 * 1024;

export class JsonObjectSplitter {
  private buffer = '';
  /** Scan position in `buffer`. */
  private index = 0;
  /** Start of the object being read, or -1 between objects. */
  private start = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private readonly maxChars: number;

  constructor(maxChars: number = MAX_STREAM_OBJECT_CHARS) {
    this.maxChars = maxChars;
  }

  /** Adds decoded text; returns the text of each object completed by it, in order. */
  push(text: string): string[] {
    this.buffer += text;
    const out: string[] = [];
    const buffer = this.buffer;
    for (let i = this.index; i < buffer.length; i++) {
      const ch = buffer.charCodeAt(i);
      if (this.start === -1) {
        // Between objects only array punctuation and whitespace may appear.
        if (ch === 0x7b /* { */) {
          this.start = i;
          this.depth = 1;
        } else if (!(ch === 0x5b || ch === 0x5d || ch === 0x2c || ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09)) {
          throw new Error(`unexpected ${JSON.stringify(buffer[i])} between streamed objects`);
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === 0x5c /* \ */) this.escaped = true;
        else if (ch === 0x22 /* " */) this.inString = false;
        continue;
      }
      if (ch === 0x22) this.inString = true;
      else if (ch === 0x7b) this.depth++;
      else if (ch === 0x7d /* } */ && --this.depth === 0) {
        out.push(buffer.slice(this.start, i + 1));
        this.start = -1;
      }
    }
    // Keep only the unfinished object (if any) so the buffer never grows with what was delivered.
    if (this.start === -1) {
      this.buffer = '';
      this.index = 0;
    } else {
      this.buffer = buffer.slice(this.start);
      this.index = this.buffer.length;
      this.start = 0;
      if (this.buffer.length > this.maxChars) throw new Error(`streamed object larger than ${this.maxChars} characters`);
    }
    return out;
  }

  /** True when the stream stopped in the middle of an object. */
  get partial(): boolean {
    return this.start !== -1;
  }
}
