// document_store.hpp — the durable home of every document: metadata, operation log, snapshots,
// named versions.
//
// A narrow interface with three implementations: RocksDbStore (rocksdb_store.hpp), RedisStore
// (redis_store.hpp, shared by a cluster's nodes) and MemoryStore (memory_store.hpp, for tests).
// No RocksDB or Redis type crosses it. Every method is safe to call from any
// thread; appends from many threads are committed together (group commit, rocksdb_store.hpp).
//
// Contract:
//   - append() returns success only once the records are durable (the WAL is synced). Records of
//     one document have dense indexes 0, 1, 2, ... in append order; an append whose first index is
//     not the document's next index fails with Errc::index_gap and writes nothing.
//   - load() = metadata + the newest snapshot + every log record after it. The log is never
//     trimmed by snapshots: read_log() serves any range, for replay.
//   - Corruption of one document (bad checksum, undecodable or inconsistent record) is reported
//     as Errc::corrupt with the document id and log index in the message, and never stops other
//     documents from loading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <tl/expected.hpp>

#include "proto/records.hpp"
#include "storage/store_health.hpp"

namespace weft::storage {

enum class Errc {
  not_found = 1,      // no such document
  already_exists,     // create() of an existing document
  bad_document_id,    // empty, longer than 128 bytes, or outside [A-Za-z0-9._~-]
  index_gap,          // append() not continuing the log at its next index
  corrupt,            // checksum or record validation failed (message names doc and index)
  io_error,           // the underlying store failed (I/O error, permissions, ...)
  read_only,          // a write on a store opened read-only
  no_space,           // the disk is full: writes fail until space is freed, reads go on
  bad_version_name,   // a version name that is not proto::is_valid_version_name()
  version_exists,     // put_version() of a name the document already has
  unknown_version,    // remove_version() of a name the document does not have
  too_many_versions,  // put_version() on a document holding max_named_versions
  fenced,             // a write carrying a fencing token below the document's (RedisStore)
};
[[nodiscard]] const std::error_category& category();
[[nodiscard]] std::error_code make_error_code(Errc e);

// An error with the detail an operator needs: the code to branch on, and a message naming the
// document, the log index and the underlying cause.
struct StoreError {
  std::error_code code;
  std::string message;
};

template <class T>
using Result = tl::expected<T, StoreError>;

struct LoadedDocument {
  proto::DocumentMeta meta;
  std::optional<proto::SnapshotRecord> snapshot;  // the newest one, if any
  std::vector<proto::OpRecord> tail;              // log records from snapshot->log_index on
  std::uint64_t next_index = 0;                   // number of log records
};

// What history readers check before trusting a cache: the metadata and the log's length.
struct DocumentHead {
  proto::DocumentMeta meta;
  std::uint64_t next_index = 0;  // number of log records
};

struct DocumentSummary {
  std::string id;
  std::uint64_t op_count = 0;
  std::int64_t last_change_us = 0;  // server time of the last log record (or creation)
  std::uint64_t bytes = 0;          // approximate on-disk size of its records
};

// The named versions one document may hold (docs/http-api.md, "Named versions").
inline constexpr std::size_t max_named_versions = 1000;

// True for ids the store accepts: 1..128 bytes of [A-Za-z0-9._~-].
[[nodiscard]] bool is_valid_document_id(std::string_view id);

class DocumentStore {
 public:
  virtual ~DocumentStore() = default;

  [[nodiscard]] virtual Result<void> create(const proto::DocumentMeta& meta) = 0;
  // Replaces the metadata (e.g. a new replica in the table). Durable on return.
  [[nodiscard]] virtual Result<void> update_meta(const proto::DocumentMeta& meta) = 0;
  [[nodiscard]] virtual Result<void> append(std::string_view doc,
                                            std::span<const proto::OpRecord> records) = 0;
  [[nodiscard]] virtual Result<LoadedDocument> load(std::string_view doc) = 0;
  // The metadata and the log's length, without the snapshot or any record: cheap.
  [[nodiscard]] virtual Result<DocumentHead> read_head(std::string_view doc) = 0;
  // Log records with from <= index < to (to clamped to the log's end).
  [[nodiscard]] virtual Result<std::vector<proto::OpRecord>> read_log(std::string_view doc,
                                                                      std::uint64_t from,
                                                                      std::uint64_t to) = 0;
  [[nodiscard]] virtual Result<std::vector<proto::SnapshotRecord>> read_snapshots(
      std::string_view doc) = 0;
  [[nodiscard]] virtual Result<std::vector<DocumentSummary>> list() = 0;
  // Stores a snapshot and, in the same atomic write, deletes the ones older than the newest
  // keep_snapshots (a store option, default 2; 0 keeps all). The log is never trimmed.
  [[nodiscard]] virtual Result<void> write_snapshot(std::string_view doc,
                                                    const proto::SnapshotRecord& snapshot) = 0;
  // Deletes the document, its log, its snapshots and its named versions, in one atomic write.
  [[nodiscard]] virtual Result<void> remove(std::string_view doc) = 0;

  // Named versions (proto::NamedVersion): names for versions of a document, unique per document,
  // at most max_named_versions of them. put_version() checks, atomically with the write: the
  // name is valid (bad_version_name), the document exists (not_found), version.at is at most
  // the log's length (index_gap), the name is new (version_exists) and the document holds fewer
  // than max_named_versions (too_many_versions). Durable on return.
  [[nodiscard]] virtual Result<void> put_version(std::string_view doc,
                                                 const proto::NamedVersion& version) = 0;
  // The document's named versions sorted by `at`, then by name.
  [[nodiscard]] virtual Result<std::vector<proto::NamedVersion>> read_versions(
      std::string_view doc) = 0;
  // Errc::unknown_version if the document has no version `name`.
  [[nodiscard]] virtual Result<void> remove_version(std::string_view doc,
                                                    std::string_view name) = 0;

  // Whether writes work now (store_health.hpp). A store without failure modes of its own (the
  // memory store) is always writable.
  [[nodiscard]] virtual StoreHealth health() const { return {}; }
};

}  // namespace weft::storage

template <>
struct std::is_error_code_enum<weft::storage::Errc> : std::true_type {};
