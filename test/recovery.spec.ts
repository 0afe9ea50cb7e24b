/** Crash recovery: a crashed page and a killed browser heal by themselves; later messages arrive once. */
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post, startTestService, Subscriber } from './support/service.ts';

let fixtures: FixtureServer;
let service: Awaited<ReturnType<typeof startTestService>>;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  service = await startTestService();
});

afterAll(async () => {
  await service?.close();
  await fixtures?.close();
});

function script(prefix: string, count: number): Array<{ author: string; text: string }> {
  return Array.from({ length: count }, (_, i) => ({ author: `v${i % 5}`, text: `${prefix} ${i}` }));
}

async function watch(room: string): Promise<Subscriber> {
  const sessionId = `rec-${room}`;
  const sub = await Subscriber.connect(service.url, sessionId);
  const res = await post(service.url, '/api/start-monitoring', { url: fixtures.pageUrl(room), sessionId, platform: 'whatnot' });
  expect(res.status).toBe(201);
  await sub.waitFor(() => sub.events.some((e) => e.type === 'session_status' && e.status === 'live'));
  return sub;
}

function statuses(sub: Subscriber): string[] {
  return sub.events.filter((e) => e.type === 'session_status').map((e) => e.status as string);
}

test('a crashed page is replaced and capture continues without repeats', async () => {
  const room = 'crash';
  const sub = await watch(room);
  const before = script('before', 20);
  await fixtures.emit(room, before, 50);
  await sub.waitFor(() => sub.messages().length >= 20);

  const browser = await service.pool.getBrowser();
  const pages = await browser.pages();
  const page = pages.find((p) => p.url().includes(`/rooms/${room}/`));
  expect(page).toBeDefined();
  const cdp = await page!.createCDPSession();
  cdp.send('Page.crash').catch(() => undefined);

  await sub.waitFor(() => statuses(sub).includes('recovering'));
  await sub.waitFor(() => statuses(sub).lastIndexOf('live') > statuses(sub).lastIndexOf('recovering'));
  const after = script('after', 20);
  await fixtures.emit(room, after, 50);
  await sub.waitFor(() => sub.messages().length >= 40);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(sub.texts()).toEqual([...before, ...after].map((m) => m.text));
  sub.close();
});

test('a killed browser is relaunched and every session recovers', async () => {
  const room = 'killed';
  const sub = await watch(room);
  const before = script('pre', 10);
  await fixtures.emit(room, before, 50);
  await sub.waitFor(() => sub.messages().length >= 10);
  const launches = service.pool.launchCount;
  const pid = service.pool.pid;
  expect(pid).toBeDefined();
  process.kill(pid!, 'SIGKILL');

  await sub.waitFor(() => statuses(sub).includes('recovering'));
  // messages sent while the browser is down are on the page's history when it comes back
  const during = script('during', 5);
  fixtures.room(room).post(during);
  await sub.waitFor(() => statuses(sub).lastIndexOf('live') > statuses(sub).lastIndexOf('recovering'));
  expect(service.pool.launchCount).toBe(launches + 1);
  const after = script('post', 10);
  await fixtures.emit(room, after, 50);
  await sub.waitFor(() => sub.messages().length >= 25);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(sub.texts()).toEqual([...before, ...during, ...after].map((m) => m.text));
  // the session from the first test lost its page too, and is live again
  const other = await Subscriber.connect(service.url, 'rec-crash');
  const crashRoom = fixtures.room('crash');
  crashRoom.post([{ author: 'late', text: 'still watched' }]);
  await other.waitFor(() => other.texts().includes('still watched'));
  const sessions = (await (await fetch(`${service.url}/api/sessions`)).json()) as Array<{ sessionId: string; status: string }>;
  expect(sessions.filter((s) => s.sessionId.startsWith('rec-')).map((s) => s.status)).toEqual(['live', 'live']);
  other.close();
  sub.close();
});
