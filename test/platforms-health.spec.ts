/**
 * Selector health and page lifecycle across platforms: `no_chat_found` with a screenshot (served and kept
 * under DATA_DIR), adapters added as JSON files under DATA_DIR/adapters, and a stalled YouTube chat page
 * that is reloaded without repeating anything.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chat, pause, statuses, statusEvent, usePlatformHarness, watchRoom } from './support/platform-session.ts';
import { post, Subscriber } from './support/service.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-health-'));

/** DATA_DIR prepared before the service starts: one JSON adapter, one broken file that must be skipped. */
function prepareDataDir(): Record<string, string> {
  const adapters = path.join(dataDir, 'adapters');
  fs.mkdirSync(adapters, { recursive: true });
  // A site Earshot has no code for, described in JSON: TikTok-like markup behind a chat-page template.
  fs.writeFileSync(
    path.join(adapters, 'shoplive.json'),
    JSON.stringify({
      name: 'shoplive',
      hosts: ['127.0.0.1'],
      chatUrl: 'http://{host}/fx/tiktok/@{2}/live',
      dom: { container: "[data-e2e='chat-room']", row: "[data-e2e='chat-message']", author: "[data-e2e='message-owner-name']", text: "[class*='-DivComment']" },
    }),
  );
  fs.writeFileSync(path.join(adapters, 'broken.json'), '{"name": "broken", "dom": ');
  return { DATA_DIR: dataDir, NO_CHAT_TIMEOUT_MS: '1500', SAVE_SCREENSHOTS: 'true', CHAT_STALL_RELOAD_MS: '3000' };
}

const harness = usePlatformHarness(prepareDataDir);

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('selector health', () => {
  test('a page without chat turns no_chat_found; its screenshot is served as PNG and kept under DATA_DIR', async () => {
    const sessionId = 'nochat';
    const sub = await Subscriber.connect(harness.service.url, sessionId);
    const res = await post(harness.service.url, '/api/start-monitoring', { url: `${harness.fixtures.url}/fx/no-chat-here`, sessionId, platform: 'kick' });
    expect(res.status).toBe(201);
    await sub.waitFor(() => statuses(sub).includes('no_chat_found'));
    expect(statusEvent(sub, 'no_chat_found')).toMatchObject({ detail: 'chat container not found' });

    const shot = await fetch(`${harness.service.url}/api/sessions/${sessionId}/screenshot`);
    expect(shot.status).toBe(200);
    expect(shot.headers.get('content-type')).toMatch(/^image\/png/);
    expect(Buffer.from(await shot.arrayBuffer()).subarray(0, 8)).toEqual(PNG_SIGNATURE);

    const dir = path.join(dataDir, 'screenshots');
    const saved = async () => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith(`${sessionId}--`)) : []);
    for (let i = 0; i < 50 && (await saved()).length < 2; i++) await pause(100);
    const files = await saved();
    expect(files.length).toBeGreaterThanOrEqual(2); // one when the status turned, one for the request
    expect(fs.readFileSync(path.join(dir, files[0]!)).subarray(0, 8)).toEqual(PNG_SIGNATURE);

    await post(harness.service.url, '/api/stop-monitoring', { sessionId });
    const stopped = await fetch(`${harness.service.url}/api/sessions/${sessionId}/screenshot`);
    expect(stopped.status).toBe(409);
    expect((await stopped.json()).error.code).toBe('no_page');
    const unknown = await fetch(`${harness.service.url}/api/sessions/no-such-session/screenshot`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('session_not_found');
    sub.close();
  });
});

describe('adapters from DATA_DIR/adapters', () => {
  test('a JSON adapter is picked by host, opens its chat page template and captures as generic', async () => {
    const room = harness.fixtures.room('tiktok', 'jsonshop');
    room.post({ author: 'shopper', text: 'is this vintage?' });
    const sessionId = 'json-adapter';
    const sub = await Subscriber.connect(harness.service.url, sessionId);
    const res = await post(harness.service.url, '/api/start-monitoring', { url: `${harness.fixtures.url}/shop/jsonshop`, sessionId });
    expect(res.status).toBe(201);
    expect(res.body.platform).toBe('generic');
    await sub.waitFor(() => chat(sub).length >= 1);
    expect(chat(sub)[0]).toMatchObject({ platform: 'generic', author: { name: 'shopper' }, text: 'is this vintage?' });
    const info = await (await fetch(`${harness.service.url}/api/sessions/${sessionId}`)).json();
    expect(info.diagnostics).toMatchObject({ adapter: 'shoplive' });
    expect(info.diagnostics.pageUrl).toBe(harness.fixtures.pageUrl('tiktok', 'jsonshop'));
    sub.close();
  });
});

describe('stalled chat', () => {
  test('a YouTube chat page with no new chat for CHAT_STALL_RELOAD_MS is reloaded, repeating nothing', async () => {
    const room = harness.fixtures.room('youtube', 'stalls');
    const { sub } = await watchRoom(harness, 'youtube', 'stalls');
    const [before] = room.post({ author: 'Viewer', text: 'anyone here?' });
    await sub.waitFor(() => chat(sub).length >= 1);
    await sub.waitFor(() => sub.events.some((e) => e.type === 'session_status' && e.status === 'recovering' && e.detail === 'chat stalled'), 10_000);
    await sub.waitFor(() => room.pageLoads >= 2);
    const [after] = room.post({ author: 'Viewer', text: 'back after the reload' });
    await sub.waitFor(() => chat(sub).length >= 2);
    await pause(1_000);
    expect(chat(sub).map((m) => m.id)).toEqual([before!.id, after!.id]);
    expect(statuses(sub).at(-1)).toBe('live');
    sub.close();
  });
});
