/** The LLM's verdicts survive a service restart (DATA_DIR/llm-cache.json): a restart does not start cold. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chat, sessionInfo as session } from './support/backend.ts';
import { chatMessagesOf, startFakeOpenAi, type FakeOpenAi } from './fakes/openai-server.ts';
import { startTestService } from './support/service.ts';

let fake: FakeOpenAi;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  fake.onChat((request) => {
    const sent = JSON.parse(chatMessagesOf(request).find((m) => m.role === 'user')!.content) as Array<{ id: string }>;
    return JSON.stringify({
      results: sent.map(({ id }) => ({ id, intent: 'purchase', confidence: 0.92, quantity: 1, price: null, itemCode: null, size: null, item: null })),
    });
  });
});

afterAll(async () => {
  await fake?.close();
});


test('a restarted service answers texts the model already judged without asking it again', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-llm-cache-'));
  const env = { DATA_DIR: dataDir, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseUrl };

  const first = await startTestService(env);
  await first.backend.upsertSession(session('one'));
  const before = await first.backend.ingest('one', [chat('want', 'ann'), chat('mine?', 'bob')]);
  expect(before.map((r) => r.intent)).toEqual(['purchase', 'purchase']);
  expect(fake.chatRequests()).toHaveLength(1);
  await first.close();
  expect(fs.existsSync(path.join(dataDir, 'llm-cache.json'))).toBe(true);

  const second = await startTestService(env);
  try {
    await second.backend.upsertSession(session('two'));
    const after = await second.backend.ingest('two', [chat('want', 'cy'), chat('mine?', 'dee')]);
    expect(after.map((r) => [r.intent, r.confidence])).toEqual([
      ['purchase', 0.92],
      ['purchase', 0.92],
    ]);
    expect(fake.chatRequests()).toHaveLength(1);
  } finally {
    await second.close();
  }
});
