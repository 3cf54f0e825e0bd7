/**
 * Lua scripts for spend ledgers and versioned documents: the same semantics as
 * ledgers.ts (which EmbeddedStore runs), inside Redis so that every check-and-change
 * is one atomic step across n8n workers. Amounts are integer micro-units, kept as
 * decimal strings on their way to HINCRBY (Lua prints big numbers as 1e+15).
 *
 * Three keys per ledger, so that a reservation costs a handful of commands:
 * - a hash: `spent`, `reserved`, `keep` (when the keys expire), `h:<id>` = amount held,
 *   `s:<id>` = settled (remembered so a re-sent command is recognised);
 * - a zset of what falls due, by time: `h:<id>` at the hold's end, `s:<id>` when it may be forgotten;
 * - for rolling ledgers, a zset of charges (`<id>|<amount>` by time).
 * Every script is safe to run twice with the same reservation id: ioredis re-sends a
 * command that was in flight when a connection dropped.
 */

const LEDGER_FUNCTIONS = `
local function ledgerKeys(i)
  local b = (i - 1) * 3
  return { KEYS[b + 1], KEYS[b + 2], KEYS[b + 3] }
end
-- Releases holds whose time is up, forgets old settled ids and charges outside the window.
local function expire(k, now, window)
  local due = redis.call('ZRANGEBYSCORE', k[2], '-inf', now)
  if #due > 0 then
    for _, member in ipairs(due) do
      if string.sub(member, 1, 2) == 'h:' then
        local held = redis.call('HGET', k[1], member)
        if held then redis.call('HINCRBY', k[1], 'reserved', '-' .. held) end
      end
      redis.call('HDEL', k[1], member)
    end
    redis.call('ZREMRANGEBYSCORE', k[2], '-inf', now)
  end
  if window > 0 then
    local old = redis.call('ZRANGEBYSCORE', k[3], '-inf', now - window)
    if #old > 0 then
      for _, m in ipairs(old) do redis.call('HINCRBY', k[1], 'spent', '-' .. string.match(m, '|(%d+)$')) end
      redis.call('ZREMRANGEBYSCORE', k[3], '-inf', now - window)
    end
  end
end
-- spent, reserved, keep, hold of id, settled mark of id
local function look(k, id)
  local t = redis.call('HMGET', k[1], 'spent', 'reserved', 'keep', 'h:' .. id, 's:' .. id)
  return { spent = t[1] or '0', reserved = t[2] or '0', keep = tonumber(t[3] or '0'), held = t[4], settled = t[5] }
end
-- Keys live until untilMs at least. The hash keeps its expiry; the zsets vanish when empty
-- and come back without one, so whichever was written gets it again.
local function keep(k, current, untilMs, wrote2, wrote3)
  local target = current
  if untilMs > current then
    target = untilMs
    redis.call('HSET', k[1], 'keep', string.format('%d', target))
    redis.call('PEXPIREAT', k[1], target)
  end
  if wrote2 then redis.call('PEXPIREAT', k[2], target) end
  if wrote3 then redis.call('PEXPIREAT', k[3], target) end
end
`;

/**
 * KEYS: 3 per ledger. ARGV: id, now, holdUntil, n, settledMemoryMs, then per ledger: limit, amount, windowMs, retainUntil.
 * Reply: { granted 0|1, replayed 0|1, blocked index or 0, spent1, reserved1, spent2, ... }
 */
