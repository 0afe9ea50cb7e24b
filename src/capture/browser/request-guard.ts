/**
 * What a page Earshot opens may load: the capture pages (BrowserSource, through CDP Fetch) and the reply
 * pages (delivery/browser.ts, through puppeteer's request interception) decide each request here.
 * Images, media and fonts are failed at once: nobody looks at these pages and the chat is text. An extra
 * per-URL check may refuse the rest; where a connection may go at all is the egress proxy's decision
 * (src/net/egress-proxy.ts), which sees every connection, WebSockets included.
 */
import type { CDPSession, Protocol } from 'puppeteer-core';

/** Resource types failed at once (lower case: CDP says 'Image', puppeteer says 'image'). */
export const BLOCKED_RESOURCE_TYPES: ReadonlySet<string> = new Set(['image', 'media', 'font']);

/** URLs that never leave the browser: there is nothing for a URL check to judge. */
const LOCAL_URL = /^(data|blob|about):/i;

/** An extra per-URL check of a page's requests (true = allowed). */
export type AllowRequest = (url: string) => Promise<boolean>;

/** `blocked`: a resource type no page of ours needs; `refused`: the URL check said no. */
export type RequestVerdict = 'allowed' | 'blocked' | 'refused';

/** Decides one request by its resource type, then by the URL check (when there is one). */
export async function judgeRequest(resourceType: string, url: string, allowRequest?: AllowRequest): Promise<RequestVerdict> {
  if (BLOCKED_RESOURCE_TYPES.has(resourceType.toLowerCase())) return 'blocked';
  if (!allowRequest || LOCAL_URL.test(url)) return 'allowed';
  return (await allowRequest(url)) ? 'allowed' : 'refused';
}

/** What the guard knows of a request it failed or a document response it saw. */
export interface GuardedRequest {
  url: string;
  /** The frame that asked (a main-frame navigation has the page's main frame id). */
  frameId: string;
  /** A document (a frame's navigation, redirects included). */
  document: boolean;
}

/** A document's response headers, names in lower case. */
export type ResponseHeaders = ReadonlyMap<string, string>;

export interface CdpRequestGuardOptions {
  allowRequest?: AllowRequest;
  /** Called for every request that was failed (counters, logs). */
  onFailed?(verdict: Exclude<RequestVerdict, 'allowed'>, request: GuardedRequest): void;
  /**
   * Given, every document's response (redirects included) is paused before its body reaches the page,
   * and a `false` fails it: the page never renders it (the egress proxy's refusal text is not chat).
   */
  acceptDocument?(request: GuardedRequest, status: number, headers: ResponseHeaders): boolean;
}

/**
 * Guards every request of the page behind a CDP session: pauses each one (Fetch.enable), fails what
 * `judgeRequest` does not allow and lets the rest continue; with `acceptDocument`, documents' responses too.
 */
export async function guardCdpRequests(client: CDPSession, options: CdpRequestGuardOptions): Promise<void> {
  client.on('Fetch.requestPaused', (event) => void requestOnPaused(client, event, options));
  const patterns: Protocol.Fetch.RequestPattern[] = [{ urlPattern: '*', requestStage: 'Request' }];
  if (options.acceptDocument) patterns.push({ urlPattern: '*', resourceType: 'Document', requestStage: 'Response' });
  await client.send('Fetch.enable', { patterns });
}

async function requestOnPaused(client: CDPSession, event: Protocol.Fetch.RequestPausedEvent, options: CdpRequestGuardOptions): Promise<void> {
  const request: GuardedRequest = { url: event.request.url, frameId: event.frameId, document: event.resourceType === 'Document' };
  try {
    // At the response stage (a status or an error is present): only documents are paused there.
    if (event.responseStatusCode !== undefined || event.responseErrorReason !== undefined) {
      const headers = new Map((event.responseHeaders ?? []).map((h) => [h.name.toLowerCase(), h.value] as const));
      const status = event.responseStatusCode ?? 0;
      if (options.acceptDocument && !options.acceptDocument(request, status, headers)) {
        await client.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'AccessDenied' });
      } else {
        await client.send('Fetch.continueRequest', { requestId: event.requestId });
      }
      return;
    }
    const verdict = await judgeRequest(event.resourceType, event.request.url, options.allowRequest);
    if (verdict === 'allowed') {
      await client.send('Fetch.continueRequest', { requestId: event.requestId });
      return;
    }
    options.onFailed?.(verdict, request);
    await client.send('Fetch.failRequest', { requestId: event.requestId, errorReason: verdict === 'blocked' ? 'BlockedByClient' : 'AccessDenied' });
  } catch {
    // the page or the request went away meanwhile
  }
}
