"""The Lua scripts that make a shared state's lock, commits and resynchronisation atomic in Redis.

Every script takes the same nine keys of one shared state (see :func:`keys_of`):

``lease``    the holder of the cross-kernel lock: ``"<token>|<fence>|<run>"``, with an expiry
             (PX); ``<run>`` names the kernel and task that holds it
``fence``    the fencing counter: incremented at every acquisition, never decreased
``vars``     hash: var name -> pickled value
``vers``     hash: var name -> the state version that last wrote it
``version``  the state's version: the number of commits so far
``last``     ``"<commit id>|<version>"`` of the last commit, to confirm a commit whose reply
             was lost; ``"seed|<version>"`` while the values are ones a kernel wrote back
             (nobody has committed on top of them yet)
``seeding``  present for one lease period after the state was written back into an empty
             Redis (a restarted server): kernels with newer values may still overwrite it, and
             nobody takes the lock meanwhile
``queue``    sorted set: the tokens waiting for the lock, by arrival time, so the lock goes to
             kernels in the order they asked for it
``seen``     sorted set: when each waiting token last asked; a waiter silent for a second (its
             kernel died) leaves the queue
``waits``    one hash for all shared states (``nbstate:~waits``): which state's lock each
             waiting run (kernel and task) waits for, and since when, so that a wait that
             closes a cycle across kernels is refused instead of lasting forever

A commit is accepted only while its holder's lease is in place and its fencing number is the
current one, and only on top of the version the holder read when it took the lock; the check
and the writes run in one script, so no other client's command comes between them.
"""

from __future__ import annotations

KEY_NAMES = ("lease", "fence", "vars", "vers", "version", "last", "seeding", "queue", "seen")
WAITS = "nbstate:~waits"
STRIDE = len(KEY_NAMES) + 1


def keys_of(prefix: str) -> list[str]:
    """The keys of the shared state whose key prefix is ``prefix``, in the scripts' order."""
    return [*(f"{prefix}:{name}" for name in KEY_NAMES), WAITS]


# ARGV: token, lease ms, run. Returns {1, fence, version} when the lock is taken (or was
# already this token's: a retried call); {0, ms to wait before trying again}; or {-1, the
# prefixes of the states in the cycle...} when the holder's run waits, directly or through
# other runs, for a lock this run holds. The lock goes to the longest-waiting token that
# still asks.
ACQUIRE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for _, w in ipairs(redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', t - 1000)) do
  redis.call('ZREM', KEYS[8], w)
  redis.call('ZREM', KEYS[9], w)
end
local function field(v, n)
  local i = 1
  for part in string.gmatch(v, '[^|]+') do
    if i == n then return part end
    i = i + 1
  end
  return nil
end
local wait = nil
local cur = redis.call('GET', KEYS[1])
if cur then
  if field(cur, 1) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, tonumber(field(cur, 2)), tonumber(redis.call('GET', KEYS[5]) or '0')}
  end
  wait = redis.call('PTTL', KEYS[1])
elseif redis.call('EXISTS', KEYS[7]) == 1 then
  wait = redis.call('PTTL', KEYS[7])
else
  local head = redis.call('ZRANGE', KEYS[8], 0, 0)
  if head[1] and head[1] ~= ARGV[1] then wait = 50 end
end
local me = string.sub(KEYS[1], 1, -7)
if wait then
  local chain = {me}
  local lease = cur
  while lease and #chain < 100 do
    local run = field(lease, 3)
    if run == ARGV[3] then return {-1, unpack(chain)} end
    local w = redis.call('HGET', KEYS[10], run)
    if not w then break end
    local prefix = field(w, 1)
    if tonumber(field(w, 2)) < t - 1000 then break end
    table.insert(chain, prefix)
    lease = redis.call('GET', prefix .. ':lease')
  end
  redis.call('HSET', KEYS[10], ARGV[3], me .. '|' .. t)
  redis.call('ZADD', KEYS[8], 'NX', t, ARGV[1])
  redis.call('ZADD', KEYS[9], t, ARGV[1])
  return {0, wait}
