/** Helpers shared by the platform specs: start monitoring a fixture room and read what the /ws subscriber saw. */
import type { ChatMessage } from '../../src/domain/message.ts';
import { startPlatformFixtures, type FixturePlatform, type PlatformFixtures } from '../fixtures/platforms/index.ts';
import { post, startTestService, Subscriber } from './service.ts';

type TestService = Awaited<ReturnType<typeof startTestService>>;

/**
 * One fixture server and one service for a spec file, stopped after it; every session is stopped after
 * each test. Read `fixtures` and `service` inside tests (they exist once beforeAll ran).
 */
export function usePlatformHarness(env: Record<string, string> | (() => Record<string, string>) = {}): {
  readonly fixtures: PlatformFixtures;
  readonly service: TestService;
} {
  let fixtures: PlatformFixtures | undefined;
  let service: TestService | undefined;
  beforeAll(async () => {
    fixtures = await startPlatformFixtures();
    service = await startTestService(typeof env === 'function' ? env() : env);
  });
  afterEach(async () => {
    if (service) await stopAllSessions(service);
  });
  afterAll(async () => {
    await service?.close();
    await fixtures?.close();
  });
  return {
    get fixtures() {
      if (!fixtures) throw new Error('fixtures are not started yet');
      return fixtures;
    },
    get service() {
      if (!service) throw new Error('the service is not started yet');
      return service;
    },
  };
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Long enough for a held DOM row (1.5 s) and a sweep to have shown up if they were going to. */
export const SETTLE_MS = 2_500;

/**
 * Starts monitoring a fixture room with an explicit platform (fixtures live on 127.0.0.1, so the host says
 * nothing) and waits until the session is live and the page's platform transport is connected.
 */
export async function watchRoom(
  harness: { service: { url: string }; fixtures: PlatformFixtures },
  platform: FixturePlatform,
  room: string,
): Promise<{ sessionId: string; sub: Subscriber }> {
  const { service, fixtures } = harness;
  const sessionId = `${platform}-${room}`;
  const sub = await Subscriber.connect(service.url, sessionId);
  const res = await post(service.url, '/api/start-monitoring', { url: fixtures.pageUrl(platform, room), sessionId, platform });
  if (res.status !== 201) throw new Error(`start-monitoring answered ${res.status}: ${JSON.stringify(res.body)}`);
  await sub.waitFor(() => statuses(sub).includes('live'));
  await fixtures.room(platform, room).whenTransport();
  return { sessionId, sub };
}

/** The session_status event with this status (its detail says why). */
export function statusEvent(sub: Subscriber, status: string): Record<string, unknown> | undefined {
  return sub.events.find((e) => e.type === 'session_status' && e.status === status);
}

export function statuses(sub: Subscriber): string[] {
  return sub.events.filter((e) => e.type === 'session_status').map((e) => String(e.status));
}

export function chat(sub: Subscriber): ChatMessage[] {
  return sub.messages().map((e) => e.message);
}

export function deletions(sub: Subscriber): string[] {
  return sub.events.filter((e) => e.type === 'message_deleted').map((e) => String(e.messageId));
}

/** Every id once: the two capture paths never emit one message twice. */
export function expectUniqueIds(messages: ChatMessage[]): void {
  const ids = messages.map((m) => m.id);
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
}

/**
 * Stops every session of the service. Specs call it after each test: Chromium opens at most six HTTP/1.1
 * connections per host, and each fixture page holds one open (its side channel), so pages left running
 * would starve the next test's page load.
 */
export async function stopAllSessions(service: { sessions: { list(): Array<{ sessionId: string }>; stop(id: string): Promise<unknown> } }): Promise<void> {
  await Promise.all(service.sessions.list().map((s) => service.sessions.stop(s.sessionId).catch(() => undefined)));
}
