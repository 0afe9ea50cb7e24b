import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { continueStream, FileStreamJournal } from './stream-journal.ts';

const entry = (pos: number) => ({ pos, sig: `s${pos}` });

describe('continueStream', () => {
  test('continues a stale saved tail with the positions handed out after it', () => {
    const saved = { tail: [entry(0), entry(1), entry(2)], nextPos: 3 };
    const out = continueStream(saved, [entry(1), entry(2), entry(4), entry(3), entry(5)]);
    expect(out.tail.map((e) => e.pos)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out.nextPos).toBe(6);
  });

  test('a journal with nothing past the save changes nothing', () => {
    const saved = { tail: [entry(7)], nextPos: 8 };
    expect(continueStream(saved, [entry(6), entry(7)])).toBe(saved);
    expect(continueStream(saved, [])).toBe(saved);
  });

  test('a position journaled twice (a batch re-sent) counts once', () => {
    const out = continueStream({ tail: [], nextPos: 0 }, [entry(0), entry(1), entry(1), entry(2)]);
    expect(out.tail.map((e) => e.pos)).toEqual([0, 1, 2]);
    expect(out.nextPos).toBe(3);
  });
});

describe('FileStreamJournal', () => {
  const dir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-journal-'));

  test('what was appended survives the process (a new journal reads it), and a save forgets what it covers', () => {
    const d = dir();
    const first = new FileStreamJournal(d, 'show/1');
    first.append([entry(0), entry(1)]);
    first.append([entry(2)]);
    // No close: a killed process never gets to.
    expect(new FileStreamJournal(d, 'show/1').read().map((e) => e.pos)).toEqual([0, 1, 2]);
    first.saved(2);
    expect(new FileStreamJournal(d, 'show/1').read().map((e) => e.pos)).toEqual([2]);
    first.append([entry(3)]);
    expect(new FileStreamJournal(d, 'show/1').read().map((e) => e.pos)).toEqual([2, 3]);
    first.saved(Number.POSITIVE_INFINITY);
    expect(new FileStreamJournal(d, 'show/1').read()).toEqual([]);
    first.close();
  });

  test('a line torn by a kill mid-write is skipped, the rest is read', () => {
    const d = dir();
    const journal = new FileStreamJournal(d, 's');
    journal.append([entry(0)]);
    journal.close();
    const [file] = fs.readdirSync(d);
    fs.appendFileSync(path.join(d, file!), '[[1,"s1"],[2,"s');
    expect(new FileStreamJournal(d, 's').read().map((e) => e.pos)).toEqual([0]);
  });

  test('session ids cannot name a file outside its folder', () => {
    const d = dir();
    const journal = new FileStreamJournal(d, '../../etc/passwd');
    journal.append([entry(0)]);
    journal.close();
    expect(fs.readdirSync(d)).toEqual(['.._.._etc_passwd.jsonl']);
  });
});
