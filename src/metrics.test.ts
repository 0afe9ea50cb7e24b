import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { classifyStorageError, createMetrics, StorageWatch, type MetricReaders } from './metrics.ts';

function readers(overrides: Partial<MetricReaders> = {}): MetricReaders {
  return {
    activeSessions: () => 2,
    wsClients: () => 3,
    backlog: () => ({ messages: 7, entries: 2, oldestAgeMs: 1500, consecutiveFailures: 0, deadLettered: 0 }),
    sessionsByStatus: () => [
      { platform: 'whatnot', status: 'live', count: 2 },
      { platform: 'kick', status: 'no_chat_found', count: 1 },
    ],
    buyersByPlatform: () => ({ whatnot: 4, youtube: 1 }),
    ...overrides,
  };
}

describe('Metrics', () => {
  test('each instance has its own registry: two services in one process do not share counts', async () => {
    const a = createMetrics(readers(), { defaultMetrics: false });
    const b = createMetrics(readers(), { defaultMetrics: false });
    a.countMessages('whatnot', 5);
    a.countTransition('whatnot', 'recovering');
    expect((await a.health()).messagesTotal).toBe(5);
    expect((await b.health()).messagesTotal).toBe(0);
    expect((await b.health()).recoveriesTotal).toBe(0);
  });

  test('renders Prometheus text with the gauges read at scrape time', async () => {
    let clients = 3;
    const metrics = createMetrics(readers({ wsClients: () => clients }), { defaultMetrics: false });
    metrics.countEgressRefusal('private_address');
    metrics.countUndecodedFrames('tiktok', 2);
    metrics.countUndecodedFrames('tiktok', 1);
    metrics.observeCaptureLatency('twitch', 0.02);
    metrics.observeCaptureLatency('twitch', -5); // a page clock that jumped: ignored
    clients = 9;
    const text = await metrics.render();
    expect(metrics.contentType).toMatch(/^text\/plain/);
    expect(text).toMatch(/^earshot_ws_clients 9$/m);
    expect(text).toMatch(/^earshot_forwarder_backlog_messages 7$/m);
    expect(text).toMatch(/^earshot_forwarder_backlog_oldest_age_seconds 1.5$/m);
    expect(text).toMatch(/^earshot_buyers\{platform="whatnot"\} 4$/m);
    expect(text).toMatch(/^earshot_egress_refusals_total\{reason="private_address"\} 1$/m);
    expect(text).toMatch(/^earshot_network_frames_undecoded_total\{platform="tiktok"\} 3$/m);
    expect(text).toMatch(/^earshot_capture_latency_seconds_count\{platform="twitch"\} 1$/m);
    expect(text).toMatch(/^earshot_storage_writable 1$/m);
  });

  test('a failing backend, dead letters and shows by status are exported for alerting', async () => {
    let backlog = { messages: 0, entries: 0, oldestAgeMs: null as number | null, consecutiveFailures: 4, deadLettered: 3 };
    const metrics = createMetrics(readers({ backlog: () => backlog }), { defaultMetrics: false });
    let text = await metrics.render();
    expect(text).toMatch(/^earshot_forwarder_consecutive_failures 4$/m);
    expect(text).toMatch(/^earshot_forwarder_dead_lettered_total 3$/m);
    expect(text).toMatch(/^earshot_sessions\{platform="whatnot",status="live"\} 2$/m);
    expect(text).toMatch(/^earshot_sessions\{platform="kick",status="no_chat_found"\} 1$/m);
    // The counter follows the forwarder's running count and never goes down.
    backlog = { ...backlog, consecutiveFailures: 0, deadLettered: 5 };
    text = await metrics.render();
    expect(text).toMatch(/^earshot_forwarder_consecutive_failures 0$/m);
    expect(text).toMatch(/^earshot_forwarder_dead_lettered_total 5$/m);
  });

  test('health numbers are the registry values', async () => {
    const metrics = createMetrics(readers(), { defaultMetrics: false });
    metrics.countTransition('kick', 'live');
    metrics.countTransition('kick', 'recovering');
    metrics.countTransition('kick', 'recovering');
    metrics.countDroppedReport('kick');
    expect(await metrics.health()).toEqual({
      activeSessions: 2,
      wsClients: 3,
      backlogMessages: 7,
      messagesTotal: 0,
      buyersTotal: 5,
      recoveriesTotal: 2,
      egressRefusalsTotal: 0,
      droppedReportsTotal: 1,
    });
  });
});

describe('StorageWatch', () => {
  test('classifies a full disk apart from other write failures', () => {
    expect(classifyStorageError(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe('disk_full');
    expect(classifyStorageError(Object.assign(new Error('x'), { code: 'EDQUOT' }))).toBe('disk_full');
    expect(classifyStorageError(Object.assign(new Error('x'), { code: 'EROFS' }))).toBe('storage_unwritable');
  });

  test('a writable folder is writable; a missing one is not, with a code, and the change is reported', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-storage-'));
    const changes: boolean[] = [];
    const ok = new StorageWatch(dir, { onChange: (s) => changes.push(s.writable) });
    expect(await ok.check()).toMatchObject({ writable: true });
    expect(fs.readdirSync(dir)).toEqual([]);
    const gone = new StorageWatch(path.join(dir, 'missing'), { onChange: (s) => changes.push(s.writable) });
    expect(await gone.check()).toMatchObject({ writable: false, code: 'storage_unwritable' });
    expect(changes).toEqual([false]);
  });
});

test('the public storage state names no path; the system message goes to onChange for the log', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-storage-'));
  const missing = path.join(dir, 'missing');
  const details: Array<string | undefined> = [];
  const watch = new StorageWatch(missing, { onChange: (_s, detail) => details.push(detail) });
  const state = await watch.check();
  expect(state).toMatchObject({ writable: false, code: 'storage_unwritable', message: expect.any(String) });
  expect(JSON.stringify(state)).not.toContain(dir);
  expect(JSON.stringify(watch.state())).not.toMatch(/\//);
  expect(details[0]).toContain(missing);
});
