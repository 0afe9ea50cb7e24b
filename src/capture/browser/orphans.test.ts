import { judgeLeftovers, parseCmdline, parseProcStat, type BrowserRecord, type ProcessSnapshot } from './orphans.ts';

const EXE = '/tmp/chromium';
const PROFILE = '/data/a/chromium-profile';
const context = { bootId: 'boot-1', userDataDir: PROFILE, selfPid: 50 };
const record: BrowserRecord = {
  pid: 100,
  startTime: '5000',
  bootId: 'boot-1',
  userDataDir: PROFILE,
  executablePath: EXE,
  launchedAt: '2026-01-01T00:00:00.000Z',
};

function browser(over: Partial<ProcessSnapshot> = {}): ProcessSnapshot {
  return {
    pid: 100,
    ppid: 1,
    pgid: 100,
    startTime: '5000',
    argv: [EXE, '--no-sandbox', '--remote-debugging-pipe', `--user-data-dir=${PROFILE}`],
    ...over,
  };
}
function child(pid: number, over: Partial<ProcessSnapshot> = {}): ProcessSnapshot {
  return { pid, ppid: 100, pgid: 100, startTime: '5003', argv: [EXE, '--type=renderer'], ...over };
}
const stranger: ProcessSnapshot = { pid: 7, ppid: 1, pgid: 7, startTime: '10', argv: ['/usr/sbin/sshd'] };

describe('judgeLeftovers', () => {
  test('ends the whole group of the recorded browser when pid, start time and profile match', () => {
    const verdict = judgeLeftovers(record, [stranger, browser(), child(101), child(102)], context);
    expect(verdict).toEqual({ action: 'end', reason: 'recorded', group: 100, pids: [100, 101, 102] });
  });

  test('leaves a recorded pid alone that now belongs to a process started later (pid reused)', () => {
    const reused: ProcessSnapshot = { pid: 100, ppid: 1, pgid: 100, startTime: '9000', argv: ['/usr/bin/vim'] };
    expect(judgeLeftovers(record, [reused, stranger], context)).toEqual({ action: 'leave', reason: 'pid_reused', pid: 100 });
  });

  test('leaves a recorded pid alone whose command line does not carry our profile', () => {
    const other = browser({ argv: [EXE, '--remote-debugging-pipe', '--user-data-dir=/somewhere/else'] });
    expect(judgeLeftovers(record, [other], context)).toEqual({ action: 'leave', reason: 'not_our_browser', pid: 100 });
  });

  test('a reused pid running another Chromium of the same executable in its own group is not ours', () => {
    const foreign = browser({ startTime: '9000', argv: [EXE, '--remote-debugging-pipe', '--user-data-dir=/other/chromium-profile'] });
    const foreignRenderer = child(101, { startTime: '9001' });
    expect(judgeLeftovers(record, [foreign, foreignRenderer], context)).toEqual({ action: 'leave', reason: 'pid_reused', pid: 100 });
  });

  test('the browser gone, its renderers still alive: they go one by one, not by group', () => {
    const verdict = judgeLeftovers(record, [child(101), child(102), stranger], context);
    expect(verdict).toEqual({ action: 'end', reason: 'orphaned_children', group: null, pids: [101, 102] });
  });

  test('processes in the recorded group that started before the browser or run another program are left', () => {
    const older = child(101, { startTime: '4000' });
    const otherExe = child(102, { argv: ['/usr/bin/python3'] });
    expect(judgeLeftovers(record, [older, otherExe], context)).toEqual({ action: 'none', reason: 'gone' });
  });

  test('a record from another boot means nothing (start times restart at boot)', () => {
    expect(judgeLeftovers({ ...record, bootId: 'boot-0' }, [browser(), child(101)], context)).toEqual({
      action: 'end',
      reason: 'marked',
      group: 100,
      pids: [100, 101],
    });
    const reusedAfterReboot = { ...browser(), argv: ['/usr/bin/vim'] };
    expect(judgeLeftovers({ ...record, bootId: 'boot-0' }, [reusedAfterReboot], context)).toEqual({ action: 'none', reason: 'other_boot' });
  });

  test('without a record, a browser with our profile and pipe flag is found by its command line', () => {
    const verdict = judgeLeftovers(null, [stranger, browser({ pid: 300, pgid: 300 }), child(301, { pgid: 300 })], context);
    expect(verdict).toEqual({ action: 'end', reason: 'marked', group: 300, pids: [300, 301] });
  });

  test('without a record, a browser with our profile but no pipe flag (not launched by the pool) is left', () => {
    const manual = browser({ argv: [EXE, `--user-data-dir=${PROFILE}`] });
    expect(judgeLeftovers(null, [manual], context)).toEqual({ action: 'none', reason: 'no_record' });
  });

  test('a marked process that does not lead its group is ended alone, never its group', () => {
    const inForeignGroup = browser({ pid: 300, pgid: 7 });
    expect(judgeLeftovers(null, [stranger, inForeignGroup], context)).toEqual({ action: 'end', reason: 'marked', group: null, pids: [300] });
  });

  test('never judges the calling process itself', () => {
    const self = browser({ pid: 50, pgid: 50 });
    expect(judgeLeftovers(null, [self], context)).toEqual({ action: 'none', reason: 'no_record' });
  });

  test('nothing running: none', () => {
    expect(judgeLeftovers(record, [stranger], context)).toEqual({ action: 'none', reason: 'gone' });
    expect(judgeLeftovers(null, [], context)).toEqual({ action: 'none', reason: 'no_record' });
  });
});

describe('parseProcStat', () => {
  test('counts fields from the last parenthesis (names may hold spaces and parentheses)', () => {
    const rest = Array.from({ length: 49 }, (_, i) => String(i + 3));
    rest[0] = 'S';
    rest[1] = '42'; // ppid
    rest[2] = '41'; // pgrp
    rest[19] = '123456789'; // starttime
    expect(parseProcStat(`100 (we(ird) name) ${rest.join(' ')}\n`)).toEqual({ state: 'S', ppid: 42, pgid: 41, startTime: '123456789' });
  });

  test('rejects malformed lines', () => {
    expect(parseProcStat('garbage')).toBeNull();
    expect(parseProcStat('1 (x) S 1')).toBeNull();
  });
});

test('parseCmdline splits NUL-separated argv', () => {
  expect(parseCmdline('/tmp/chromium\0--type=zygote\0')).toEqual(['/tmp/chromium', '--type=zygote']);
  expect(parseCmdline('')).toEqual([]);
});
