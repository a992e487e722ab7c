// redis_scripts.cpp — the Lua source of RedisStore's scripts (redis_scripts.hpp has the contract).
#include "storage/redis_scripts.hpp"

#include <string>

namespace weft::storage::redis_script {

namespace {

// Shared by the writes: refuse(code, message) and the fence check. writable() returns the
// document's fence, or an error reply to return as is.
constexpr std::string_view prelude = R"lua(
local function n(x) return string.format('%d', x) end
local function refuse(code, message) return redis.error_reply('WEFT ' .. code .. ' ' .. message) end
local function writable(head, token)
  if redis.call('EXISTS', head) == 0 then return nil, refuse('not_found', 'no such document') end
  local fence = tonumber(redis.call('HGET', head, 'fence') or '0')
  if token < fence then
    return nil, refuse('fenced', 'write with fencing token ' .. n(token) ..
                       ' refused: the document is fenced at ' .. n(fence))
  end
  return fence, nil
end
local function raise(head, token, fence)
  if token > fence then redis.call('HSET', head, 'fence', n(token)) end
end
)lua";

constexpr std::string_view create = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return refuse('already_exists', 'already exists') end
redis.call('HSET', KEYS[1], 'meta', ARGV[2], 'next', '0', 'chunk_end', '0', 'fence', ARGV[1],
           'gen', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
return 'OK'
)lua";

constexpr std::string_view update_meta = R"lua(
local token = tonumber(ARGV[1])
local fence, err = writable(KEYS[1], token)
if err then return err end
redis.call('HSET', KEYS[1], 'meta', ARGV[2])
raise(KEYS[1], token, fence)
return 'OK'
)lua";

constexpr std::string_view append = R"lua(
local token = tonumber(ARGV[1])
local fence, err = writable(KEYS[1], token)
if err then return err end
local h = redis.call('HMGET', KEYS[1], 'next', 'chunk_end')
local nxt, first = tonumber(h[1]), tonumber(ARGV[2])
if first ~= nxt then
  return refuse('index_gap', 'append at index ' .. n(first) .. ', next index is ' .. n(nxt))
end
local count = #ARGV - 2
local i = 3
while i <= #ARGV do
  local last = math.min(i + 999, #ARGV)
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, last))
  i = last + 1
end
redis.call('HSET', KEYS[1], 'next', n(nxt + count))
raise(KEYS[1], token, fence)
return {nxt + count, tonumber(h[2])}
)lua";

constexpr std::string_view snapshot = R"lua(
local token = tonumber(ARGV[1])
local fence, err = writable(KEYS[1], token)
if err then return err end
local index, nxt = tonumber(ARGV[2]), tonumber(redis.call('HGET', KEYS[1], 'next'))
if index > nxt then
  return refuse('index_gap', 'snapshot at log index ' .. n(index) .. ' is beyond the log\'s end ' ..
                n(nxt))
end
redis.call('HSET', KEYS[2], n(index), ARGV[3])
local keep = tonumber(ARGV[4])
if keep > 0 then
  local fields = redis.call('HKEYS', KEYS[2])
  if #fields > keep then
    local indexes = {}
    for i, f in ipairs(fields) do indexes[i] = tonumber(f) end
    table.sort(indexes)
    for i = 1, #indexes - keep do redis.call('HDEL', KEYS[2], n(indexes[i])) end
  end
end
raise(KEYS[1], token, fence)
return 'OK'
)lua";

constexpr std::string_view remove = R"lua(
local token = tonumber(ARGV[1])
local fence, err = writable(KEYS[1], token)
if err then return err end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('SREM', KEYS[6], ARGV[2])
return 'OK'
)lua";

constexpr std::string_view set_fence = R"lua(
local token = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local fence, err = writable(KEYS[1], token)
if err then return err end
raise(KEYS[1], token, fence)
return 1
)lua";

constexpr std::string_view compact = R"lua(
local first, count = tonumber(ARGV[2]), tonumber(ARGV[3])
local h = redis.call('HMGET', KEYS[1], 'gen', 'chunk_end')
if h[1] ~= ARGV[1] or tonumber(h[2]) ~= first then return 0 end
if redis.call('LLEN', KEYS[2]) < count then return 0 end
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[4])
redis.call('LTRIM', KEYS[2], count, -1)
redis.call('HSET', KEYS[1], 'chunk_end', n(first + count))
return 1
)lua";

