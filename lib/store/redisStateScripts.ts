/**
 * Lua scripts for spend ledgers and versioned documents: the same semantics as
 * ledgers.ts (which EmbeddedStore runs), inside Redis so that every check-and-change
 * is one atomic step across n8n workers. Amounts are integer micro-units, kept as
 * decimal strings on their way to HINCRBY (Lua prints big numbers as 1e+15).
 *
 * Five keys per ledger: totals (hash spent/reserved), holds (hash id → amount|until),
 * hold expiries (zset), settled ids (zset by time) and, for rolling ledgers, charges
 * (zset of id|amount by time). Every script is safe to run twice with the same
 * reservation id: ioredis re-sends a command that was in flight when a connection dropped.
 */

const LEDGER_FUNCTIONS = `
local function expire(k, now, window, memory)
  local due = redis.call('ZRANGEBYSCORE', k[3], '-inf', now)
  for _, id in ipairs(due) do
    local hold = redis.call('HGET', k[2], id)
    if hold then
      redis.call('HINCRBY', k[1], 'reserved', '-' .. string.match(hold, '^(%d+)'))
      redis.call('HDEL', k[2], id)
    end
  end
  if #due > 0 then redis.call('ZREMRANGEBYSCORE', k[3], '-inf', now) end
  if window > 0 then
    local old = redis.call('ZRANGEBYSCORE', k[5], '-inf', now - window)
    for _, m in ipairs(old) do redis.call('HINCRBY', k[1], 'spent', '-' .. string.match(m, '|(%d+)$')) end
    if #old > 0 then redis.call('ZREMRANGEBYSCORE', k[5], '-inf', now - window) end
  end
  redis.call('ZREMRANGEBYSCORE', k[4], '-inf', now - memory)
end
local function state(k)
  local t = redis.call('HMGET', k[1], 'spent', 'reserved')
  return { t[1] or '0', t[2] or '0' }
end
local function ledgerKeys(i)
  local b = (i - 1) * 5
  return { KEYS[b + 1], KEYS[b + 2], KEYS[b + 3], KEYS[b + 4], KEYS[b + 5] }
end
-- PTTL rather than PEXPIRETIME or PEXPIREAT GT: those need Redis 7.
local function keep(k, now, untilMs)
  for j = 1, 5 do
    local ttl = redis.call('PTTL', k[j])
    if ttl == -1 or (ttl >= 0 and now + ttl < untilMs) then redis.call('PEXPIREAT', k[j], untilMs) end
  end
end
`;

/**
 * ARGV: id, now, holdUntil, n, settledMemoryMs, then per ledger: limit, amount, windowMs, retainUntil.
 * Reply: { granted 0|1, replayed 0|1, blocked index or 0, spent1, reserved1, spent2, ... }
 */
export const SPEND_RESERVE = `${LEDGER_FUNCTIONS}
local id, now, holdUntil, n, memory = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local ks, replayed = {}, false
for i = 1, n do
  ks[i] = ledgerKeys(i)
  expire(ks[i], now, tonumber(ARGV[5 + (i - 1) * 4 + 3]), memory)
  if redis.call('HEXISTS', ks[i][2], id) == 1 or redis.call('ZSCORE', ks[i][4], id) then replayed = true end
end
local function reply(granted, rep, blocked)
  local out = { granted, rep, blocked }
  for i = 1, n do local s = state(ks[i]); out[#out + 1] = s[1]; out[#out + 1] = s[2] end
  return out
end
if replayed then return reply(1, 1, 0) end
for i = 1, n do
  local a = 5 + (i - 1) * 4
  local s = state(ks[i])
  if tonumber(s[1]) + tonumber(s[2]) + tonumber(ARGV[a + 2]) > tonumber(ARGV[a + 1]) then return reply(0, 0, i) end
end
for i = 1, n do
  local a = 5 + (i - 1) * 4
  redis.call('HINCRBY', ks[i][1], 'reserved', ARGV[a + 2])
  redis.call('HINCRBY', ks[i][1], 'spent', 0)
  redis.call('HSET', ks[i][2], id, ARGV[a + 2] .. '|' .. ARGV[3])
  redis.call('ZADD', ks[i][3], holdUntil, id)
  keep(ks[i], now, math.max(tonumber(ARGV[a + 4]), holdUntil))
end
return reply(1, 0, 0)
`;

/**
 * ARGV: id, now, n, settledMemoryMs, then per ledger: actual ('' = as held), windowMs, retainUntil.
 * Reply: { replayed 0|1, late 0|1, spent1, reserved1, ... }
 */
export const SPEND_SETTLE = `${LEDGER_FUNCTIONS}
local id, now, n, memory = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ks, replayed, late = {}, false, 0
for i = 1, n do
  ks[i] = ledgerKeys(i)
  expire(ks[i], now, tonumber(ARGV[4 + (i - 1) * 3 + 2]), memory)
  if redis.call('ZSCORE', ks[i][4], id) then replayed = true end
end
local function reply(rep)
  local out = { rep, late }
  for i = 1, n do local s = state(ks[i]); out[#out + 1] = s[1]; out[#out + 1] = s[2] end
  return out
end
if replayed then return reply(1) end
for i = 1, n do
  local a = 4 + (i - 1) * 3
  local hold = redis.call('HGET', ks[i][2], id)
  local held = '0'
  if hold then
    held = string.match(hold, '^(%d+)')
    redis.call('HINCRBY', ks[i][1], 'reserved', '-' .. held)
    redis.call('HDEL', ks[i][2], id)
    redis.call('ZREM', ks[i][3], id)
  else
    late = 1
  end
  local amount = ARGV[a + 1]
  if amount == '' then amount = held end
  redis.call('HINCRBY', ks[i][1], 'spent', amount)
  redis.call('HINCRBY', ks[i][1], 'reserved', 0)
  if tonumber(ARGV[a + 2]) > 0 and tonumber(amount) > 0 then redis.call('ZADD', ks[i][5], now, id .. '|' .. amount) end
  redis.call('ZADD', ks[i][4], now, id)
  keep(ks[i], now, tonumber(ARGV[a + 3]))
end
return reply(0)
`;

/** ARGV: now, n, settledMemoryMs, then per ledger: windowMs. Reply: { spent1, reserved1, ... } */
export const SPEND_STATUS = `${LEDGER_FUNCTIONS}
local now, n, memory = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for i = 1, n do
  local k = ledgerKeys(i)
  expire(k, now, tonumber(ARGV[3 + i]), memory)
  local s = state(k)
  out[#out + 1] = s[1]; out[#out + 1] = s[2]
end
return out
`;

/** ARGV: now, windowMs, retainUntil, settledMemoryMs. Reply: { spent, reserved } before the reset. */
export const SPEND_RESET = `${LEDGER_FUNCTIONS}
local now = tonumber(ARGV[1])
local k = ledgerKeys(1)
expire(k, now, tonumber(ARGV[2]), tonumber(ARGV[4]))
local before = state(k)
redis.call('HSET', k[1], 'spent', 0)
redis.call('HINCRBY', k[1], 'reserved', 0)
redis.call('DEL', k[5])
keep(k, now, tonumber(ARGV[3]))
return before
`;

/**
 * KEYS: document hash, due zset. ARGV: id, expectedVersion, body, retainUntil, dueAt ('' = not due).
 * Reply: 1 written, 0 version mismatch.
 */
export const DOC_PUT = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'version', current + 1, 'body', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1
`;
