/**
 * Source health on a real show (Chromium on a fixture page, the real service), with its windows shortened
 * to seconds: a show that is connected but silent says so, chat makes it live, a busy chat that goes quiet
 * is recovered first (the page reloads) and reported stalled only when chat does not come back, and the
 * show's end ends it. Each state is in the show's /ws events, GET /api/sessions and /metrics.
 */
import { WsSessionEvent } from '../supabase/functions/_shared/contract.ts';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post, startTestService, Subscriber } from './support/service.ts';
import { until } from './support/wait.ts';

const SELECTORS = { container: "[data-testid='virtuoso-item-list']", row: '[data-index]', author: 'strong', text: '.body' };
const ROOM = 'source-health';

let service: Awaited<ReturnType<typeof startTestService>>;
let fixtures: FixtureServer;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  service = await startTestService({
    SOURCE_RATE_WINDOW_MS: '1000',
    SOURCE_SILENT_AFTER_MS: '2500',
    SOURCE_STALL_MIN_MS: '1500',
    SOURCE_STALL_MAX_MS: '3000',
    SOURCE_STALL_GAPS: '3',
    SOURCE_STALL_MIN_RATE: '1',
    SOURCE_RECOVERY_GRACE_MS: '3000',
    SOURCE_HEALTH_CHECK_MS: '200',
    NO_CHAT_TIMEOUT_MS: '600000',
  });
}, 120_000);

afterAll(async () => {
  await service?.close();
  await fixtures?.close();
});

const sessionHealth = async (id: string): Promise<{ state: string; ratePerMin: number; baselinePerMin: number | null; detail?: string } | undefined> =>
  ((await (await fetch(`${service.url}/api/sessions/${id}`)).json()) as { health?: never }).health;

const silentGauge = async (): Promise<number> => {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('earshot_sources_silent{platform="generic"}'));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

test('silent after the start, live with chat, recovered then stalled when chat stops, ended with the show', async () => {
  const started = await post(service.url, '/api/start-monitoring', { url: fixtures.pageUrl(ROOM, { mode: 'plain' }), selectors: SELECTORS });
  expect(started.status).toBe(201);
  const id: string = started.body.sessionId;
  const sub = await Subscriber.connect(service.url, id, 0);
  const states = (): string[] => sub.events.filter((e) => e.type === 'source_health').map((e) => e.health.state);
  const reached = (state: string): Promise<void> => sub.waitFor(() => states().at(-1) === state, 30_000);

  // Connected, nothing said: silent, in the list and in /metrics.
  await reached('silent');
  expect(await sessionHealth(id)).toMatchObject({ state: 'silent', detail: expect.stringMatching(/no chat since the start/) });
  await until(async () => (await silentGauge()) === 1, 'the silent gauge');

  // Busy chat: live, with a rate and (after a few windows) a usual rate.
  const chatting = fixtures.emit(ROOM, Array.from({ length: 50 }, (_, i) => ({ author: `viewer${i % 7}`, text: `busy ${i}` })), 10);
  await reached('live');
  await chatting;
  const live = await sessionHealth(id);
  expect(live?.baselinePerMin).toBeGreaterThan(60);
  expect(await silentGauge()).toBe(0);

  // Chat stops: the page is reloaded first, and the stall is reported only when nothing comes back.
  await reached('stalled');
  const order = states();
  expect(order.lastIndexOf('recovering')).toBeGreaterThan(order.lastIndexOf('live'));
  expect(order.lastIndexOf('stalled')).toBeGreaterThan(order.lastIndexOf('recovering'));
  const info = (await (await fetch(`${service.url}/api/sessions/${id}`)).json()) as { health: { detail: string }; diagnostics: { recoveries: number } };
  expect(info.diagnostics.recoveries).toBeGreaterThanOrEqual(1);
  expect(info.health.detail).toMatch(/also after reloading/);
  await until(async () => (await silentGauge()) === 1, 'the gauge counting the stalled source');

  // Chat comes back: live. Stopping ends it.
  fixtures.room(ROOM).post([{ author: 'viewer1', text: 'back again' }]);
  await reached('live');
  expect((await post(service.url, '/api/stop-monitoring', { sessionId: id })).status).toBe(200);
  await reached('ended');
  for (const event of sub.events.filter((e) => e.type === 'source_health')) expect(() => WsSessionEvent.parse(event)).not.toThrow();
  // The reload re-read the page's rows: none was counted twice.
  const texts = sub.texts(id);
  expect(new Set(texts).size).toBe(texts.length);
  sub.close();
}, 120_000);
