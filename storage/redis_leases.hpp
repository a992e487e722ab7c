// redis_leases.hpp — RedisLeases: which node owns a document, by a lease in Redis with a TTL and a
// fencing token that only grows.
//
// For the server's cluster mode, beside RedisStore. Two keys per document, with the same hash tag
// {doc} as RedisStore's (redis_keys.hpp):
//   weft:{doc}:lease     "<token> <node>", expiring after the TTL (PX) unless renewed;
//   weft:{doc}:fencing   the last token granted (INCR), never decreased, never expiring.
//
// Invariants:
//   - At most one node holds a document's lease at a time: acquire, renew and release are each one
//     Lua script, so Redis checks the holder and writes the lease atomically.
//   - Every grant of an absent lease has a token above every earlier grant's and above the fence
//     stored in weft:{doc}:head (token = max(INCR fencing, fence + 1)), so a token is above any
//     fence a previous owner set through RedisStore::set_fence, even if the counter key was lost.
//     Renewing (renew, or acquire by the holder) keeps the token.
//   - A lease is only ever renewed or released by the exact "<token> <node>" that holds it: a node
//     cannot extend or delete another node's lease, nor its own older one.
//   - A lease says who should serve the document; it does not stop a paused or partitioned old
//     owner from writing. That is the fence's job: the new owner calls RedisStore::set_fence(doc,
//     token) with its token before it writes, and from then on Redis refuses (Errc::fenced) every
//     write carrying an older token.
//   - A holder whose renew returns false (the lease expired or another node took it) has lost the
//     document and must stop serving it at once.
//
// Node ids are 1..64 bytes of [A-Za-z0-9._-] (no space: the lease value is split at its only
// space). The server validates them; here a bad node id or a TTL below 1 ms is a precondition
// failure, answered with Errc::io_error and a message saying what is wrong. A bad document id is
// Errc::bad_document_id. Every Redis failure is Errc::io_error naming the server; nothing throws.
//
// Thread-safe: any thread may call any method; each call leases a connection from its own pool
// (redis_pool.hpp), which fails fast while Redis is down.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/document_store.hpp"
#include "storage/redis_eval.hpp"
#include "storage/redis_pool.hpp"

namespace weft::storage {

// What acquire() answered.
struct LeaseGrant {
  bool granted = false;
  std::uint64_t token = 0;  // when granted: the fencing token to pass to RedisStore::set_fence
  std::string holder;       // the node holding the lease (the caller when granted)
  std::chrono::milliseconds remaining{0};  // the lease's time to live as of the answer
};

class RedisLeases {
 public:
  // Connects to `url` (redis://HOST[:PORT][/DB], as RedisStore::open) and loads the scripts.
  // Errc::io_error with the reason on failure.
  [[nodiscard]] static Result<std::unique_ptr<RedisLeases>> open(std::string_view url,
                                                                 RedisPoolOptions options = {});
  ~RedisLeases() = default;
  RedisLeases(const RedisLeases&) = delete;
  RedisLeases& operator=(const RedisLeases&) = delete;

  // Takes `doc`'s lease for `node` for `ttl`. Granted with a new, larger token if nobody holds
  // it; granted with the same token and the TTL reset if `node` already holds it; refused
  // (granted = false, token 0) with the holder and its remaining time if another node does.
  [[nodiscard]] Result<LeaseGrant> acquire(std::string_view doc, std::string_view node,
                                           std::chrono::milliseconds ttl);
  // True, with the TTL reset to `ttl`, only if the lease is exactly `token` held by `node`.
  // False if it expired or another grant replaced it: the lease is lost.
  [[nodiscard]] Result<bool> renew(std::string_view doc, std::string_view node, std::uint64_t token,
                                   std::chrono::milliseconds ttl);
  // Deletes the lease if it is exactly `token` held by `node`; otherwise changes nothing (a lease
  // already lost is not an error, and another node's lease is never touched).
  [[nodiscard]] Result<void> release(std::string_view doc, std::string_view node,
                                     std::uint64_t token);
  // The node holding `doc`'s lease, or nullopt if none does.
  [[nodiscard]] Result<std::optional<std::string>> holder(std::string_view doc);

  // 1..64 bytes of [A-Za-z0-9._-].
  [[nodiscard]] static bool is_valid_node_id(std::string_view node);

 private:
  RedisLeases(const RedisEndpoint& endpoint, RedisPoolOptions options);

  // eval_script() of script `index` (see redis_leases.cpp) on a pooled connection; transport
  // failures and error replies become Errc::io_error naming `doc` and the server.
  [[nodiscard]] Result<RedisReply> eval(std::string_view doc, std::size_t index,
                                        const std::vector<std::string>& keys,
                                        const std::vector<std::string>& args);
  // `reply` as it is, or a transport failure or error reply as Errc::io_error naming `doc` and
  // the server.
  [[nodiscard]] Result<RedisReply> checked(std::string_view doc, Result<RedisReply> reply) const;

  RedisPool pool_;
  std::vector<LoadedScript> scripts_;  // set by open(), read-only after
};

}  // namespace weft::storage
