// redis_pool.hpp — RedisPool: a small pool of blocking hiredis connections to one Redis server.
//
// Private to storage/ (RedisStore's transport). Thread-safe: any thread may acquire a connection;
// a connection is used by one thread at a time (the lease). Every failure is a value: a transport
// error (refused, reset, timed out) is Errc::io_error naming the server, and the connection that
// saw it is closed rather than reused, since its reply stream can no longer be trusted. Error
// *replies* (Redis saying -ERR ...) are not failures here: they come back as RedisReply::error for
// the caller to read.
//
// Reconnect with backoff: a failed connect makes acquire() fail at once, without touching the
// network, until a backoff delay has passed (doubling from min_backoff to max_backoff, reset by
// the next successful connect). So while Redis is down every call fails fast instead of each
// waiting for its own connect timeout, and Redis is not hammered when it comes back.
//
// Writing to a connection that Redis closed would raise SIGPIPE; each command blocks SIGPIPE in
// its thread and swallows one it caused, so a dead server is an error, never a killed process.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "storage/document_store.hpp"
#include "storage/redis_endpoint.hpp"
#include "storage/redis_reply.hpp"

struct redisContext;

namespace weft::storage {

struct RedisPoolOptions {
  std::size_t connections = 4;  // at most this many open; acquire() waits for a free one
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds command_timeout{5000};  // a reply later than this is an io_error
  std::chrono::milliseconds min_backoff{50};
  std::chrono::milliseconds max_backoff{1000};
};

class RedisPool {
 public:
  using Command = std::vector<std::string>;  // binary-safe arguments, the name first

  class Connection;

  RedisPool(RedisEndpoint endpoint, RedisPoolOptions options);
  ~RedisPool();
  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;

  // An idle connection, or a new one; waits up to command_timeout while all are busy.
  [[nodiscard]] Result<Connection> acquire();
  // acquire(), then run().
  [[nodiscard]] Result<RedisReply> run(const Command& command);

  [[nodiscard]] const RedisEndpoint& endpoint() const { return endpoint_; }

 private:
  friend class Connection;
  [[nodiscard]] Result<redisContext*> connect();
  // Returns a healthy connection to the idle list; frees a broken one.
  void release(redisContext* context, bool broken);
  [[nodiscard]] StoreError failure(const std::string& what) const;

  const RedisEndpoint endpoint_;
  const RedisPoolOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<redisContext*> idle_;  // guarded by mu_; owned
  std::size_t open_ = 0;             // guarded by mu_; idle and leased
  // guarded by mu_: no connect is attempted before retry_at_ after a failed one
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
  std::string last_connect_error_;
};

// A leased connection: returned to the pool when it goes (closed instead if it failed).
class RedisPool::Connection {
 public:
  Connection(RedisPool& pool, redisContext* context) : pool_(&pool), context_(context) {}
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  [[nodiscard]] Result<RedisReply> run(const Command& command);
  // Sends every command, then reads every reply: one round trip.
  [[nodiscard]] Result<std::vector<RedisReply>> pipeline(std::span<const Command> commands);

 private:
  RedisPool* pool_;
  redisContext* context_;
  bool broken_ = false;
};

}  // namespace weft::storage
