import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../config.ts';
import { silentLogger } from '../../log.ts';
import type { SourceFactoryInput } from '../source.ts';
import { youtube } from '../platforms/youtube/adapter.ts';
import { twitch } from '../platforms/twitch/adapter.ts';
import type { PlatformAdapter } from '../platforms/types.ts';
import { createYouTubeApi } from './index.ts';

const base: Config['youtube'] = { baseUrl: 'http://127.0.0.1:9/youtube/v3', dailyQuota: 10_000, streaming: false };
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-ytapi-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function input(url: string, adapter: PlatformAdapter): SourceFactoryInput {
  return {
    sessionId: 's',
    url: new URL(url),
    request: { url },
    adapter,
    source: 'api',
    sink: { messages: () => undefined, deleted: () => undefined, status: () => undefined },
    idPrefix: 'p',
  };
}

describe('createYouTubeApi', () => {
  it('defaults YouTube video URLs to the API only when credentials exist', () => {
    const withKey = createYouTubeApi({ ...base, apiKey: 'k' }, { dataDir, logger: silentLogger() });
    const without = createYouTubeApi(base, { dataDir, logger: silentLogger() });
    const video = new URL('https://www.youtube.com/watch?v=abcdefghijk');
    expect(withKey.defaultSource(youtube, video)).toBe('api');
    expect(withKey.defaultSource(youtube, new URL('https://www.youtube.com/@someone'))).toBe('browser');
    expect(withKey.defaultSource(twitch, new URL('https://www.twitch.tv/x'))).toBe('browser');
    expect(without.defaultSource(youtube, video)).toBe('browser');
  });

  it('refuses source "api" for other platforms, without credentials, and without a video id', () => {
    const withKey = createYouTubeApi({ ...base, apiKey: 'k' }, { dataDir, logger: silentLogger() });
    const without = createYouTubeApi(base, { dataDir, logger: silentLogger() });
    expect(() => withKey.createSource(input('https://www.twitch.tv/x', twitch))).toThrow(expect.objectContaining({ code: 'unsupported_platform' }));
    expect(() => without.createSource(input('https://youtu.be/abcdefghijk', youtube))).toThrow(expect.objectContaining({ code: 'source_unavailable' }));
    expect(() => withKey.createSource(input('https://www.youtube.com/@someone', youtube))).toThrow(expect.objectContaining({ code: 'invalid_body' }));
    expect(() => withKey.createSource(input('https://www.youtube.com/watch?v=%3Cscript%3E', youtube))).toThrow(expect.objectContaining({ code: 'invalid_body' }));
    expect(withKey.createSource(input('https://youtu.be/abcdefghijk', youtube)).kind).toBe('api');
  });
});
