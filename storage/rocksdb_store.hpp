// rocksdb_store.hpp — RocksDbStore: the durable DocumentStore, on RocksDB.
//
// Layout (README.md draws it): column families `meta` (doc -> DocumentMeta), `log`
// (doc 0x00 index -> OpRecord), `logchunk` (doc 0x00 first_index -> OpLogChunk) and `snap`
// (doc 0x00 log_index -> SnapshotRecord) and `version` (doc 0x00 name -> NamedVersion); every value
// is a CRC32C followed by the Protobuf record (record_format.hpp). The log is the chunks followed
// by the individual records, read as one.
//
// Writes: every mutation is a request on one commit queue. The first waiting writer becomes the
// leader, takes every queued request, validates each (document exists, the append continues the
// log), writes them as ONE WriteBatch with ONE WAL sync, and wakes the others with their results
// (leveldb's DBImpl::Write). N concurrent appenders thus cost about one fsync. The per-document
// next index is cached and only ever touched by the current leader, so the index_gap check and
// the write are atomic. After acknowledging its group, the leader (still the only writer of the
// cache) rewrites old individual log records into chunks, unsynced: both forms hold the same
// records, so a crash leaves one or the other.
//
// Reads run concurrently with writes on a RocksDB snapshot, so a load() sees one commit point.
// A read-only store is a RocksDB secondary instance (it can follow a directory that a running
// server has open; each read catches up with the primary first), or a plain read-only instance
// if that fails. Every write on it fails with Errc::read_only.
//
// Failures (README.md "Disk full" and "Corruption"): the WAL is replayed with
// kAbsoluteConsistency, so a damaged WAL makes open() fail with Errc::corrupt naming the file
// instead of silently dropping what follows the damage; only an incomplete last record (a torn
// write) is left out, and recovery_note() says so. A write that fails on the disk (full:
// Errc::no_space) leaves the store unwritable (health()) while reads go on, until RocksDB
// recovers by itself once space is free again.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/document_store.hpp"

namespace weft::storage {

struct RocksDbOptions {
  bool read_only = false;  // secondary (or read-only) instance; writes fail with Errc::read_only
  bool sync = true;        // sync the WAL on every commit; false only for benchmarks and tools
  // write_snapshot() keeps only this many newest snapshots per document (0 = keep all).
  std::uint32_t keep_snapshots = 2;
  // Once a document has 2 x chunk_records log records beyond its last chunk, the oldest
  // chunk_records of them are rewritten as one chunk (0 = never).
  std::uint32_t chunk_records = 512;
  // For an operator salvaging a copy of a store whose write-ahead log is damaged (weft-replay
  // salvage): replay the WAL up to its first damaged record and drop everything after it,
  // instead of refusing to open. Acknowledged writes after the damage are lost; recovery_note()
  // says how many bytes were dropped. Never for a store that serves. Not with read_only.
  bool salvage_wal = false;
};

// How well group commit is doing: commits = batches written (and synced), requests = the writes
// they carried.
struct CommitStats {
  std::uint64_t commits = 0;
  std::uint64_t requests = 0;
};

class RocksDbStore final : public DocumentStore {
 public:
  using Options = RocksDbOptions;

  // Opens (creating if needed, unless read-only) the store in directory `dir`.
  [[nodiscard]] static Result<std::unique_ptr<RocksDbStore>> open(const std::string& dir,
                                                                  Options options = {});
  ~RocksDbStore() override;
  RocksDbStore(const RocksDbStore&) = delete;
  RocksDbStore& operator=(const RocksDbStore&) = delete;

  [[nodiscard]] Result<void> create(const proto::DocumentMeta& meta) override;
  [[nodiscard]] Result<void> update_meta(const proto::DocumentMeta& meta) override;
  [[nodiscard]] Result<void> append(std::string_view doc,
                                    std::span<const proto::OpRecord> records) override;
  [[nodiscard]] Result<LoadedDocument> load(std::string_view doc) override;
  [[nodiscard]] Result<DocumentHead> read_head(std::string_view doc) override;
  [[nodiscard]] Result<std::vector<proto::OpRecord>> read_log(std::string_view doc,
                                                              std::uint64_t from,
                                                              std::uint64_t to) override;
  [[nodiscard]] Result<std::vector<proto::SnapshotRecord>> read_snapshots(
      std::string_view doc) override;
  [[nodiscard]] Result<std::vector<DocumentSummary>> list() override;
  [[nodiscard]] Result<void> write_snapshot(std::string_view doc,
                                            const proto::SnapshotRecord& snapshot) override;
  [[nodiscard]] Result<void> remove(std::string_view doc) override;
  [[nodiscard]] Result<void> put_version(std::string_view doc,
                                         const proto::NamedVersion& version) override;
  [[nodiscard]] Result<std::vector<proto::NamedVersion>> read_versions(
      std::string_view doc) override;
  [[nodiscard]] Result<void> remove_version(std::string_view doc, std::string_view name) override;

  [[nodiscard]] CommitStats commit_stats() const;
  // Empty, or what opening left out: the write-ahead log's incomplete last record (a write
  // torn by a crash, never acknowledged; or damage there), with RocksDB's words and the file.
  // The server logs it; weft-replay verify fails on it.
  [[nodiscard]] const std::string& recovery_note() const;
  // Writable, or why not (a full disk, an I/O error; "opened read-only"). Thread-safe and cheap.
  [[nodiscard]] StoreHealth health() const override;
  // Reads every table file and checks every block's checksum (reads check only the blocks they
  // touch): Errc::corrupt naming the file if one is damaged. Blocks; for weft-replay verify.
  [[nodiscard]] Result<void> verify_files();
  // Flushes every memtable to table files and compacts every column family down to its last
  // level, dropping deleted and overwritten values: afterwards the directory's table files hold
  // just the live data (the benchmark's disk_bytes measures it so). Blocks; Errc::read_only on a
  // read-only store.
  [[nodiscard]] Result<void> compact();

  struct Impl;  // rocksdb_store_impl.hpp: the RocksDB handles and the commit queue

 private:
  explicit RocksDbStore(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::storage
