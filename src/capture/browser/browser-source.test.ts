import { EarshotError } from '../../errors.ts';
import { EGRESS_REFUSED_HEADER } from '../../net/egress-proxy.ts';
import { isEgressRefusal, isRetryable } from './browser-source.ts';

describe("the capture page's failure rules", () => {
  test("a main document is the egress proxy's refusal only with the proxy's marker on a 403", () => {
    const marked = new Map([[EGRESS_REFUSED_HEADER, 'private_address']]);
    expect(isEgressRefusal(403, marked)).toBe(true);
    // The site's own 403, and a marker on anything but the proxy's status, are the site's answers.
    expect(isEgressRefusal(403, new Map([['content-type', 'text/html']]))).toBe(false);
    expect(isEgressRefusal(200, marked)).toBe(false);
  });

  test('a refused page and impossible selectors are not retried; anything else is', () => {
    expect(isRetryable(new EarshotError('url_not_allowed', 'x'))).toBe(false);
    expect(isRetryable(new EarshotError('invalid_selectors', 'x'))).toBe(false);
    expect(isRetryable(new EarshotError('browser_unavailable', 'x'))).toBe(true);
    expect(isRetryable(new Error('net::ERR_CONNECTION_RESET'))).toBe(true);
  });
});
