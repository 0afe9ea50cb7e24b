/**
 * Finds where JSON objects end in text, without parsing them: one string-aware brace scanner for every
 * capture path that cuts objects out of a larger text, then hands each to the native JSON.parse.
 *
 * - `JsonObjectSplitter` splits a long-lived HTTP body into the objects it carries. Google's REST server
 *   streaming sends a JSON array that grows over time (`[{...}\n,{...}\n`); other servers send
 *   newline-delimited objects. Both come out as one complete top-level object at a time, however the
 *   bytes are chunked (youtube-api/client.ts).
 * - `readJsonObject` cuts one object out of a page, e.g. the `ytInitialData` a chat page assigns in a
 *   script (platforms/common.ts `extractJsonAssignment`).
 *
 * Why not @streamparser/json: one parser must be told up front whether it reads an array (`paths`) or
 * concatenated values (`separator`), and this stream may be either; it cannot start in the middle of a
 * script either; and finding the object's end here then parsing it with the native JSON.parse is about
 * 5x faster (5.7 MB of 50-item pages: 50-96 ms against 248-378 ms for @streamparser/json 0.0.26 on Node 22).
 */

/** The largest single object accepted; a bigger one means a broken or hostile stream. */
export const MAX_STREAM_OBJECT_CHARS = 16 * 1024 * 1024;

/** Where a scan inside an object stands, so a stream can be scanned chunk by chunk. */
interface ScanState {
  /** Open braces not yet closed (1 right after the object's opening brace). */
  depth: number;
  inString: boolean;
  /** The previous character was a backslash inside a string. */
  escaped: boolean;
}

/**
 * Scans `text` from `from`, inside an object whose opening brace `state` has already counted. Returns
 * the index just past the brace that closes it, or -1 when the text ends first (`state` then says where
 * the scan stopped, to continue with more text).
 */
function scanObject(text: string, from: number, state: ScanState): number {
  // Locals in the loop, written back once: this runs over every byte of a chat stream.
  let { depth, inString, escaped } = state;
  let end = -1;
  for (let i = from; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === 0x5c /* \ */) escaped = true;
      else if (ch === 0x22 /* " */) inString = false;
      continue;
    }
    if (ch === 0x22) inString = true;
    else if (ch === 0x7b /* { */) depth++;
    else if (ch === 0x7d /* } */ && --depth === 0) {
      end = i + 1;
      break;
    }
  }
  state.depth = depth;
  state.inString = inString;
  state.escaped = escaped;
  return end;
}

/** The text of the object whose opening brace is at `start`, or undefined when it never closes. */
export function readJsonObject(text: string, start: number): string | undefined {
  if (text.charCodeAt(start) !== 0x7b) return undefined;
  const end = scanObject(text, start + 1, { depth: 1, inString: false, escaped: false });
  return end === -1 ? undefined : text.slice(start, end);
}

export class JsonObjectSplitter {
  private buffer = '';
  /** Scan position in `buffer`. */
  private index = 0;
  /** Start of the object being read, or -1 between objects. */
  private start = -1;
  private readonly state: ScanState = { depth: 0, inString: false, escaped: false };
  private readonly maxChars: number;

  constructor(maxChars: number = MAX_STREAM_OBJECT_CHARS) {
    this.maxChars = maxChars;
  }

  /** Adds decoded text; returns the text of each object completed by it, in order. */
  push(text: string): string[] {
    this.buffer += text;
    const out: string[] = [];
    const buffer = this.buffer;
    let i = this.index;
    while (i < buffer.length) {
      if (this.start === -1) {
        const ch = buffer.charCodeAt(i);
        // Between objects only array punctuation and whitespace may appear.
        if (ch === 0x7b /* { */) {
          this.start = i;
          this.state.depth = 1;
          this.state.inString = false;
          this.state.escaped = false;
        } else if (!(ch === 0x5b || ch === 0x5d || ch === 0x2c || ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09)) {
          throw new Error(`unexpected ${JSON.stringify(buffer[i])} between streamed objects`);
        }
        i++;
        continue;
      }
      const end = scanObject(buffer, i, this.state);
      if (end === -1) break;
      out.push(buffer.slice(this.start, end));
      this.start = -1;
      i = end;
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
