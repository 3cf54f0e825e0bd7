/**
 * Lua scripts of the Redis store. Redis has no SHA-256 in Lua, so appending is two
 * steps: `enqueue` takes seqs in server order (atomically with the agent state the
 * entries imply), and whoever holds the seal lock hashes pending entries in seq order
 * and commits them with `sealCommit`. Every script is safe to run twice: ioredis
 * re-sends a command that was in flight when a connection dropped.
 */

/** KEYS: counter, pending, batch, agents set. ARGV: agent key prefix, n, draft JSON x n, patches JSON. */
export const ENQUEUE = `
local done = redis.call('GET', KEYS[3])
if done then return tonumber(done) end
local n = tonumber(ARGV[2])
local last = redis.call('INCRBY', KEYS[1], n)
local first = last - n + 1
for i = 1, n do redis.call('HSET', KEYS[2], first + i - 1, ARGV[2 + i]) end
redis.call('SET', KEYS[3], first, 'EX', 86400)
local patches = cjson.decode(ARGV[n + 3])
for _, p in ipairs(patches) do
  local key = ARGV[1] .. p.agentId
  redis.call('SADD', KEYS[4], p.agentId)
  redis.call('HSETNX', key, 'agentId', p.agentId)
  redis.call('HSETNX', key, 'status', 'active')
  for k, v in pairs(p.set) do redis.call('HSET', key, k, v) end
  if p.setIfMissing then
    for k, v in pairs(p.setIfMissing) do redis.call('HSETNX', key, k, v) end
  end
end
return first
`;

/** KEYS: head, counter, pending. ARGV: max drafts, genesis hash. Returns { headSeq, headHash, headMac, draft... }. */
export const SEAL_READ = `
local head = redis.call('HMGET', KEYS[1], 'seq', 'hash', 'mac')
local seq = tonumber(head[1] or '0')
local hash = head[2] or ARGV[2]
local mac = head[3] or ''
local ctr = tonumber(redis.call('GET', KEYS[2]) or '0')
local upto = math.min(ctr, seq + tonumber(ARGV[1]))
local out = { tostring(seq), hash, mac }
for s = seq + 1, upto do
  local d = redis.call('HGET', KEYS[3], s)
  if not d then return redis.error_reply('pending entry ' .. s .. ' is missing') end
  out[#out + 1] = d
end
return out
`;

/**
 * KEYS: lock, head, pending, entries, checkpoints.
 * ARGV: token, expected head seq, new head seq, new head hash, checkpoint JSON, index prefix,
 *       new head mac, then per entry: seq, sealed JSON, executionId or '', agentId or ''.
 */
export const SEAL_COMMIT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'lost_lock' end
local seq = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
if seq ~= tonumber(ARGV[2]) then return 'stale' end
local i = 8
while i <= #ARGV do
  local s = ARGV[i]
  redis.call('HSET', KEYS[4], s, ARGV[i + 1])
  redis.call('HDEL', KEYS[3], s)
  if ARGV[i + 2] ~= '' then redis.call('RPUSH', ARGV[6] .. 'exec:' .. ARGV[i + 2], s) end
  if ARGV[i + 3] ~= '' then redis.call('RPUSH', ARGV[6] .. 'agentlog:' .. ARGV[i + 3], s) end
  i = i + 4
end
redis.call('HSET', KEYS[2], 'seq', ARGV[3], 'hash', ARGV[4], 'mac', ARGV[7])
redis.call('RPUSH', KEYS[5], ARGV[5])
redis.call('LTRIM', KEYS[5], -1000, -1)
return 'ok'
`;

/** KEYS: lock. ARGV: token. */
export const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
