// memory_store.hpp — MemoryStore: the in-memory twin of RocksDbStore, for tests.
//
// Same contract and same errors as RocksDbStore (document_store.hpp): values are kept sealed
// (record_format.hpp) and opened through the same checks. Nothing survives the object. One mutex
// guards everything; there is no group commit to speak of, since nothing is synced. The log stays
// one sealed record per index (no chunks: those only save disk space).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "storage/document_store.hpp"

namespace weft::storage {

struct MemoryStoreOptions {
  std::uint32_t keep_snapshots = 2;  // as RocksDbOptions::keep_snapshots (0 = keep all)
};

class MemoryStore final : public DocumentStore {
 public:
  using Options = MemoryStoreOptions;

  explicit MemoryStore(Options options = {}) : options_(options) {}

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

 private:
  struct Document {
    std::string meta;                                // sealed DocumentMeta
    std::vector<std::string> log;                    // sealed OpRecords, by index
    std::map<std::uint64_t, std::string> snapshots;  // sealed SnapshotRecords, by log_index
    std::map<std::string, std::string, std::less<>> versions;  // sealed NamedVersions, by name
  };

  // Requires: mu_ held. Errc::not_found if absent.
  [[nodiscard]] Result<Document*> find(std::string_view doc);

  const Options options_;
  std::mutex mu_;
  std::map<std::string, Document, std::less<>> documents_;  // guarded by mu_
};

}  // namespace weft::storage
