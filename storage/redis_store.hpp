// redis_store.hpp — RedisStore: the DocumentStore shared by the nodes of a cluster, on Redis.
//
// Same contract as RocksDbStore (document_store.hpp): dense indexes, index_gap writing nothing,
// atomic appends, corruption reported per document (values are sealed as in RocksDB,
// record_format.hpp), the log never trimmed, the newest keep_snapshots snapshots kept, old records
// re-encoded into column chunks (proto OpLogChunk). Every write, and every read that must see one
// commit point, is one Lua script (redis_scripts.hpp), run with EVALSHA (EVAL if Redis lost its
// script cache). Keys of a document share the hash tag {doc} (README.md "RedisStore" draws them).
//
// Durability: open() checks the server's persistence. An acknowledged write is durable when Redis
// runs `appendonly yes` + `appendfsync always` (the AOF is fsynced before Redis replies), or when
// Options::replicas > 0 and WAIT confirms that many replicas after each write. Anything weaker
// makes open() fail, unless Options::durability is relaxed.
//
// Fencing: writes are conditional on the writer's fencing token for the document. The owner logic
// takes a lease, gets a token that only grows, and calls set_fence(doc, token): from then on this
// store's writes of `doc` carry that token, and Redis refuses (Errc::fenced, nothing written) any
// write whose token is below the highest one it has seen for the document. A store that never
// called set_fence writes with token 0, which works until some owner fences the document.
//
// Thread-safe: any thread may call any method; each call leases a connection from a small pool
// (redis_pool.hpp) that reconnects with backoff. Every Redis failure is an Errc::io_error naming
// the server; nothing throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/document_store.hpp"
#include "storage/redis_eval.hpp"
#include "storage/redis_pool.hpp"
#include "storage/redis_scripts.hpp"

namespace weft::storage {

struct RedisStoreOptions {
  enum class Durability : std::uint8_t {
    strict,   // open() fails unless writes are durable (AOF fsync always, or replicas > 0)
    relaxed,  // open() accepts any persistence setting; durability_note() says what it is
  };
  Durability durability = Durability::strict;
  // After each write, WAIT until this many replicas have it (0 = no WAIT); fewer within
  // replica_timeout fail the write with Errc::io_error (it may still be on the primary).
  std::uint32_t replicas = 0;
  std::chrono::milliseconds replica_timeout{1000};
  std::uint32_t keep_snapshots = 2;   // as RocksDbOptions::keep_snapshots (0 = keep all)
  std::uint32_t chunk_records = 512;  // as RocksDbOptions::chunk_records (0 = never chunk)
  RedisPoolOptions pool{};
};

class RedisStore final : public DocumentStore {
 public:
  using Options = RedisStoreOptions;

  // Connects to `url` (redis://HOST[:PORT][/DB]), checks its persistence settings against
  // options.durability and loads the scripts. Errc::io_error with the reason on failure.
  [[nodiscard]] static Result<std::unique_ptr<RedisStore>> open(std::string_view url,
                                                                Options options = {});
  ~RedisStore() override = default;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  [[nodiscard]] Result<void> create(const proto::DocumentMeta& meta) override;
  [[nodiscard]] Result<void> update_meta(const proto::DocumentMeta& meta) override;
  [[nodiscard]] Result<void> append(std::string_view doc,
                                    std::span<const proto::OpRecord> records) override;
  [[nodiscard]] Result<LoadedDocument> load(std::string_view doc) override;
  [[nodiscard]] Result<std::vector<proto::OpRecord>> read_log(std::string_view doc,
                                                              std::uint64_t from,
                                                              std::uint64_t to) override;
  [[nodiscard]] Result<std::vector<proto::SnapshotRecord>> read_snapshots(
      std::string_view doc) override;
  [[nodiscard]] Result<std::vector<DocumentSummary>> list() override;
  [[nodiscard]] Result<void> write_snapshot(std::string_view doc,
                                            const proto::SnapshotRecord& snapshot) override;
  [[nodiscard]] Result<void> remove(std::string_view doc) override;
  [[nodiscard]] Result<DocumentHead> read_head(std::string_view doc) override;
  [[nodiscard]] Result<void> put_version(std::string_view doc,
                                         const proto::NamedVersion& version) override;
  [[nodiscard]] Result<std::vector<proto::NamedVersion>> read_versions(
      std::string_view doc) override;
  [[nodiscard]] Result<void> remove_version(std::string_view doc, std::string_view name) override;

