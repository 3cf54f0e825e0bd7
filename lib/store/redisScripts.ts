/**
 * Lua scripts of the Redis store. Redis has no SHA-256 in Lua, so hashing happens in
 * Node. Two ways in:
 * - APPEND_DIRECT, when no one else is appending: the writer sealed the batch against
 *   the head it knows and the script commits it only if that is still the head, nothing
 *   is pending and no seal lock is held: one round trip.
 * - otherwise ENQUEUE takes seqs in server order (atomically with the agent state the
 *   entries imply), and whoever holds the seal lock hashes pending entries in seq order
 *   and commits them with SEAL_COMMIT.
 * Every script is safe to run twice: ioredis may re-send a command that was in flight
 * when a connection dropped.
 */

/** Applies agent patches (JSON array) given as `patchesJson`; agent keys are `agentPrefix .. id`. */
const APPLY_PATCHES = `
local function applyPatches(agentsSet, agentPrefix, patchesJson)
  for _, p in ipairs(cjson.decode(patchesJson)) do
    local key = agentPrefix .. p.agentId
    redis.call('SADD', agentsSet, p.agentId)
    redis.call('HSETNX', key, 'agentId', p.agentId)
    redis.call('HSETNX', key, 'status', 'active')
    for k, v in pairs(p.set) do redis.call('HSET', key, k, v) end
    if p.setIfMissing then
      for k, v in pairs(p.setIfMissing) do redis.call('HSETNX', key, k, v) end
    end
  end
end
`;

/**
 * Writes sealed entries from ARGV[from..] as triples (json, executionId or '', agentId or '')
 * for seqs first, first+1, ...: one HSET and one RPUSH per index key per chunk, not per entry.
 */
const WRITE_SEALED = `
local function pushAll(key, list)
  for i = 1, #list, 1000 do redis.call('RPUSH', key, unpack(list, i, math.min(i + 999, #list))) end
end
local function writeSealed(entriesKey, pendingKey, indexPrefix, first, from)
  local fields, nf, seqs = {}, 0, {}
  local byExec, byAgent = {}, {}
  local s = first
  for i = from, #ARGV, 3 do
    nf = nf + 2
    fields[nf - 1] = s
    fields[nf] = ARGV[i]
    seqs[s - first + 1] = s
    local e, a = ARGV[i + 1], ARGV[i + 2]
    if e ~= '' then local l = byExec[e]; if l then l[#l + 1] = s else byExec[e] = { s } end end
    if a ~= '' then local l = byAgent[a]; if l then l[#l + 1] = s else byAgent[a] = { s } end end
    if nf >= 1000 then redis.call('HSET', entriesKey, unpack(fields, 1, nf)); nf = 0 end
    s = s + 1
  end
  if nf > 0 then redis.call('HSET', entriesKey, unpack(fields, 1, nf)) end
  if pendingKey then
    for i = 1, #seqs, 1000 do redis.call('HDEL', pendingKey, unpack(seqs, i, math.min(i + 999, #seqs))) end
  end
  for e, list in pairs(byExec) do pushAll(indexPrefix .. 'exec:' .. e, list) end
  for a, list in pairs(byAgent) do pushAll(indexPrefix .. 'agentlog:' .. a, list) end
  return s - 1
end
local function setHead(headKey, checkpointsKey, seq, hash, mac, checkpoint)
  redis.call('HSET', headKey, 'seq', seq, 'hash', hash, 'mac', mac)
  redis.call('RPUSH', checkpointsKey, checkpoint)
  redis.call('LTRIM', checkpointsKey, -1000, -1)
end
`;

/**
 * KEYS: lock, head, counter, entries, checkpoints, batch, agents set.
 * ARGV: expected head seq, new head hash, new head mac, checkpoint JSON, index prefix,
 *       agent key prefix, patches JSON, then per entry: sealed JSON, executionId or '', agentId or ''.
 * Returns {'ok', firstSeq} | {'done', firstSeq} (a re-sent batch) | {'stale', seq, hash, mac} | {'busy'}.
 */
export const APPEND_DIRECT = `${APPLY_PATCHES}${WRITE_SEALED}
local done = redis.call('GET', KEYS[6])
if done then return { 'done', done } end
if redis.call('EXISTS', KEYS[1]) == 1 then return { 'busy' } end
local head = redis.call('HMGET', KEYS[2], 'seq', 'hash', 'mac')
local seq = tonumber(head[1] or '0')
if tonumber(redis.call('GET', KEYS[3]) or '0') ~= seq then return { 'busy' } end
if seq ~= tonumber(ARGV[1]) then return { 'stale', tostring(seq), head[2] or '', head[3] or '' } end
local last = writeSealed(KEYS[4], false, ARGV[5], seq + 1, 8)
redis.call('SET', KEYS[3], last)
setHead(KEYS[2], KEYS[5], last, ARGV[2], ARGV[3], ARGV[4])
applyPatches(KEYS[7], ARGV[6], ARGV[7])
redis.call('SET', KEYS[6], seq + 1, 'EX', 86400)
return { 'ok', tostring(seq + 1) }
`;

/** KEYS: counter, pending, batch, agents set. ARGV: agent key prefix, n, draft JSON x n, patches JSON. */
export const ENQUEUE = `${APPLY_PATCHES}
local done = redis.call('GET', KEYS[3])
if done then return tonumber(done) end
local n = tonumber(ARGV[2])
local last = redis.call('INCRBY', KEYS[1], n)
local first = last - n + 1
local fields = {}
for i = 1, n do
  fields[#fields + 1] = first + i - 1
  fields[#fields + 1] = ARGV[2 + i]
  if #fields >= 1000 then redis.call('HSET', KEYS[2], unpack(fields)); fields = {} end
end
if #fields > 0 then redis.call('HSET', KEYS[2], unpack(fields)) end
redis.call('SET', KEYS[3], first, 'EX', 86400)
applyPatches(KEYS[4], ARGV[1], ARGV[n + 3])
return first
`;

/** KEYS: head, counter, pending. ARGV: max drafts, genesis hash. Returns { headSeq, headHash, headMac, draft... }. */
export const SEAL_READ = `
local head = redis.call('HMGET', KEYS[1], 'seq', 'hash', 'mac')
local seq = tonumber(head[1] or '0')
local out = { tostring(seq), head[2] or ARGV[2], head[3] or '' }
local upto = math.min(tonumber(redis.call('GET', KEYS[2]) or '0'), seq + tonumber(ARGV[1]))
for s = seq + 1, upto do
  local d = redis.call('HGET', KEYS[3], s)
  if not d then return redis.error_reply('pending entry ' .. s .. ' is missing') end
  out[#out + 1] = d
end
return out
`;

/**
 * KEYS: lock, head, pending, entries, checkpoints.
 * ARGV: token, expected head seq, new head hash, new head mac, checkpoint JSON, index prefix,
 *       then per entry: sealed JSON, executionId or '', agentId or ''.
 */
export const SEAL_COMMIT = `${WRITE_SEALED}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'lost_lock' end
local seq = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
if seq ~= tonumber(ARGV[2]) then return 'stale' end
local last = writeSealed(KEYS[4], KEYS[3], ARGV[6], seq + 1, 7)
setHead(KEYS[2], KEYS[5], last, ARGV[3], ARGV[4], ARGV[5])
return 'ok'
`;

/** KEYS: lock. ARGV: token. */
export const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
