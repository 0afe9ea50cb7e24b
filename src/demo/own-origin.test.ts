import { OwnOrigin } from './own-origin.ts';
import { DEMO_PATH } from './routes.ts';

const own = new OwnOrigin();
own.listening('http://[::1]:8080', 8080);

test('the bound address, localhost and 127.0.0.1 are the service own origin', () => {
  expect(own.origins).toEqual(['http://[::1]:8080', 'http://localhost:8080', 'http://127.0.0.1:8080']);
  expect(own.isOwn(new URL('http://127.0.0.1:8080/api/sessions'))).toBe(true);
  expect(own.isOwn(new URL('http://127.0.0.1:8081/'))).toBe(false);
});

test('only the demo page of the own origin may be monitored, unless every private URL is allowed', () => {
  expect(() => own.assertMonitorable(new URL(`http://localhost:8080${DEMO_PATH}`), false)).not.toThrow();
  expect(() => own.assertMonitorable(new URL('http://localhost:8080/api/sessions'), false)).toThrow(
    expect.objectContaining({ code: 'url_not_allowed' }),
  );
  expect(() => own.assertMonitorable(new URL('http://localhost:8080/api/sessions'), true)).not.toThrow();
  expect(() => own.assertMonitorable(new URL('https://www.whatnot.com/live/x'), false)).not.toThrow();
});

test('the demo page is recognised on the own origin only', () => {
  expect(own.isDemoPage(new URL(`http://127.0.0.1:8080${DEMO_PATH}`))).toBe(true);
  expect(own.isDemoPage(new URL(`https://example.com${DEMO_PATH}`))).toBe(false);
  expect(new OwnOrigin().isDemoPage(new URL(`http://127.0.0.1:8080${DEMO_PATH}`))).toBe(false);
});