  // This store's writes of `doc` carry `token` from now on; if the document exists, its stored
  // fence is raised to `token` at once, so that older owners are refused from this moment.
  // Errc::fenced (and nothing changes) if the stored fence is already above `token`. Call it
  // after taking the document's lease; a document created later gets `token` as its fence.
  [[nodiscard]] Result<void> set_fence(std::string_view doc, std::uint64_t token);
  // Writable while the last write reached Redis (or none failed yet); after an io_error, not
  // writable with its message until a write succeeds again.
  [[nodiscard]] StoreHealth health() const override;
  // How acknowledged writes are durable, e.g. "appendonly yes, appendfsync always".
  [[nodiscard]] const std::string& durability_note() const { return durability_note_; }
  // False when open() accepted a Redis that does not make writes durable (relaxed).
  [[nodiscard]] bool durable() const { return durable_; }
  // Bytes Redis uses for each of the document's keys (MEMORY USAGE, every element counted).
  struct MemoryUsage {
    std::uint64_t head = 0;
    std::uint64_t log = 0;
    std::uint64_t chunks = 0;
    std::uint64_t snaps = 0;
    [[nodiscard]] std::uint64_t total() const { return head + log + chunks + snaps; }
  };
  [[nodiscard]] Result<MemoryUsage> memory_usage(std::string_view doc);

 private:
  RedisStore(const RedisEndpoint& endpoint, Options options);

  // Runs a script (EVALSHA, EVAL on NOSCRIPT) on `connection`; a WEFT refusal or Redis error
  // reply becomes a StoreError naming `doc`.
  [[nodiscard]] Result<RedisReply> eval(RedisPool::Connection& connection, std::string_view doc,
                                        redis_script::Id script,
                                        const std::vector<std::string>& keys,
                                        const std::vector<std::string>& args);
  // write_once(), and its outcome recorded for health().
  [[nodiscard]] Result<RedisReply> write(std::string_view doc, redis_script::Id script,
                                         const std::vector<std::string>& keys,
                                         std::vector<std::string> args);
  // eval() of a write with the fencing token first in ARGV, then WAIT if options_.replicas.
  [[nodiscard]] Result<RedisReply> write_once(std::string_view doc, redis_script::Id script,
                                              const std::vector<std::string>& keys,
                                              std::vector<std::string> args);
  // The read script; see redis_scripts.cpp for what it returns.
  struct Range;
  [[nodiscard]] Result<Range> read(std::string_view doc, std::uint64_t from, std::uint64_t to,
                                   bool with_snapshot);
  // Rewrites the oldest individual records into chunks while there are 2 x chunk_records of
  // them. Best effort: a failure leaves the records as they are.
  void compact_log(std::string_view doc, std::uint64_t next, std::uint64_t chunk_end);
  [[nodiscard]] std::uint64_t token_of(std::string_view doc);
  [[nodiscard]] Result<void> check_durability();

  const Options options_;
  RedisPool pool_;
  std::vector<LoadedScript> scripts_;  // by redis_script::Id; empty until loaded
  std::string durability_note_;
  bool durable_ = true;
  std::mutex fences_mu_;
  std::unordered_map<std::string, std::uint64_t> fences_;  // guarded by fences_mu_
  mutable std::mutex health_mu_;
  StoreHealth health_;  // guarded by health_mu_
};

}  // namespace weft::storage
