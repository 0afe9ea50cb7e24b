/**
 * Earshot's egress proxy: every connection Chromium makes (documents, fetch/XHR, EventSource, iframes,
 * workers, WebSockets; plain HTTP forwarded, everything else as CONNECT tunnels) goes through it. For
 * each connection it resolves the name once, checks every address with the target policy
 * (target-policy.ts, the same one start-monitoring applies) and connects to exactly the address it
 * checked: Chromium never resolves a name itself, so DNS rebinding between check and connect is
 * impossible, and WebSockets are checked like everything else (CDP Fetch never saw them).
 *
 * Attribution: each session gets its own listening port (`forSession`), used by that session's own
 * browser context, so a refusal is counted for the session that caused it. Ports rather than proxy
 * credentials because Chromium keeps proxy credentials per browser context and sends them pre-emptively
 * after the first success: pages sharing a context would be counted under whoever authenticated first.
 * The main port (`chromiumArgs`) serves the browser's default context (reply delivery pages).
 *
 * Built on proxy-chain (Apify's proxy server), which is ESM-only: loaded with a real dynamic import.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type dns from 'node:dns';
import type { Browser, Page } from 'puppeteer-core';
import type * as ProxyChainModule from 'proxy-chain';
import type { PrepareRequestFunctionOpts, PrepareRequestFunctionResult, Server as ProxyServer } from 'proxy-chain';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { canonicalAddress } from './address-policy.ts';
import { decideTarget, type RefusalKind, type TargetPolicy } from './target-policy.ts';
import { addressesOf, systemResolver, type Resolver } from './url-guard.ts';

type ProxyChain = typeof ProxyChainModule;
// TypeScript compiles `import()` to `require()` under CommonJS, and proxy-chain cannot be required
// (jest on Node 22 has no require(esm)); a Function keeps the import a real one. Its source is unique
// per module instance because V8 caches compiled Function sources with the importing context: under
// jest a second test file in the same worker would otherwise import through the first one's (torn
// down) module loader.
const importEsm = new Function('specifier', `return import(specifier); // ${process.pid}-${Date.now()}-${Math.random()}`) as (
  specifier: string,
) => Promise<ProxyChain>;

/**
 * Set on the answer the proxy gives a refused plain-HTTP request, so the capture page can tell the
 * proxy's refusal of its main document from the site's own 403 and fail the start as `url_not_allowed`
 * (the answer's text is never read as chat). A site that sends it itself only fails its own capture.
 */
export const EGRESS_REFUSED_HEADER = 'x-earshot-egress-refused';

/** One refused connection. */
export interface EgressRefusal {
  /** The session whose page asked, when the connection came through a session's port. */
  sessionId?: string;
  host: string;
  port: number;
  /** Few words, for a metrics label. */
  kind: RefusalKind;
  /** The whole reason, for logs (which address, which range). */
  reason: string;
}

export interface EgressProxyEvents {
  refused: [EgressRefusal];
}

export interface EgressProxyOptions {
  /** Read for every connection (the service's own origin is only known once it listens). */
  policy: () => TargetPolicy;
  logger: Logger;
  /** Name resolution (tests inject one; default: the system resolver, every address). */
  resolver?: Resolver;
  /** Where the proxy listens (default 127.0.0.1; only Chromium on this machine talks to it). */
  host?: string;
}

/** A session's share of the proxy: its own port, its own browser contexts, its own refusal count. */
export interface SessionEgress {
  /** Opens a page in a fresh browser context whose every connection goes through this session's port. */
  openPage(): Promise<Page>;
  /** Connections of this session's pages the proxy refused so far. */
  readonly refusals: number;
  /** Closes the session's port (its pages should be closed first). */
  close(): Promise<void>;
}

/** Chromium flags that route the default context through a proxy and leave nothing around it. */
export function proxyChromiumArgs(proxyUrl: string): string[] {
  return [
    `--proxy-server=${proxyUrl}`,
    // Chromium bypasses any proxy for loopback by default; this removes that implicit rule.
    '--proxy-bypass-list=<-loopback>',
    // WebRTC would otherwise send UDP (STUN, ICE candidates) straight to any address the page names.
    '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
    '--webrtc-ip-handling-policy=disable_non_proxied_udp',
  ];
}

