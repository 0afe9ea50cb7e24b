/**
 * A chat room served over Server-Sent Events: the backbone of the built-in demo and of the test
 * fixtures. The server owns the stream (like a real platform), so a reloaded page shows recent history
 * and then live messages, exactly as a real chat does after a crash.
 */
import type { Request, Response } from 'express';

export interface RoomMessage {
  /** Running index in the room (what react-virtuoso calls data-index). */
  index: number;
  /** Platform-style message id. */
  id: string;
  author: string;
  text: string;
  /** Server time the message was created (ms since epoch). */
  ts: number;
  badges?: string[];
}

export interface ChatRoomOptions {
  /** How many recent messages a newly loaded page shows. */
  history?: number;
}

/** One chat stream with history and live subscribers. */
export class ChatRoom {
  readonly id: string;
  private readonly messages: RoomMessage[] = [];
  private readonly subscribers = new Set<Response>();
  private readonly historySize: number;
  private nextIndex = 0;
  private readonly keep = 5_000;
  /** Called when the first subscriber arrives / the last one leaves (the demo runs only while watched). */
  onActive?: (active: boolean) => void;

  constructor(id: string, options: ChatRoomOptions = {}) {
    this.id = id;
    this.historySize = options.history ?? 40;
  }

  get size(): number {
    return this.nextIndex;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Adds messages to the stream and pushes them to every open page. */
  post(items: Array<{ author: string; text: string; badges?: string[]; id?: string }>): RoomMessage[] {
    const now = Date.now();
    const added = items.map((item) => {
      const index = this.nextIndex++;
      const message: RoomMessage = {
        index,
        id: item.id ?? `${this.id}-${index}`,
        author: item.author,
        text: item.text,
        ts: now,
        badges: item.badges,
      };
      this.messages.push(message);
      return message;
    });
    if (this.messages.length > this.keep) this.messages.splice(0, this.messages.length - this.keep);
    this.broadcast({ type: 'messages', messages: added });
    return added;
  }

  /** Tells pages to throw away and re-create every row (a full re-render). */
  rerender(): void {
    this.broadcast({ type: 'rerender' });
  }

  /** Tells pages to mark a message deleted. */
  remove(id: string): void {
    this.broadcast({ type: 'deleted', id });
  }

  /** Ends the stream (pages show "stream ended"). */
  end(): void {
    this.broadcast({ type: 'ended' });
  }

  /** Express handler for the SSE stream: history first, then live events. */
  serve(req: Request, res: Response): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    const history = this.messages.slice(-this.historySize);
    res.write(`data: ${JSON.stringify({ type: 'history', messages: history })}\n\n`);
    this.subscribers.add(res);
    if (this.subscribers.size === 1) this.onActive?.(true);
    req.on('close', () => {
      this.subscribers.delete(res);
      if (this.subscribers.size === 0) this.onActive?.(false);
    });
  }

  /** Closes every open stream. */
  close(): void {
    for (const res of this.subscribers) res.end();
    this.subscribers.clear();
  }

  private broadcast(event: unknown): void {
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of this.subscribers) res.write(frame);
  }
}
