import { judgeRequest } from './request-guard.ts';

describe('the page request guard', () => {
  it('fails images, media and fonts whatever the URL, in CDP and puppeteer spelling', async () => {
    const allowAll = async () => true;
    for (const type of ['Image', 'image', 'Media', 'media', 'Font', 'font']) {
      await expect(judgeRequest(type, 'https://cdn.example/x', allowAll)).resolves.toBe('blocked');
    }
    await expect(judgeRequest('Script', 'https://cdn.example/x.js')).resolves.toBe('allowed');
    await expect(judgeRequest('xhr', 'https://cdn.example/x.json')).resolves.toBe('allowed');
  });

  it('asks the URL check about the rest, except URLs that never leave the browser', async () => {
    const asked: string[] = [];
    const allow = async (url: string) => {
      asked.push(url);
      return !url.includes('/private');
    };
    await expect(judgeRequest('Document', 'https://a.example/page', allow)).resolves.toBe('allowed');
    await expect(judgeRequest('Fetch', 'https://a.example/private/x', allow)).resolves.toBe('refused');
    await expect(judgeRequest('Fetch', 'data:text/plain,private', allow)).resolves.toBe('allowed');
    await expect(judgeRequest('Fetch', 'blob:https://a.example/1', allow)).resolves.toBe('allowed');
    await expect(judgeRequest('Document', 'about:blank', allow)).resolves.toBe('allowed');
    expect(asked).toEqual(['https://a.example/page', 'https://a.example/private/x']);
  });
});
