/** A service restart: running sessions resume by themselves and neither repeat nor lose the stream. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post, startTestService, Subscriber } from './support/service.ts';

let fixtures: FixtureServer;

beforeAll(async () => {
  fixtures = await startFixtureServer();
});

afterAll(async () => {
  await fixtures?.close();
});

test('sessions running at shutdown resume at the next start and continue the stream exactly', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-restart-'));
  const room = fixtures.room('restart');
  const first = await startTestService({ DATA_DIR: dataDir });
  const sub1 = await Subscriber.connect(first.url, 'keep');
  await post(first.url, '/api/start-monitoring', { url: fixtures.pageUrl('restart'), sessionId: 'keep', platform: 'whatnot' });
  await post(first.url, '/api/start-monitoring', { url: fixtures.pageUrl('other'), sessionId: 'dropped', platform: 'whatnot' });
  await post(first.url, '/api/stop-monitoring', { sessionId: 'dropped' });
  room.post(Array.from({ length: 8 }, (_, i) => ({ author: 'a', text: `before ${i}` })));
  await sub1.waitFor(() => sub1.messages().length >= 8);
  const firstIds = sub1.messages().map((e) => e.message.id);
  const lastSeq = sub1.messages().at(-1)!.seq;
  sub1.close();
  await first.close();

  // while the service is down, the chat goes on (the page will show these in its history)
  room.post([{ author: 'b', text: 'while down 1' }, { author: 'b', text: 'while down 2' }]);

  const second = await startTestService({ DATA_DIR: dataDir });
  try {
    const sessions = (await (await fetch(`${second.url}/api/sessions`)).json()) as Array<{ sessionId: string; status: string; messageCount: number }>;
    const keep = sessions.find((s) => s.sessionId === 'keep');
    expect(keep?.status).not.toBe('stopped');
    expect(keep?.messageCount).toBeGreaterThanOrEqual(8);
    expect(sessions.find((s) => s.sessionId === 'dropped')?.status).toBe('stopped');

    // a dashboard that was connected before the restart resumes from the last seq it saw
    const sub2 = await Subscriber.connect(second.url, 'keep', lastSeq);
    room.post([{ author: 'c', text: 'after restart' }]);
    await sub2.waitFor(() => sub2.texts().includes('after restart'));
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(sub2.texts()).toEqual(['while down 1', 'while down 2', 'after restart']);
    expect(sub2.messages().every((e) => e.seq > lastSeq)).toBe(true);
    const ids = sub2.messages().map((e) => e.message.id);
    expect(ids.filter((id) => firstIds.includes(id))).toEqual([]);
    sub2.close();
  } finally {
    await second.close();
  }
});
