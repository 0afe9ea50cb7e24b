/**
 * A real HTTPS webhook receiver on loopback for the specs: verifies each delivery's Standard Webhooks
 * signature with the `standardwebhooks` package (not the service's own code), records what it got, and
 * answers as told: ok, 500, 410, never (a hang), or a huge echo it keeps writing until the sender cuts it.
 */
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';

const TLS_DIR = path.join(__dirname, '..', 'fixtures', 'tls');
/** The receiver's certificate, for the service's WEBHOOK_CA_FILE. */
export const RECEIVER_CA_FILE = path.join(TLS_DIR, 'cert.pem');

export type ReceiverMode = 'ok' | 'fail' | 'gone' | 'hang' | 'huge';

export interface Received {
  id: string;
  type: string;
  body: { type: string; timestamp: string; data: Record<string, any> };
  verified: boolean;
}

export class WebhookReceiver {
  mode: ReceiverMode = 'ok';
  /** The endpoint's secret, once the service showed it: deliveries are verified with it. */
  secret: string | undefined;
  readonly received: Received[] = [];
  /** Attempts answered, whatever the mode. */
  attempts = 0;
  /** Huge answers the sender stopped reading before their end. */
  hugeCut = 0;
  private server: https.Server | undefined;
  private readonly hanging = new Set<ServerResponse>();
  port = 0;

  get url(): string {
    return `https://127.0.0.1:${this.port}/hook`;
  }

  /** Listens (again on the same port after stop(), when it had one). */
  async start(): Promise<void> {
    const server = https.createServer({ key: fs.readFileSync(path.join(TLS_DIR, 'key.pem')), cert: fs.readFileSync(RECEIVER_CA_FILE) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.attempts++;
        const raw = Buffer.concat(chunks).toString('utf8');
        this.answer(raw, req.headers as Record<string, string>, res);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private answer(raw: string, headers: Record<string, string>, res: ServerResponse): void {
    if (this.mode === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (this.mode === 'fail') return void res.writeHead(500).end('receiver is failing');
    if (this.mode === 'gone') return void res.writeHead(410).end();
    let verified = false;
    try {
      verified = this.secret !== undefined && new Webhook(this.secret).verify(raw, headers) !== undefined;
    } catch {
      verified = false;
    }
    const body = JSON.parse(raw) as Received['body'];
    this.received.push({ id: headers['webhook-id']!, type: body.type, body, verified });
    if (this.mode === 'ok') return void res.writeHead(200).end('ok');
    // huge: 64 MiB of echo, written as fast as the sender reads; the sender should stop long before the end.
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let left = 1024;
    const pump = (): void => {
      while (left > 0) {
        left--;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => {
      if (left > 0) this.hugeCut++;
    });
    pump();
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
