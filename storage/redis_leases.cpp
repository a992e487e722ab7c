// redis_leases.cpp — RedisLeases: the lease scripts and their callers (redis_leases.hpp).
#include "storage/redis_leases.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "storage/record_format.hpp"
#include "storage/redis_keys.hpp"

namespace weft::storage {

namespace {

// The scripts, by index into scripts_. A lease value is "<token> <node>"; node ids hold no space.
enum Script : std::size_t { acquire_script, renew_script, release_script, script_count };

// KEYS lease fencing head; ARGV node ttl_ms -> {granted (0/1), token, holder, remaining_ms}.
// An absent lease is granted with max(INCR fencing, fence + 1), the counter raised to match, so
// the token is above every earlier grant and above the fence any earlier owner stored.
constexpr std::string_view acquire_source = R"lua(
local function n(x) return string.format('%d', x) end
local node, ttl = ARGV[1], tonumber(ARGV[2])
local current = redis.call('GET', KEYS[1])
if current then
  local space = string.find(current, ' ', 1, true)
  if space and string.sub(current, space + 1) == node then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, string.sub(current, 1, space - 1), node, ttl}
  end
  local holder = current
  if space then holder = string.sub(current, space + 1) end
  return {0, '0', holder, math.max(redis.call('PTTL', KEYS[1]), 0)}
end
local token = redis.call('INCR', KEYS[2])
local fence = tonumber(redis.call('HGET', KEYS[3], 'fence') or '0')
if token <= fence then
  token = fence + 1
  redis.call('SET', KEYS[2], n(token))
end
redis.call('SET', KEYS[1], n(token) .. ' ' .. node, 'PX', ARGV[2])
return {1, n(token), node, ttl}
)lua";

// KEYS lease; ARGV "<token> <node>" ttl_ms -> 1 (renewed) or 0 (not held by exactly that).
constexpr std::string_view renew_source = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
)lua";

// KEYS lease; ARGV "<token> <node>" -> 1 (deleted) or 0 (not held by exactly that).
constexpr std::string_view release_source = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
)lua";

constexpr std::array<std::string_view, script_count> sources{acquire_source, renew_source,
                                                             release_source};

std::string lease_value(std::uint64_t token, std::string_view node) {
  std::string value = std::to_string(token);
  value += ' ';
  value += node;
  return value;
}

std::optional<std::uint64_t> parse_token(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The preconditions every call shares; `node` and `ttl` are checked when given.
Result<void> check(std::string_view doc, std::optional<std::string_view> node,
                   std::optional<std::chrono::milliseconds> ttl) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  if (node && !RedisLeases::is_valid_node_id(*node)) {
    return format::error(Errc::io_error, format::describe(doc) +
                                             ": lease: bad node id (1..64 bytes of "
                                             "[A-Za-z0-9._-] expected)");
  }
  if (ttl && ttl->count() < 1) {
    return format::error(Errc::io_error,
                         format::describe(doc) + ": lease: the TTL must be at least 1 ms");
  }
  return {};
}

}  // namespace