end
redis.call('HDEL', KEYS[10], ARGV[3])
redis.call('ZREM', KEYS[8], ARGV[1])
redis.call('ZREM', KEYS[9], ARGV[1])
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. fence .. '|' .. ARGV[3], 'PX', ARGV[2])
return {1, fence, tonumber(redis.call('GET', KEYS[5]) or '0')}
"""

# ARGV: the lease's value, lease ms. 1 while the lease is still this holder's, else 0.
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

# ARGV: token, channel, run. Frees the lock if this token still holds it (whatever its fence:
# a holder cancelled while acquiring does not know it) and tells the kernels waiting for it (a
# kernel's own waiters are woken there).
RELEASE = """
redis.call('HDEL', KEYS[10], ARGV[3])
redis.call('ZREM', KEYS[8], ARGV[1])
redis.call('ZREM', KEYS[9], ARGV[1])
local cur = redis.call('GET', KEYS[1])
if cur and string.sub(cur, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '|' then
  redis.call('DEL', KEYS[1])
  if redis.call('ZCARD', KEYS[8]) > 0 then
    redis.call('PUBLISH', ARGV[2], 'free')
  end
  return 1
end
return 0
"""

# KEYS: the keys of each state in the commit (STRIDE each), state after state.
# ARGV: commit id, then per state: the lease's value, fence, base version, channel, message,
# "1" to free the lock once written (the block ends with its commit) or "0", number of vars n,
# then n pairs of var name and pickled value.
# Returns {code, index of the state}: code -1 (the lease is not this holder's), -2 (a newer
# fencing number was issued), -3 (the state moved past the version read at the lock);
# or {1, new version of each state...} when everything was written and published.
COMMIT = """
local states = {}
local i = 2
local k = 0
while i <= #ARGV do
  local n = tonumber(ARGV[i + 6])
  local s = {base = k, lease = ARGV[i], fence = ARGV[i + 1], from = ARGV[i + 2],
             channel = ARGV[i + 3], msg = ARGV[i + 4], free = ARGV[i + 5], n = n, at = i + 7}
  table.insert(states, s)
  i = i + 7 + 2 * n
  k = k + 10
end
for j, s in ipairs(states) do
  if redis.call('GET', KEYS[s.base + 1]) ~= s.lease then return {-1, j} end
  if redis.call('GET', KEYS[s.base + 2]) ~= s.fence then return {-2, j} end
  if (redis.call('GET', KEYS[s.base + 5]) or '0') ~= s.from then return {-3, j} end
end
local out = {1}
for j, s in ipairs(states) do
  local v = redis.call('INCR', KEYS[s.base + 5])
  for m = 0, s.n - 1 do
    local name = ARGV[s.at + 2 * m]
    redis.call('HSET', KEYS[s.base + 3], name, ARGV[s.at + 2 * m + 1])
    redis.call('HSET', KEYS[s.base + 4], name, v)
  end
  redis.call('SET', KEYS[s.base + 6], ARGV[1] .. '|' .. v)
  redis.call('PUBLISH', s.channel, v .. '\\n' .. s.msg)
  if s.free == '1' then
    redis.call('DEL', KEYS[s.base + 1])
    redis.call('HDEL', KEYS[s.base + 10], string.match(s.lease, '^[^|]*|[^|]*|(.*)$'))
    if redis.call('ZCARD', KEYS[s.base + 8]) > 0 then
      redis.call('PUBLISH', s.channel, 'free')
    end
  end
  table.insert(out, v)
end
return out
"""

# ARGV: the version this kernel has. Returns {version, name, pickled value, ...} with every var
# written after that version (all of them when the caller has 0 and the state exists), or
# {-1} when the state is not in Redis at all.
FETCH = """
if redis.call('EXISTS', KEYS[5]) == 0 then return {-1} end
local v = tonumber(redis.call('GET', KEYS[5]))
local out = {v}
if v <= tonumber(ARGV[1]) then return out end
local vers = redis.call('HGETALL', KEYS[4])
for j = 1, #vers, 2 do
  if tonumber(vers[j + 1]) > tonumber(ARGV[1]) then
    table.insert(out, vers[j])
    table.insert(out, redis.call('HGET', KEYS[3], vers[j]))
  end
end
return out
"""

# ARGV: this kernel's version, the fence it last saw, lease ms, channel, then pairs of var name
# and pickled value (every var). Writes them when the state is absent (first use, or a
# restarted Redis), or when what Redis holds is older and was itself written back by a kernel
# (``last`` is "seed|<version>": nobody has committed on top of it, so nothing is lost by
# replacing it) or is still in its first lease after a restart. Tells the other kernels to
# catch up. Returns 1 when written; 0 when Redis holds this version or a newer one (the caller
# fetches); -1 when Redis holds an older version that kernels have committed on since it was
# written back (this kernel's newer commits are lost).
SEED = """
local exists = redis.call('EXISTS', KEYS[5]) == 1
if exists then
  if tonumber(redis.call('GET', KEYS[5])) >= tonumber(ARGV[1]) then return 0 end
  local last = redis.call('GET', KEYS[6]) or ''
  if string.sub(last, 1, 5) ~= 'seed|' and redis.call('EXISTS', KEYS[7]) == 0 then
    return -1
  end
end
redis.call('DEL', KEYS[3], KEYS[4])
for j = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[3], ARGV[j], ARGV[j + 1])
  redis.call('HSET', KEYS[4], ARGV[j], ARGV[1])
end
redis.call('SET', KEYS[5], ARGV[1])
redis.call('SET', KEYS[6], 'seed|' .. ARGV[1])
local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
if fence < tonumber(ARGV[2]) then redis.call('SET', KEYS[2], ARGV[2]) end
if tonumber(ARGV[1]) > 0 then
  redis.call('SET', KEYS[7], '1', 'PX', ARGV[3])
end
redis.call('PUBLISH', ARGV[4], 'seeded')
return 1
"""

assert f"k = k + {STRIDE}" in COMMIT  # the commit script walks the keys STRIDE at a time