export const SPEND_RESERVE = `${LEDGER_FUNCTIONS}
local id, now, holdUntil, n = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ks, seen, replayed = {}, {}, false
for i = 1, n do
  ks[i] = ledgerKeys(i)
  expire(ks[i], now, tonumber(ARGV[5 + (i - 1) * 4 + 3]))
  seen[i] = look(ks[i], id)
  if seen[i].held or seen[i].settled then replayed = true end
end
local function reply(granted, rep, blocked, after)
  local out = { granted, rep, blocked }
  for i = 1, n do
    out[#out + 1] = seen[i].spent
    out[#out + 1] = after and after[i] or seen[i].reserved
  end
  return out
end
if replayed then return reply(1, 1, 0) end
for i = 1, n do
  local a = 5 + (i - 1) * 4
  if tonumber(seen[i].spent) + tonumber(seen[i].reserved) + tonumber(ARGV[a + 2]) > tonumber(ARGV[a + 1]) then return reply(0, 0, i) end
end
local after = {}
for i = 1, n do
  local a = 5 + (i - 1) * 4
  after[i] = redis.call('HINCRBY', ks[i][1], 'reserved', ARGV[a + 2])
  redis.call('HSET', ks[i][1], 'h:' .. id, ARGV[a + 2])
  redis.call('ZADD', ks[i][2], holdUntil, 'h:' .. id)
  keep(ks[i], seen[i].keep, math.max(tonumber(ARGV[a + 4]), holdUntil), true, false)
end
return reply(1, 0, 0, after)
`;

/**
 * KEYS: 3 per ledger. ARGV: id, now, n, settledMemoryMs, then per ledger: actual ('' = as held), windowMs, retainUntil.
 * Reply: { replayed 0|1, late 0|1, spent1, reserved1, ... }
 */
export const SPEND_SETTLE = `${LEDGER_FUNCTIONS}
local id, now, n, memory = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ks, seen, replayed, late = {}, {}, false, 0
for i = 1, n do
  ks[i] = ledgerKeys(i)
  expire(ks[i], now, tonumber(ARGV[4 + (i - 1) * 3 + 2]))
  seen[i] = look(ks[i], id)
  if seen[i].settled then replayed = true end
end
if replayed then
  local out = { 1, 0 }
  for i = 1, n do out[#out + 1] = seen[i].spent; out[#out + 1] = seen[i].reserved end
  return out
end
local out = { 0, 0 }
for i = 1, n do
  local a = 4 + (i - 1) * 3
  local held = seen[i].held
  local reserved = seen[i].reserved
  if held then
    reserved = redis.call('HINCRBY', ks[i][1], 'reserved', '-' .. held)
    redis.call('HDEL', ks[i][1], 'h:' .. id)
  else
    late = 1
  end
  local amount = ARGV[a + 1]
  if amount == '' then amount = held or '0' end
  local spent = redis.call('HINCRBY', ks[i][1], 'spent', amount)
  redis.call('HSET', ks[i][1], 's:' .. id, '1')
  -- One zset entry per id: the settled mark replaces the hold's expiry.
  redis.call('ZADD', ks[i][2], now + memory, 's:' .. id)
  if held then redis.call('ZREM', ks[i][2], 'h:' .. id) end
  local charged = tonumber(ARGV[a + 2]) > 0 and tonumber(amount) > 0
  if charged then redis.call('ZADD', ks[i][3], now, id .. '|' .. amount) end
  keep(ks[i], seen[i].keep, tonumber(ARGV[a + 3]), true, charged)
  out[#out + 1] = spent
  out[#out + 1] = reserved
end
out[2] = late
return out
`;

/** KEYS: 3 per ledger. ARGV: now, n, settledMemoryMs, then per ledger: windowMs. Reply: { spent1, reserved1, ... } */
export const SPEND_STATUS = `${LEDGER_FUNCTIONS}
local now, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
for i = 1, n do
  local k = ledgerKeys(i)
  expire(k, now, tonumber(ARGV[3 + i]))
  local t = redis.call('HMGET', k[1], 'spent', 'reserved')
  out[#out + 1] = t[1] or '0'; out[#out + 1] = t[2] or '0'
end
return out
`;

/** KEYS: 3. ARGV: now, windowMs, retainUntil, settledMemoryMs. Reply: { spent, reserved } before the reset. */
export const SPEND_RESET = `${LEDGER_FUNCTIONS}
local now = tonumber(ARGV[1])
local k = ledgerKeys(1)
expire(k, now, tonumber(ARGV[2]))
local before = look(k, '')
redis.call('HSET', k[1], 'spent', 0)
redis.call('HINCRBY', k[1], 'reserved', 0)
redis.call('DEL', k[3])
keep(k, before.keep, tonumber(ARGV[3]), false, false)
return { before.spent, before.reserved }
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