bool RedisLeases::is_valid_node_id(std::string_view node) {
  constexpr std::size_t max_length = 64;
  if (node.empty() || node.size() > max_length) return false;
  return std::all_of(node.begin(), node.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

RedisLeases::RedisLeases(const RedisEndpoint& endpoint, RedisPoolOptions options)
    : pool_(endpoint, options) {}

Result<std::unique_ptr<RedisLeases>> RedisLeases::open(std::string_view url,
                                                       RedisPoolOptions options) {
  auto endpoint = parse_redis_url(url);
  if (!endpoint) return tl::unexpected(std::move(endpoint.error()));
  std::unique_ptr<RedisLeases> leases(new RedisLeases(*endpoint, options));
  auto connection = leases->pool_.acquire();
  if (!connection) return tl::unexpected(std::move(connection.error()));
  auto scripts = load_scripts(*connection, *endpoint, sources);
  if (!scripts) return tl::unexpected(std::move(scripts.error()));
  leases->scripts_ = std::move(*scripts);
  return leases;
}

Result<RedisReply> RedisLeases::eval(std::string_view doc, std::size_t index,
                                     const std::vector<std::string>& keys,
                                     const std::vector<std::string>& args) {
  auto connection = pool_.acquire();
  if (!connection) {
    return format::error(Errc::io_error,
                         format::describe(doc) + ": lease: " + connection.error().message);
  }
  return checked(doc, eval_script(*connection, scripts_.at(index), keys, args));
}

Result<RedisReply> RedisLeases::checked(std::string_view doc, Result<RedisReply> reply) const {
  if (!reply) {
    return format::error(Errc::io_error,
                         format::describe(doc) + ": lease: " + reply.error().message);
  }
  if (reply->is_error()) {
    return format::error(Errc::io_error, format::describe(doc) + ": lease: redis " +
                                             pool_.endpoint().describe() + ": " + reply->str);
  }
  return reply;
}

Result<LeaseGrant> RedisLeases::acquire(std::string_view doc, std::string_view node,
                                        std::chrono::milliseconds ttl) {
  if (auto ok = check(doc, node, ttl); !ok) return tl::unexpected(std::move(ok.error()));
  auto reply = eval(doc, acquire_script,
                    {redis_keys::lease(doc), redis_keys::fencing(doc), redis_keys::head(doc)},
                    {std::string(node), std::to_string(ttl.count())});
  if (!reply) return tl::unexpected(std::move(reply.error()));
  const auto& e = reply->elements;
  const bool well_formed =
      reply->type == RedisReply::Type::array && e.size() == 4 &&
      e[0].type == RedisReply::Type::integer && e[1].type == RedisReply::Type::string &&
      e[2].type == RedisReply::Type::string && e[3].type == RedisReply::Type::integer;
  const auto token = well_formed ? parse_token(e[1].str) : std::nullopt;
  if (!token) {
    return format::error(Errc::io_error, format::describe(doc) + ": lease: redis " +
                                             pool_.endpoint().describe() +
                                             ": unexpected reply to the acquire script");
  }
  return LeaseGrant{.granted = e[0].integer == 1,
                    .token = *token,
                    .holder = e[2].str,
                    .remaining = std::chrono::milliseconds{e[3].integer}};
}

Result<bool> RedisLeases::renew(std::string_view doc, std::string_view node, std::uint64_t token,
                                std::chrono::milliseconds ttl) {
  if (auto ok = check(doc, node, ttl); !ok) return tl::unexpected(std::move(ok.error()));
  auto reply = eval(doc, renew_script, {redis_keys::lease(doc)},
                    {lease_value(token, node), std::to_string(ttl.count())});
  if (!reply) return tl::unexpected(std::move(reply.error()));
  return reply->type == RedisReply::Type::integer && reply->integer == 1;
}

Result<void> RedisLeases::release(std::string_view doc, std::string_view node,
                                  std::uint64_t token) {
  if (auto ok = check(doc, node, std::nullopt); !ok) return tl::unexpected(std::move(ok.error()));
  auto reply = eval(doc, release_script, {redis_keys::lease(doc)}, {lease_value(token, node)});
  if (!reply) return tl::unexpected(std::move(reply.error()));
  return {};
}

Result<std::optional<std::string>> RedisLeases::holder(std::string_view doc) {
  if (auto ok = check(doc, std::nullopt, std::nullopt); !ok) {
    return tl::unexpected(std::move(ok.error()));
  }
  auto reply = checked(doc, pool_.run({"GET", redis_keys::lease(doc)}));
  if (!reply) return tl::unexpected(std::move(reply.error()));
  if (reply->is_nil()) return std::optional<std::string>{};
  const auto space = reply->str.find(' ');
  return std::optional<std::string>{space == std::string::npos ? reply->str
                                                               : reply->str.substr(space + 1)};
}

}  // namespace weft::storage
