// rocksdb_store_impl.hpp — the inside of RocksDbStore: RocksDB handles and the commit queue.
//
// Private to storage/ (rocksdb_store.cpp reads, rocksdb_commit.cpp writes); the only header that
// names RocksDB types.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <rocksdb/db.h>

#include "storage/rocksdb_store.hpp"

namespace weft::storage {

// One mutation waiting in the commit queue. Its values are sealed by the caller, outside any lock.
struct CommitRequest {
  enum class Kind : std::uint8_t { create, update_meta, append, snapshot, remove };
  Kind kind = Kind::append;
  std::string_view doc;
  std::uint64_t first = 0;  // append: index of the first record; snapshot: its log_index
  std::uint64_t count = 0;  // append: number of records
  std::vector<std::pair<std::string, std::string>> puts;  // key, sealed value
  std::optional<StoreError> error;                        // set by the leader
  bool done = false;                                      // guarded by Impl::mu
};

struct RocksDbStore::Impl {
  // What the leader knows about a document: loaded from the store on first use.
  struct DocState {
    bool exists = false;
    std::uint64_t next_index = 0;
  };

  ~Impl();

  // Blocks until `request` is committed (possibly by another thread as leader) or refused.
  [[nodiscard]] Result<void> commit(CommitRequest& request);
  void write_group(const std::vector<CommitRequest*>& group);
  [[nodiscard]] Result<DocState> state_of(std::string_view doc,
                                          std::unordered_map<std::string, DocState>& pending);
  // Errc::read_only on a read-only store, bad_document_id for a bad id.
  [[nodiscard]] Result<void> check_writable(std::string_view doc) const;
  // Before each read of a secondary instance: see what the primary wrote since.
  [[nodiscard]] Result<void> catch_up();
  [[nodiscard]] StoreError status_error(std::string_view doc, const rocksdb::Status& s) const;

  RocksDbOptions options;
  std::string dir;
  std::string secondary_dir;  // empty unless a secondary instance; removed on close
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // owned: destroyed before db
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* log = nullptr;
  rocksdb::ColumnFamilyHandle* snap = nullptr;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<CommitRequest*> queue;  // guarded by mu; the front one is the leader
  CommitStats stats;                 // guarded by mu
  // Only the leader touches this, and there is one leader at a time.
  std::unordered_map<std::string, DocState> docs;
};

}  // namespace weft::storage
