/**
 * The subscriber side of the fanout benchmark, run as a child process so that its CPU does not count
 * as the server's. Opens N WebSocket subscribers of one session and times every frame: the publisher
 * puts its process.hrtime (CLOCK_MONOTONIC, shared by every process on the machine) in the message id.
 *
 * IPC protocol (parent -> child): {type:"connect", url, sessionId, count}, {type:"reset"}, {type:"report"},
 * {type:"close"}; the child answers {type:"ready"}, {type:"report", ...}.
 */
import WebSocket from 'ws';
import { Samples, summarize, type LatencySummary } from './lib/stats.ts';

/** What the parent receives after `report`. */
export interface FanoutReport {
  type: 'report';
  frames: number;
  /** hrtime (ns, as a decimal string) of the last frame received. */
  lastFrameAt: string;
  open: number;
  closedBySlowConsumerPolicy: number;
  latency: LatencySummary;
}

/** Prefix of the message ids the publisher stamps; the digits after it are hrtime nanoseconds. */
export const STAMP_PREFIX = '"id":"fan-';

const sockets: WebSocket[] = [];
let latencies = new Samples();
let frames = 0;
let lastFrameAt = 0n;
let slowClosed = 0;
const prefix = Buffer.from(STAMP_PREFIX);

function onFrame(data: Buffer): void {
  const at = process.hrtime.bigint();
  frames++;
  lastFrameAt = at;
  // Frames are parsed no further than the stamp: the client must not be the bottleneck it measures.
  const start = data.indexOf(prefix);
  if (start < 0) return;
  let stamp = 0n;
  for (let i = start + prefix.length; i < data.length; i++) {
    const c = data[i]!;
    if (c < 48 || c > 57) break;
    stamp = stamp * 10n + BigInt(c - 48);
  }
  latencies.push(Number(at - stamp) / 1e6);
}

async function connect(url: string, sessionId: string, count: number): Promise<void> {
  const openOne = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let joined = false;
      ws.once('error', reject);
      ws.on('close', (code) => {
        if (code === 4008) slowClosed++;
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const buffer = data as Buffer;
        if (joined) return onFrame(buffer);
        // The subscribe acknowledgement is the signal that this client is in.
        if (buffer.includes('"type":"subscribed"')) {
          joined = true;
          resolve();
        }
      });
      ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe', sessionId })));
      sockets.push(ws);
    });
  // Open in waves: a thousand simultaneous handshakes only measure the accept queue.
  for (let i = 0; i < count; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, count - i) }, openOne));
  }
}

process.on('message', (raw: unknown) => {
  const message = raw as { type: string; url?: string; sessionId?: string; count?: number };
  switch (message.type) {
    case 'connect':
      connect(message.url!, message.sessionId!, message.count!).then(
        () => process.send!({ type: 'ready' }),
        (error: Error) => process.send!({ type: 'error', message: error.message }),
      );
      break;
    case 'reset':
      latencies = new Samples();
      frames = 0;
      process.send!({ type: 'reset' });
      break;
    case 'report': {
      const report: FanoutReport = {
        type: 'report',
        frames,
        lastFrameAt: String(lastFrameAt),
        open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
        closedBySlowConsumerPolicy: slowClosed,
        latency: summarize(latencies.values()),
      };
      process.send!(report);
      break;
    }
    case 'close':
      for (const ws of sockets) ws.terminate();
      process.exit(0);
  }
});
