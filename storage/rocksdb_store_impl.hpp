// rocksdb_store_impl.hpp — the inside of RocksDbStore: RocksDB handles and the commit queue.
//
// Private to storage/ (rocksdb_store.cpp reads, rocksdb_commit.cpp writes, rocksdb_log.cpp reads
// and compacts the log); the only header that names RocksDB types.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <rocksdb/db.h>

#include "storage/rocksdb_health.hpp"
#include "storage/rocksdb_store.hpp"

namespace weft::storage {

// One mutation waiting in the commit queue. Its values are sealed by the caller, outside any lock.
struct CommitRequest {
  enum class Kind : std::uint8_t {
    create,
    update_meta,
    append,
    snapshot,
    remove,
    put_version,
    remove_version
  };
  Kind kind = Kind::append;
  std::string_view doc;
  // append: index of the first record; snapshot: its log_index; put_version: its `at`
  std::uint64_t first = 0;
  std::uint64_t count = 0;  // append: number of records
  std::string name;         // put_version, remove_version: the version's name
  std::vector<std::pair<std::string, std::string>> puts;  // key, sealed value
  std::optional<StoreError> error;                        // set by the leader
  bool done = false;                                      // guarded by Impl::mu
};

struct RocksDbStore::Impl {
  // What the leader knows about a document: loaded from the store on first use.
  struct DocState {
    bool exists = false;
    std::uint64_t next_index = 0;
    std::uint64_t chunk_end = 0;  // records [chunk_end, next_index) are individual keys
  };

  ~Impl();

  // Blocks until `request` is committed (possibly by another thread as leader) or refused.
  [[nodiscard]] Result<void> commit(CommitRequest& request);
  // Writes the group's batch; returns the documents that have enough individual records to chunk.
  [[nodiscard]] std::vector<std::string> write_group(const std::vector<CommitRequest*>& group);
  // Leader only: rewrites each document's oldest individual records into chunks while it has
  // 2 x chunk_records of them (rocksdb_log.cpp). Failures leave the records as they were.
  void compact_log(const std::vector<std::string>& docs);
  // Snapshot log indexes of `doc` on disk, ascending.
  [[nodiscard]] Result<std::vector<std::uint64_t>> snapshot_indexes(std::string_view doc);
  // Names of `doc`'s named versions on disk.
  [[nodiscard]] Result<std::set<std::string>> version_names(std::string_view doc);
  [[nodiscard]] Result<DocState> state_of(std::string_view doc,
                                          std::unordered_map<std::string, DocState>& pending);
  // Errc::read_only on a read-only store, bad_document_id for a bad id.
  [[nodiscard]] Result<void> check_writable(std::string_view doc) const;
  // Before each read of a secondary instance: see what the primary wrote since.
  [[nodiscard]] Result<void> catch_up();
  [[nodiscard]] StoreError status_error(std::string_view doc, const rocksdb::Status& s) const;
  // corrupt, no_space or io_error.
  [[nodiscard]] static Errc code_of(const rocksdb::Status& s);

  // The log as one sequence (rocksdb_log.cpp): chunks, then individual records. Calls
  // visit(record) for each index in [from, to) that exists, in order; Errc::corrupt for a missing,
  // damaged or misplaced record or chunk.
  [[nodiscard]] Result<void> read_records(
      const rocksdb::ReadOptions& read, std::string_view doc, std::uint64_t from, std::uint64_t to,
      const std::function<Result<void>(proto::OpRecord&&)>& visit);
  // The number of log records of `doc` (0 if none) and where its chunks end.
  [[nodiscard]] Result<DocState> log_state(const rocksdb::ReadOptions& read, std::string_view doc);

  RocksDbOptions options;
  std::string dir;
  std::string secondary_dir;  // empty unless a secondary instance; removed on close
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // owned: destroyed before db
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* log = nullptr;
  rocksdb::ColumnFamilyHandle* snap = nullptr;
  rocksdb::ColumnFamilyHandle* logchunk = nullptr;
  // Null only in a read-only instance of a store written before named versions existed: it
  // then has none.
  rocksdb::ColumnFamilyHandle* version = nullptr;
  std::shared_ptr<HealthListener> health = std::make_shared<HealthListener>();
  std::string recovery_note;  // set by open(): what recovery left out of the WAL

  std::mutex mu;
  std::condition_variable cv;
  std::deque<CommitRequest*> queue;  // guarded by mu; the front one is the leader
  CommitStats stats;                 // guarded by mu
  bool compacting = false;           // guarded by mu; no new leader while the last one compacts
  // Only the leader touches this, and there is one leader at a time.
  std::unordered_map<std::string, DocState> docs;
};

}  // namespace weft::storage
