// redis_eval.cpp — SCRIPT LOAD and EVALSHA with the EVAL fallback (redis_eval.hpp).
#include "storage/redis_eval.hpp"

#include "storage/record_format.hpp"

namespace weft::storage {

Result<std::vector<LoadedScript>> load_scripts(RedisPool::Connection& connection,
                                               const RedisEndpoint& endpoint,
                                               std::span<const std::string_view> sources) {
  std::vector<LoadedScript> loaded;
  loaded.reserve(sources.size());
  for (const std::string_view source : sources) {
    auto sha = connection.run({"SCRIPT", "LOAD", std::string(source)});
    if (!sha) return tl::unexpected(std::move(sha.error()));
    if (sha->type != RedisReply::Type::string) {
      return format::error(Errc::io_error,
                           "redis " + endpoint.describe() + ": SCRIPT LOAD: " + sha->str);
    }
    loaded.push_back({std::move(sha->str), source});
  }
  return loaded;
}

Result<RedisReply> eval_script(RedisPool::Connection& connection, const LoadedScript& script,
                               const std::vector<std::string>& keys,
                               const std::vector<std::string>& args) {
  RedisPool::Command command{"EVALSHA", script.sha, std::to_string(keys.size())};
  command.insert(command.end(), keys.begin(), keys.end());
  command.insert(command.end(), args.begin(), args.end());
  auto reply = connection.run(command);
  if (reply && reply->is_error() && reply->str.starts_with("NOSCRIPT")) {
    // Redis restarted or flushed its script cache: EVAL sends the source and caches it again.
    command[0] = "EVAL";
    command[1] = std::string(script.source);
    reply = connection.run(command);
  }
  return reply;
}

}  // namespace weft::storage