// -> {meta, next, chunk_end, gen, snapshot_index (-1: none), snapshot_value, from,
//     {chunk_value, chunk_first, ...}, {record, ...}}: the records [from, to) as chunks (the one
// holding `from`, then those after it) and individual records from chunk_end on. With a
// snapshot, from = its log index and to = next.
constexpr std::string_view read = R"lua(
local h = redis.call('HMGET', KEYS[1], 'meta', 'next', 'chunk_end', 'gen')
if not h[1] then return refuse('not_found', 'no such document') end
local nxt, ce = tonumber(h[2]), tonumber(h[3])
local from, to = tonumber(ARGV[1]), tonumber(ARGV[2])
local snap_index, snap_value = -1, false
if ARGV[3] == '1' then
  for _, f in ipairs(redis.call('HKEYS', KEYS[4])) do
    local i = tonumber(f)
    if i > snap_index then snap_index = i end
  end
  from, to = 0, nxt
  if snap_index >= 0 then
    snap_value = redis.call('HGET', KEYS[4], n(snap_index))
    from = snap_index
  end
end
if to > nxt then to = nxt end
local chunks, records = {}, {}
if from < to and from < ce then
  local held = redis.call('ZREVRANGEBYSCORE', KEYS[3], n(from), '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
  local after = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. n(from), '(' .. n(math.min(to, ce)),
                           'WITHSCORES')
  for _, v in ipairs(held) do chunks[#chunks + 1] = v end
  for _, v in ipairs(after) do chunks[#chunks + 1] = v end
end
if from < to and to > ce then
  records = redis.call('LRANGE', KEYS[2], math.max(from, ce) - ce, to - 1 - ce)
end
return {h[1], nxt, ce, h[4], snap_index, snap_value, from, chunks, records}
)lua";

// The checks of format::check_new_version(), in its order, atomically with the write.
constexpr std::string_view put_version = R"lua(
local token = tonumber(ARGV[1])
local fence, err = writable(KEYS[1], token)
if err then return err end
local what = 'named version \'' .. ARGV[2] .. '\''
local at, nxt = tonumber(ARGV[3]), tonumber(redis.call('HGET', KEYS[1], 'next'))
if at > nxt then
  return refuse('index_gap', what .. ' at ' .. ARGV[3] .. ' is beyond the log\'s end ' .. n(nxt))
end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then
  return refuse('version_exists', what .. ' exists')
end
local held = redis.call('HLEN', KEYS[2])
if held >= tonumber(ARGV[5]) then
  return refuse('too_many_versions', what .. ': the document holds ' .. n(held) ..
                ' named versions, the most it may')
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[4])
raise(KEYS[1], token, fence)
return 'OK'
)lua";

constexpr std::string_view remove_version = R"lua(
local token = tonumber(ARGV[1])
local fence, err = writable(KEYS[1], token)
if err then return err end
if redis.call('HDEL', KEYS[2], ARGV[2]) == 0 then
  return refuse('unknown_version', 'no version \'' .. ARGV[2] .. '\'')
end
raise(KEYS[1], token, fence)
return 'OK'
)lua";

constexpr std::string_view read_versions = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return refuse('not_found', 'no such document') end
return redis.call('HGETALL', KEYS[2])
)lua";

std::string with_prelude(std::string_view body) {
  std::string out(prelude);
  out += body;
  return out;
}

}  // namespace

std::string_view source(Id id) {
  static const std::array<std::string, count> sources = {
      with_prelude(create),         with_prelude(update_meta),   with_prelude(append),
      with_prelude(snapshot),       with_prelude(remove),        with_prelude(set_fence),
      with_prelude(compact),        with_prelude(read),          with_prelude(put_version),
      with_prelude(remove_version), with_prelude(read_versions),
  };
  return sources.at(static_cast<std::size_t>(id));
}

}  // namespace weft::storage::redis_script