/** The egress proxy. `start()` before use; `close()` at shutdown. */
export class EgressProxy extends EventEmitter<EgressProxyEvents> {
  private readonly options: EgressProxyOptions;
  private readonly resolver: Resolver;
  private main: ProxyServer | null = null;
  private chain: ProxyChain | null = null;
  private readonly servers = new Set<ProxyServer>();
  // Sockets to targets are reused by host:port across requests; each was checked when it was opened.
  private readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 16 });
  private refusedTotal = 0;

  constructor(options: EgressProxyOptions) {
    super();
    this.options = options;
    this.resolver = options.resolver ?? systemResolver;
  }

  /** Starts the main port (for the default browser context). */
  async start(): Promise<void> {
    this.chain ??= await importEsm('proxy-chain');
    this.main ??= await this.listen(undefined, () => undefined, undefined);
  }

  /** The main port's URL, e.g. http://127.0.0.1:41234. */
  get url(): string {
    if (!this.main) throw new Error('EgressProxy.start() first');
    return `http://${this.options.host ?? '127.0.0.1'}:${this.main.port}`;
  }

  /** Flags for BrowserPoolOptions.extraArgs. */
  chromiumArgs(): string[] {
    return proxyChromiumArgs(this.url);
  }

  /** Refusals on every port since start. */
  get refused(): number {
    return this.refusedTotal;
  }

  /**
   * A session's egress: its port is opened with the first page and closed by `close()`; the refusal
   * count spans the session's pages (recoveries included). `policy` replaces the proxy's policy for
   * this session (the demo's sessions may reach the service's own origin; other pages may not).
   */
  forSession(sessionId: string, browser: () => Promise<Browser>, policy?: () => TargetPolicy): SessionEgress {
    let server: Promise<ProxyServer> | null = null;
    let refusals = 0;
    let closed = false;
    const port = (): Promise<ProxyServer> => {
      server ??= this.listen(
        sessionId,
        () => {
          refusals++;
        },
        policy,
      );
      return server;
    };
    return {
      openPage: async () => {
        if (closed) throw new Error('session egress closed');
        const proxy = await port();
        const context = await (await browser()).createBrowserContext({
          proxyServer: `http://${this.options.host ?? '127.0.0.1'}:${proxy.port}`,
          proxyBypassList: ['<-loopback>'],
        });
        try {
          const page = await context.newPage();
          // One context per page: closing the page (stop, recovery) releases its context too.
          page.once('close', () => void context.close().catch(() => undefined));
          return page;
        } catch (error) {
          await context.close().catch(() => undefined);
          throw error;
        }
      },
      get refusals() {
        return refusals;
      },
      close: async () => {
        closed = true;
        const pending = server;
        server = null;
        if (pending) await this.closeServer(await pending.catch(() => null));
      },
    };
  }

  async close(): Promise<void> {
    const all = [...this.servers];
    this.main = null;
    await Promise.all(all.map((s) => this.closeServer(s)));
    this.agent.destroy();
  }

  private async closeServer(server: ProxyServer | null): Promise<void> {
    if (!server || !this.servers.delete(server)) return;
    await server.close(true).catch(() => undefined);
  }

  private async listen(sessionId: string | undefined, onRefused: () => void, policy: (() => TargetPolicy) | undefined): Promise<ProxyServer> {
    const chain = this.chain ?? (this.chain = await importEsm('proxy-chain'));
    const server = new chain.Server({
      port: 0,
      host: this.options.host ?? '127.0.0.1',
      verbose: false,
      prepareRequestFunction: (request) => this.prepare(request, sessionId, onRefused, policy ?? this.options.policy),
    });
    // A failure inside proxy-chain must not take the service down.
    server.on('requestFailed', ({ error }: { error: unknown }) => {
      this.options.logger.debug({ sessionId, err: describeError(error) }, 'egress request failed');
    });
    await server.listen();
    this.servers.add(server);
    return server;
  }

  /** The whole policy for one connection: resolve once, decide, pin the checked address. */
  private async prepare(
    request: PrepareRequestFunctionOpts,
    sessionId: string | undefined,
    onRefused: () => void,
    policy: () => TargetPolicy,
  ): Promise<PrepareRequestFunctionResult> {
    const chain = this.chain!;
    const host = request.hostname.replace(/^\[|\]$/g, '');
    const port = request.port;
    let addresses: string[];
    try {
      addresses = await addressesOf(host, this.resolver);
    } catch (error) {
      this.options.logger.debug({ sessionId, host, err: describeError(error) }, 'egress lookup failed');
      throw new chain.RequestError(`Earshot egress: ${host} could not be resolved`, 502);
    }
    const decision = decideTarget(policy(), host, port, addresses);
    if (!decision.allowed) {
      this.refusedTotal++;
      onRefused();
      const refusal: EgressRefusal = { ...(sessionId ? { sessionId } : {}), host, port, kind: decision.kind, reason: decision.reason };
      this.options.logger.debug(refusal, 'egress refused');
      this.emit('refused', refusal);
      throw new chain.RequestError(`Earshot egress policy refused ${host}:${port}`, 403, { [EGRESS_REFUSED_HEADER]: decision.kind });
    }
    const pinned = addresses[0]!;
    return { dnsLookup: pinnedLookup(pinned), httpAgent: this.agent };
  }
}

/**
 * A `dns.lookup` that answers with the address already checked, whatever it is asked: the connection
 * goes exactly where the policy looked. Handles both callback shapes (`all: true` is what Node's
 * happy-eyeballs connect asks for).
 */
export function pinnedLookup(address: string): typeof dns.lookup {
  const family = address.includes(':') ? 6 : 4;
  const lookup = (_hostname: string, options: unknown, callback?: unknown): void => {
    const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    if (all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  };
  return lookup as unknown as typeof dns.lookup;
}
