/**
 * The cluster's two atomic writes, as Redis scripts (each runs alone on the server, so nothing interleaves).
 *
 * Fencing: the owner of a show passes the token of its BullMQ job, and each script first checks that the
 * job's lock (`<queue key>:<jobId>:lock`, which BullMQ renews while the page runs) still holds that token.
 * An instance that was paused past its lock, or cut off from Redis while another took the show over,
 * finds another token (or none) there: the script refuses and writes nothing, so a show's stream, seq and
 * resume state only ever move forward under its current owner. Events that do not come from capture
 * (buyers, answers, lot changes decided by the store) pass an empty token: any instance may add them.
 */

/**
 * APPEND_EVENTS: the stream positions a batch handed out (the resume journal) and the batch's events, in one step.
 * KEYS: lock, seq, events stream, journal list, buyers set.
 * ARGV: token ('' = no fencing), stream max length, n journal entries, the n entries, then per event
 * `dedupMember` ('' = none; a buyer's message id, so a verdict repeated by a retried batch is one buyer)
 * and the event body JSON. Each event gets the show's next seq as its stream id (`<seq>-0`), so the
 * stream's order is the seq order and a seq is never issued twice, whoever the owner is.
 * Returns the seq of each event, 0 for one dropped as a repeat.
 */
export const APPEND_EVENTS = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED the show is owned by another instance now')
end
local n = tonumber(ARGV[3])
for i = 1, n do redis.call('RPUSH', KEYS[4], ARGV[3 + i]) end
local out = {}
local i = 4 + n
while i < #ARGV do
  local fresh = 1
  if ARGV[i] ~= '' then fresh = redis.call('SADD', KEYS[5], ARGV[i]) end
  if fresh == 1 then
    local seq = redis.call('INCR', KEYS[2])
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], seq .. '-0', 'b', ARGV[i + 1])
    out[#out + 1] = seq
  else
    out[#out + 1] = 0
  end
  i = i + 2
end
return out
`;

/**
 * SAVE_SHOW: the show's record (what lists show) and, when given, its source's resume state; the journal is
 * emptied in the same step, since the state covers every position it held (the owner computes the state
 * after those positions and sends this after the batches that carried them, on one connection, in order).
 * KEYS: lock, shows hash, state hash, journal list. ARGV: token ('' = no fencing), session id, record JSON,
 * state JSON ('' = keep the state as it is).
 */
export const SAVE_SHOW = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED the show is owned by another instance now')
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
  redis.call('DEL', KEYS[4])
end
return 1
`;

/** Whether an error from a script is the fencing refusal (as opposed to a lost connection). */
export function isFenced(error: unknown): boolean {
  return error instanceof Error && error.message.includes('FENCED');
}
