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

export interface CdpRequestGuardOptions {
  allowRequest?: AllowRequest;
  /** Called for every request that was failed (counters, logs). */
  onFailed?(verdict: Exclude<RequestVerdict, 'allowed'>, url: string): void;
}

/**
 * Guards every request of the page behind a CDP session: pauses each one (Fetch.enable), fails what
 * `judgeRequest` does not allow and lets the rest continue.
 */
export async function guardCdpRequests(client: CDPSession, options: CdpRequestGuardOptions): Promise<void> {
  client.on('Fetch.requestPaused', (event) => void requestOnPaused(client, event, options));
  await client.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] });
}

async function requestOnPaused(client: CDPSession, event: Protocol.Fetch.RequestPausedEvent, options: CdpRequestGuardOptions): Promise<void> {
  try {
    const verdict = await judgeRequest(event.resourceType, event.request.url, options.allowRequest);
    if (verdict === 'allowed') {
      await client.send('Fetch.continueRequest', { requestId: event.requestId });
      return;
    }
    options.onFailed?.(verdict, event.request.url);
    await client.send('Fetch.failRequest', { requestId: event.requestId, errorReason: verdict === 'blocked' ? 'BlockedByClient' : 'AccessDenied' });
  } catch {
    // the page or the request went away meanwhile
  }
}
