// redis_pool.cpp — RedisPool: connecting, leasing, running commands, copying replies out.
#include "storage/redis_pool.hpp"

#include <algorithm>
#include <csignal>
#include <utility>

#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>

#include "storage/record_format.hpp"

namespace weft::storage {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
  return tv;
}

// Blocks SIGPIPE in this thread while it lives; a SIGPIPE raised meanwhile (a write to a socket
// Redis closed) is consumed instead of delivered. hiredis writes with write(2), which raises it.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      const timespec zero{};
      static_cast<void>(sigtimedwait(&pipe_, nullptr, &zero));
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

RedisReply copy(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = r.integer;
      return out;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(copy(*r.element[i]));
      return out;
    default:
      return out;
  }
  out.str.assign(r.str, r.len);
  return out;
}

// An idle connection has no reply to read: if its socket is readable, Redis closed it (a restart,
// a timeout) and a command sent on it would fail.
bool is_closed(const redisContext& context) {
  pollfd fd{context.fd, POLLIN, 0};
  return context.err != 0 || poll(&fd, 1, 0) != 0;
}

struct Argv {
  std::vector<const char*> ptrs;
  std::vector<std::size_t> lens;
  explicit Argv(const RedisPool::Command& command) {
    for (const std::string& arg : command) {
      ptrs.push_back(arg.data());
      lens.push_back(arg.size());
    }
  }
  [[nodiscard]] int argc() const { return static_cast<int>(ptrs.size()); }
};

}  // namespace

RedisPool::RedisPool(RedisEndpoint endpoint, RedisPoolOptions options)
    : endpoint_(std::move(endpoint)), options_(options) {}

RedisPool::~RedisPool() {
  for (redisContext* context : idle_) redisFree(context);
}

StoreError RedisPool::failure(const std::string& what) const {
  return StoreError{make_error_code(Errc::io_error), "redis " + endpoint_.describe() + ": " + what};
}

Result<redisContext*> RedisPool::connect() {
  redisContext* context = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port,
                                                  to_timeval(options_.connect_timeout));
  const auto fail = [&](const std::string& why) -> Result<redisContext*> {
    if (context != nullptr) redisFree(context);
    return tl::unexpected(failure("cannot connect: " + why));
  };
  if (context == nullptr) return fail("out of memory");
  if (context->err != 0) return fail(context->errstr);
  if (redisSetTimeout(context, to_timeval(options_.command_timeout)) != REDIS_OK ||
      redisEnableKeepAlive(context) != REDIS_OK) {
    return fail(context->errstr);
  }
  if (endpoint_.db != 0) {
    const SigpipeGuard guard;
    const std::string db = std::to_string(endpoint_.db);
    auto* reply = static_cast<redisReply*>(redisCommand(context, "SELECT %s", db.c_str()));
    if (reply == nullptr) return fail(context->errstr);
    const bool ok = reply->type != REDIS_REPLY_ERROR;
    const std::string error(reply->str != nullptr ? reply->str : "", reply->len);
    freeReplyObject(reply);
    if (!ok) return fail("SELECT " + db + ": " + error);
  }
  return context;
}

Result<RedisPool::Connection> RedisPool::acquire() {
  std::unique_lock lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + options_.command_timeout;
  while (idle_.empty() && open_ >= options_.connections) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      return tl::unexpected(failure("every connection of the pool stayed busy"));
    }
  }
  while (!idle_.empty()) {
    redisContext* context = idle_.back();
    idle_.pop_back();
    if (!is_closed(*context)) return Connection(*this, context);
    redisFree(context);
    --open_;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now < retry_at_) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - now);
    return tl::unexpected(failure(last_connect_error_ + " (next attempt in " +
                                  std::to_string(wait.count()) + " ms)"));
  }
  ++open_;
  lock.unlock();
  auto context = connect();
  lock.lock();
  if (!context) {
    --open_;
    backoff_ = std::clamp(backoff_ * 2, options_.min_backoff, options_.max_backoff);
    retry_at_ = std::chrono::steady_clock::now() + backoff_;
    last_connect_error_ = context.error().message;
    cv_.notify_one();
    return tl::unexpected(std::move(context.error()));
  }
  backoff_ = std::chrono::milliseconds{0};
  retry_at_ = {};
  return Connection(*this, *context);
}

Result<RedisReply> RedisPool::run(const Command& command) {
  auto connection = acquire();
  if (!connection) return tl::unexpected(std::move(connection.error()));
  return connection->run(command);
}

void RedisPool::release(redisContext* context, bool broken) {
  const std::lock_guard lock(mu_);
  if (broken) {
    redisFree(context);
    --open_;
  } else {
    idle_.push_back(context);
  }
  cv_.notify_one();
}

RedisPool::Connection::~Connection() {
  if (context_ != nullptr) pool_->release(context_, broken_);
}

RedisPool::Connection::Connection(Connection&& other) noexcept
    : pool_(other.pool_),
      context_(std::exchange(other.context_, nullptr)),
      broken_(other.broken_) {}

Result<RedisReply> RedisPool::Connection::run(const Command& command) {
  auto replies = pipeline(std::span(&command, 1));
  if (!replies) return tl::unexpected(std::move(replies.error()));
  return std::move(replies->front());
}

Result<std::vector<RedisReply>> RedisPool::Connection::pipeline(std::span<const Command> commands) {
  const SigpipeGuard guard;
  const auto broke = [&](const Command& command) -> Result<std::vector<RedisReply>> {
    broken_ = true;
    const std::string name = command.empty() ? std::string("?") : command.front();
    return tl::unexpected(pool_->failure(name + ": " + context_->errstr));
  };
  if (broken_) return tl::unexpected(pool_->failure("connection already failed"));
  for (const Command& command : commands) {
    Argv argv(command);
    if (redisAppendCommandArgv(context_, argv.argc(), argv.ptrs.data(), argv.lens.data()) !=
        REDIS_OK) {
      return broke(command);
    }
  }
  std::vector<RedisReply> out;
  out.reserve(commands.size());
  for (const Command& command : commands) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return broke(command);
    out.push_back(copy(*static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return out;
}

}  // namespace weft::storage
