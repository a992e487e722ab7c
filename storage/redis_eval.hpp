// redis_eval.hpp — running a Lua script on Redis by its SHA, shared by RedisStore and RedisLeases.
//
// Private to storage/. A script is loaded once (SCRIPT LOAD, at open) and then run with EVALSHA;
// when Redis answers NOSCRIPT (a restart or SCRIPT FLUSH emptied its cache) the call is repeated
// once with EVAL and the source, which caches it again. Transport failures are the pool's
// Errc::io_error naming the server; error replies (-ERR, the scripts' own refusals) come back as
// RedisReply::error for the caller to read.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/document_store.hpp"
#include "storage/redis_pool.hpp"
#include "storage/redis_reply.hpp"

namespace weft::storage {

// A script to run: its source and the SHA1 that SCRIPT LOAD returned for it.
struct LoadedScript {
  std::string sha;
  std::string_view source;  // outlives the LoadedScript (static storage)
};

// SCRIPT LOAD of each source, in order. Errc::io_error naming the server if Redis refuses one.
[[nodiscard]] Result<std::vector<LoadedScript>> load_scripts(
    RedisPool::Connection& connection, const RedisEndpoint& endpoint,
    std::span<const std::string_view> sources);

// EVALSHA, then EVAL on NOSCRIPT.
[[nodiscard]] Result<RedisReply> eval_script(RedisPool::Connection& connection,
                                             const LoadedScript& script,
                                             const std::vector<std::string>& keys,
                                             const std::vector<std::string>& args);

}  // namespace weft::storage
