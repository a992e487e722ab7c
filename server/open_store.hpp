// open_store.hpp — main()'s choice of store: RocksDB in --data (one node, the default) or Redis
// at --redis (cluster mode, docs/cluster.md), opened and checked before anything listens.
#pragma once

#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "server/base/config.hpp"
#include "storage/document_store.hpp"

namespace weft::server {

struct OpenedStore {
  std::unique_ptr<storage::DocumentStore> store;
  // Why the store was opened read-only at startup (RocksDB on a full disk); empty if it was not.
  std::string read_only_reason;
  // Where the documents are, for the ready line: "data DIR" or "redis URL".
  std::string where;
  // How an acknowledged write is durable in Redis (RedisStore::durability_note); empty for
  // RocksDB, whose every acknowledged write is synced to its WAL.
  std::string durability;
  // False when Redis does not make acknowledged writes durable (--redis-durability relaxed
  // accepted it): /healthz and the log say so.
  bool durable = true;
  // What an operator should do about unwritable stores (the store watch's log line).
  std::string unwritable_hint;
};

// Opens the store `config` names, printing warnings (a recovered RocksDB, relaxed Redis
// durability) on stderr. The error says why it cannot be opened, for stderr and exit 1.
[[nodiscard]] tl::expected<OpenedStore, std::string> open_store(const base::ServerConfig& config);

}  // namespace weft::server
