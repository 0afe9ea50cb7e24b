import {
  ChatMessage,
  IngestAnswer,
  LotPatchBody,
  MAX_AUTHOR_LENGTH,
  MAX_TEXT_LENGTH,
  MessagePage,
  parseIngestBody,
  parseMessage,
  parseWith,
  sanitizeText,
  type Lot,
} from './contract.ts';

const message = {
  id: 'm1',
  platform: 'whatnot',
  author: { name: 'amy' },
  text: 'sold B7',
  capturedAt: '2026-01-01T00:00:00.000Z',
};

const lot: Lot = {
  code: 'B7',
  baseCode: 'B7',
  title: 'Blue jacket',
  priceCents: 2000,
  price: 20,
  status: 'sold',
  winner: { username: 'amy', messageId: 'm1', at: '2026-01-01T00:00:00.000Z' },
  waitlist: [],
  assignment: null,
  assignments: [],
  paid: false,
  packed: false,
  shipped: false,
  version: 1,
  announcedBy: 'host',
  announcedAt: '2026-01-01T00:00:00.000Z',
  ord: 1,
};

describe('sanitizeText', () => {
  test('drops control characters, collapses whitespace, trims and caps', () => {
    expect(sanitizeText('  a\u0000b\u0007\n\t c  ')).toBe('ab c');
    expect(sanitizeText('x'.repeat(MAX_TEXT_LENGTH + 5))).toHaveLength(MAX_TEXT_LENGTH);
    expect(sanitizeText('abcdef', 3)).toBe('abc');
  });

  test('turns anything but a string into an empty string', () => {
    expect(sanitizeText(undefined)).toBe('');
    expect(sanitizeText(42)).toBe('');
  });
});

describe('chat message', () => {
  test('fills badges and backfill, and cleans text and author name', () => {
    const result = parseMessage({ ...message, author: { name: ` ${'n'.repeat(MAX_AUTHOR_LENGTH + 1)}` }, text: 'hi\u0000 \n there' });
    expect(result).toEqual({
      ok: true,
      message: expect.objectContaining({ text: 'hi there', backfill: false, author: { name: 'n'.repeat(MAX_AUTHOR_LENGTH), badges: [] } }),
    });
  });

  test('refuses a bad item with its id and the field that is wrong', () => {
    expect(parseMessage({ ...message, capturedAt: 'yesterday' })).toEqual({ ok: false, id: 'm1', reason: expect.stringMatching(/^capturedAt: /) });
    expect(parseMessage({ ...message, id: '' })).toMatchObject({ ok: false, id: '' });
    expect(parseMessage(null)).toMatchObject({ ok: false, id: '' });
  });

  test('refuses text far over the cap instead of cutting megabytes', () => {
    expect(ChatMessage.safeParse({ ...message, text: 'x'.repeat(20 * MAX_TEXT_LENGTH + 1) }).success).toBe(false);
    expect(ChatMessage.parse({ ...message, text: 'x'.repeat(20 * MAX_TEXT_LENGTH) }).text).toHaveLength(MAX_TEXT_LENGTH);
  });
});

describe('request bodies', () => {
  test("turns the seed's single message into a one-message batch with a minted id", () => {
    const parsed = parseIngestBody({ message: 'mine #AA10', username: 'dee', streamSessionId: 's1' }, () => 'minted');
    expect(parsed).toEqual({
      kind: 'messages',
      sessionId: 's1',
      single: true,
      messages: [expect.objectContaining({ id: 'minted', platform: 'generic', text: 'mine #AA10', author: { name: 'dee', badges: [] } })],
    });
  });

  test('tells the actions apart and validates each envelope', () => {
    expect(parseIngestBody({ action: 'mark_deleted', streamSessionId: 's1', messageIds: ['a'] }, () => 'x')).toEqual({
      kind: 'deleted',
      sessionId: 's1',
      messageIds: ['a'],
    });
    expect(parseIngestBody({ action: 'upsert_session', session: { sessionId: 's1', platform: 'kick', status: 'live' } }, () => 'x')).toEqual({
      kind: 'session',
      session: { sessionId: 's1', platform: 'kick', status: 'live' },
    });
    expect(() => parseIngestBody({ action: 'upsert_session', session: { sessionId: 's1', platform: 'kick', status: 'live', ownerId: 'me' } }, () => 'x')).toThrow(
      expect.objectContaining({ code: 'invalid_body', message: expect.stringContaining('session.ownerId') }),
    );
    expect(() => parseIngestBody({ action: 'drop_tables' }, () => 'x')).toThrow(expect.objectContaining({ code: 'invalid_body', message: 'Unknown action "drop_tables"' }));
    expect(() => parseIngestBody([], () => 'x')).toThrow(expect.objectContaining({ code: 'invalid_body' }));
    expect(() => parseIngestBody({ streamSessionId: 's1', messages: [] }, () => 'x')).toThrow(expect.objectContaining({ code: 'invalid_body' }));
  });

  test('a lot correction names at least one known field and strips the @ of usernames', () => {
    expect(parseWith(LotPatchBody, { winner: '@amy', waitlist: ['@@bob'], title: '  ' })).toEqual({ winner: 'amy', waitlist: ['bob'], title: null });
    expect(() => parseWith(LotPatchBody, {})).toThrow(expect.objectContaining({ code: 'invalid_body', message: expect.stringContaining('at least one field') }));
    expect(() => parseWith(LotPatchBody, { colour: 'red' })).toThrow(expect.objectContaining({ code: 'invalid_body' }));
    expect(() => parseWith(LotPatchBody, { winner: '@' })).toThrow(expect.objectContaining({ code: 'invalid_body' }));
  });
});

describe('answers', () => {
  test('an ingest answer carries buyers, answers, lots and per-message errors', () => {
    const body = {
      results: [
        { messageId: 'm1', stored: true, intent: 'purchase', confidence: 0.9, buyer: { username: 'amy', message: 'sold B7', confidence: 0.9, lot: 'B7' }, lots: [lot] },
        { messageId: 'm2', stored: true, intent: 'question', confidence: 0.8, answer: { question: 'ship?', answer: 'Yes', status: 'suggested', sources: [] } },
        { messageId: 'm3', stored: false, intent: 'other', confidence: 0, error: { code: 'invalid_message', message: 'text: required' } },
      ],
    };
    expect(IngestAnswer.parse(body)).toEqual(body);
  });

  test('refuses what the service could not use: an unknown intent, a lot without its status', () => {
    expect(IngestAnswer.safeParse({ results: [{ messageId: 'm1', stored: true, intent: 'spam', confidence: 1 }] }).success).toBe(false);
    const { status: _status, ...statusless } = lot;
    expect(IngestAnswer.safeParse({ results: [{ messageId: 'm1', stored: true, intent: 'other', confidence: 1, lots: [statusless] }] }).success).toBe(false);
  });

  test('a history page is checked as answered, without cleaning stored text again', () => {
    const page = {
      messages: [{ id: 'm1', sessionId: 's1', platform: 'youtube', author: { name: 'amy', badges: ['member'] }, text: 'a  b', capturedAt: '2026-01-01T00:00:00Z', backfill: false, deleted: false }],
      nextCursor: null,
    };
    expect(MessagePage.parse(page)).toEqual(page);
    expect(MessagePage.safeParse({ messages: [] }).success).toBe(false);
  });
});
