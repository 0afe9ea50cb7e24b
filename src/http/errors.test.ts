import zlib from 'node:zlib';
import { clientErrorOf } from './errors.ts';

describe('clientErrorOf', () => {
  test('a path that does not decode is invalid_path', () => {
    let error: unknown;
    try {
      decodeURIComponent('%C0%AE');
    } catch (e) {
      error = e;
    }
    expect(clientErrorOf(error)).toMatchObject({ code: 'invalid_path' });
  });

  test('a body that does not decompress is invalid_body', () => {
    for (const inflate of [zlib.gunzipSync, zlib.inflateSync, zlib.brotliDecompressSync]) {
      let error: unknown;
      try {
        inflate(Buffer.from('junk junk junk junk'));
      } catch (e) {
        error = e;
      }
      expect(clientErrorOf(error)).toMatchObject({ code: 'invalid_body' });
    }
  });

  test('exposed 4xx errors are the body’s; anything else stays internal', () => {
    expect(clientErrorOf(Object.assign(new Error('aborted'), { status: 400, expose: true }))).toMatchObject({ code: 'invalid_body' });
    expect(clientErrorOf(Object.assign(new Error('boom'), { status: 500, expose: false }))).toBeUndefined();
    expect(clientErrorOf(new Error('boom'))).toBeUndefined();
    expect(clientErrorOf(undefined)).toBeUndefined();
  });
});
