import type { OpenKnowledgeOptions } from '../backend/types.ts';
import type { KnowledgeBase } from '../../supabase/functions/_shared/kb/index.ts';
import { ownerKnowledgeBases } from './owners.ts';

describe("sellers' knowledge bases", () => {
  test("opens each seller's knowledge base once, with their id and the service's models", async () => {
    const opened: OpenKnowledgeOptions[] = [];
    const embedder = { model: 'fake', embed: async (texts: string[]) => texts.map(() => [0]) };
    const kbFor = ownerKnowledgeBases(
      {
        open: async (options = {}) => {
          opened.push(options);
          return { owner: options.ownerId } as unknown as KnowledgeBase;
        },
      },
      { embedder },
    );
    const first = await kbFor('seller-a');
    expect(await kbFor('seller-a')).toBe(first);
    await kbFor('seller-b');
    expect(opened).toEqual([
      { embedder, ownerId: 'seller-a' },
      { embedder, ownerId: 'seller-b' },
    ]);
  });

  test('a knowledge base that failed to open is opened again on the next call', async () => {
    let attempts = 0;
    const kbFor = ownerKnowledgeBases({
      open: async () => {
        attempts++;
        if (attempts === 1) throw new Error('database unreachable');
        return {} as KnowledgeBase;
      },
    });
    await expect(kbFor('seller-a')).rejects.toThrow('database unreachable');
    await expect(kbFor('seller-a')).resolves.toEqual({});
    expect(attempts).toBe(2);
  });
});
