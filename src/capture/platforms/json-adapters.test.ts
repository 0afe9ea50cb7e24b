import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../log.ts';
import { loadJsonAdapters } from './json-adapters.ts';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

describe('loadJsonAdapters', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-adapters-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const good = { name: 'shopchat', hostPattern: '^live\\.shop\\.test$', dom: { container: '#c', row: '.r', author: '.a', text: '.t', idAttribute: 'data-id' } };

  it('loads valid files and logs and skips bad ones without throwing', async () => {
    fs.writeFileSync(path.join(dir, 'a-good.json'), JSON.stringify(good));
    fs.writeFileSync(path.join(dir, 'b-broken.json'), '{ not json');
    fs.writeFileSync(path.join(dir, 'c-no-host.json'), JSON.stringify({ ...good, name: 'nohost', hostPattern: undefined }));
    fs.writeFileSync(path.join(dir, 'd-bad-regex.json'), JSON.stringify({ ...good, name: 'badre', hostPattern: '(' }));
    fs.writeFileSync(path.join(dir, 'e-duplicate.json'), JSON.stringify(good));
    fs.writeFileSync(path.join(dir, 'f-extra-field.json'), JSON.stringify({ ...good, name: 'extra', dom: { ...good.dom, script: 'alert(1)' } }));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    const { logger, lines } = capturingLogger();
    const adapters = loadJsonAdapters(dir, logger);
    await new Promise((resolve) => setImmediate(resolve));
    expect(adapters.map((a) => [a.name, a.platform])).toEqual([['shopchat', 'generic']]);
    expect(adapters[0]!.matches(new URL('https://live.shop.test/x'))).toBe(true);
    expect(adapters[0]!.dom.idAttribute).toBe('data-id');
    const skipped = lines.filter((l) => l.msg === 'adapter file skipped').map((l) => path.basename(String(l.file)));
    expect(skipped).toEqual(['b-broken.json', 'c-no-host.json', 'd-bad-regex.json', 'e-duplicate.json', 'f-extra-field.json']);
  });

  it('returns none when the folder does not exist', () => {
    expect(loadJsonAdapters(path.join(dir, 'missing'), capturingLogger().logger)).toEqual([]);
  });
});
