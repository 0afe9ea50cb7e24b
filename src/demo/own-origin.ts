/**
 * The service's own origin, as capture sees it. Only the demo page (`DEMO_PATH`) may be monitored there
 * (unless ALLOW_PRIVATE_URLS=true), so a start-monitoring request cannot point Chromium at the service's
 * API or /ws; the demo's pages may reach that origin (the demo's event stream), no other page may; and the
 * demo page is read with the Whatnot adapter (it imitates a Whatnot show). The origins are known once the
 * server listens (PORT may be 0).
 */
import { EarshotError } from '../errors.ts';
import { DEMO_PATH } from './routes.ts';

export class OwnOrigin {
  private list: string[] = [];

  /** The server listens at `url` (its bound address) on `port`: localhost and 127.0.0.1 name it too. */
  listening(url: string, port: number): void {
    this.list = [url, `http://localhost:${port}`, `http://127.0.0.1:${port}`];
  }

  get origins(): readonly string[] {
    return this.list;
  }

  /** A URL on the service's own origin. */
  isOwn(url: URL): boolean {
    return this.list.includes(url.origin);
  }

  /** The built-in demo's show page. */
  isDemoPage(url: URL): boolean {
    return this.isOwn(url) && url.pathname === DEMO_PATH;
  }

  /** Refuses any page of the service's own origin but the demo's, unless every private URL is allowed. */
  assertMonitorable(url: URL, allowPrivate: boolean): void {
    if (allowPrivate || !this.isOwn(url) || url.pathname === DEMO_PATH) return;
    throw new EarshotError('url_not_allowed', `Only ${DEMO_PATH} may be monitored on this service's own origin`, { url: url.href });
  }
}
