import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type net from 'node:net';
import { silentLogger } from '../log.ts';
import { EgressProxy, pinnedLookup } from './egress-proxy.ts';
import type { TargetPolicy } from './target-policy.ts';
import type { Resolver } from './url-guard.ts';

/** A tiny target that answers with its own name, listening on one loopback address. */
async function target(host: string, name: string, port = 0): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((_req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** GET through the proxy in absolute form (how a browser sends plain http:// to a proxy). */
function viaProxy(proxyUrl: string, targetUrl: string): Promise<{ status: number; body: string }> {
  const proxy = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: proxy.hostname, port: proxy.port, path: targetUrl, headers: { host: new URL(targetUrl).host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** CONNECT through the proxy (how https, ws and wss go) and, when it opens, one plain request inside. */
function connectVia(proxyUrl: string, authority: string): Promise<{ status: number; body: string }> {
  const proxy = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: authority, agent: false });
    req.on('connect', (res, socket: net.Socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, body: '' });
        return;
      }
      let body = '';
      socket.on('data', (c) => (body += c));
      socket.on('end', () => resolve({ status: 200, body: body.split('\r\n\r\n')[1] ?? '' }));
      socket.write(`GET / HTTP/1.1\r\nhost: ${authority}\r\nconnection: close\r\n\r\n`);
    });
    req.on('error', reject);
    req.end();
  });
}

let good: Awaited<ReturnType<typeof target>>;
let evil: Awaited<ReturnType<typeof target>>;
let policy: TargetPolicy;
let answers: Record<string, string[][]>;
let lookups: string[];
let proxy: EgressProxy;

const resolver: Resolver = async (host) => {
  lookups.push(host);
  const queue = answers[host];
  if (!queue || queue.length === 0) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return queue.length > 1 ? queue.shift()! : queue[0]!;
};

beforeAll(async () => {
  good = await target('127.0.0.2', 'good');
  // the same port on another loopback address: where a second, rebound lookup would lead
  evil = await target('127.0.0.3', 'evil', good.port);
  proxy = new EgressProxy({ policy: () => policy, logger: silentLogger(), resolver });
  await proxy.start();
});

afterAll(async () => {
  await proxy.close();
  good.server.close();
  evil.server.close();
});

beforeEach(() => {
  policy = { allowAllPrivate: false, allowedOrigins: [`http://127.0.0.2:${good.port}`] };
  answers = {};
  lookups = [];
});

test('an allowed origin is reached over plain HTTP and CONNECT', async () => {
  expect(await viaProxy(proxy.url, `http://127.0.0.2:${good.port}/`)).toEqual({ status: 200, body: 'good' });
  expect(await connectVia(proxy.url, `127.0.0.2:${good.port}`)).toEqual({ status: 200, body: 'good' });
});

test('a private target outside the list is refused (403) over plain HTTP and CONNECT, and counted', async () => {
  const before = proxy.refused;
  expect((await viaProxy(proxy.url, `http://127.0.0.3:${good.port}/`)).status).toBe(403);
  expect((await connectVia(proxy.url, `127.0.0.3:${good.port}`)).status).toBe(403);
  expect((await connectVia(proxy.url, `[::ffff:127.0.0.3]:${good.port}`)).status).toBe(403);
  expect((await connectVia(proxy.url, `[::7f00:3]:${good.port}`)).status).toBe(403);
  expect(proxy.refused - before).toBe(4);
});

test('the name is resolved once and the connection goes to exactly the checked address (no rebinding)', async () => {
  // first answer allowed, every later one the other server: a second lookup anywhere would reach "evil"
  answers['rebind.test'] = [['127.0.0.2'], ['127.0.0.3']];
  expect(await viaProxy(proxy.url, `http://rebind.test:${good.port}/`)).toEqual({ status: 200, body: 'good' });
  expect(lookups).toEqual(['rebind.test']);
  // the next connection sees the rebound answer, checks it, and refuses instead of following it
  expect((await connectVia(proxy.url, `rebind.test:${good.port}`)).status).toBe(403);
  expect(lookups).toEqual(['rebind.test', 'rebind.test']);
});

test('a name with one public and one private address is refused', async () => {
  answers['mixed.test'] = [['93.184.216.34', '127.0.0.3']];
  expect((await connectVia(proxy.url, `mixed.test:${good.port}`)).status).toBe(403);
});

test('a name that does not resolve is a 502, not a refusal', async () => {
  const before = proxy.refused;
  expect((await connectVia(proxy.url, `nowhere.test:443`)).status).toBe(502);
  expect(proxy.refused).toBe(before);
});

test('instance metadata is refused even when every private target is allowed', async () => {
  policy = { allowAllPrivate: true, allowedOrigins: [] };
  expect((await connectVia(proxy.url, '169.254.169.254:80')).status).toBe(403);
  expect((await viaProxy(proxy.url, 'http://[fd00:ec2::254]/latest/meta-data/')).status).toBe(403);
  expect(await connectVia(proxy.url, `127.0.0.3:${good.port}`)).toEqual({ status: 200, body: 'evil' });
});

test('pinnedLookup answers with the pinned address in both callback shapes', () => {
  const lookup = pinnedLookup('127.0.0.2') as unknown as (h: string, o: unknown, cb: (...a: unknown[]) => void) => void;
  const seen: unknown[] = [];
  lookup('x', { all: true }, (...args) => seen.push(args));
  lookup('x', {}, (...args) => seen.push(args));
  expect(seen).toEqual([
    [null, [{ address: '127.0.0.2', family: 4 }]],
    [null, '127.0.0.2', 4],
  ]);
});
