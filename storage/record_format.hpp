// record_format.hpp — how the store lays records out: key encodings and checksummed values.
//
// Internal to storage/ (and its tests); README.md draws these bytes. Both stores seal values the
// same way and open them through the same checks, so they report corruption identically.
//   key   = doc id, 0x00, big-endian u64 index   (log, logchunk and snap column families)
//   key   = doc id, 0x00, version name            (version column family)
//   value = little-endian u32 CRC32C of payload, payload (a Protobuf record, proto/records.hpp)
// Document ids never contain 0x00 (is_valid_document_id), so [doc + 0x00, doc + 0x01) holds
// exactly one document's keys, in index order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/records.hpp"
#include "storage/document_store.hpp"

namespace weft::storage::format {

struct IndexedKey {
  std::string_view doc;
  std::uint64_t index = 0;
};

[[nodiscard]] std::string key_for(std::string_view doc, std::uint64_t index);
// The first key of `doc` (doc + 0x00) and the first key after it (doc + 0x01).
[[nodiscard]] std::string doc_begin(std::string_view doc);
[[nodiscard]] std::string doc_end(std::string_view doc);
// nullopt if `key` is not doc + 0x00 + 8 bytes.
[[nodiscard]] std::optional<IndexedKey> split_key(std::string_view key);

// The key of named version `name` of `doc`. Version names hold no 0x00 (no control character),
// so they sort between doc_begin(doc) and doc_end(doc) too.
[[nodiscard]] std::string version_key(std::string_view doc, std::string_view name);

// CRC32C (Castagnoli), as RocksDB and ext4 use.
[[nodiscard]] std::uint32_t crc32c(std::string_view bytes);
[[nodiscard]] std::string seal(std::string_view payload);

// Verify the checksum, decode, and check that the record is the one its key names; any failure
// is Errc::corrupt with a message naming the document and the index.
[[nodiscard]] Result<proto::OpRecord> open_op(std::string_view doc, std::uint64_t index,
                                              std::string_view value);
// The records of the log chunk stored under `first_index` (non-empty, dense from it). Messages
// name the chunk's index range [first_index, end_hint), "?" for an unknown end.
[[nodiscard]] Result<std::vector<proto::OpRecord>> open_chunk(std::string_view doc,
                                                              std::uint64_t first_index,
                                                              std::optional<std::uint64_t> end_hint,
                                                              std::string_view value);
[[nodiscard]] Result<proto::SnapshotRecord> open_snapshot(std::string_view doc,
                                                          std::uint64_t log_index,
                                                          std::string_view value);
// A named version stored under version_key(doc, name): the record must carry that name.
[[nodiscard]] Result<proto::NamedVersion> open_version(std::string_view doc, std::string_view name,
                                                       std::string_view value);
[[nodiscard]] Result<proto::DocumentMeta> open_meta(std::string_view doc, std::string_view value);

// put_version()'s checks, shared by both stores: version.at within the log's `log_length`
// (index_gap), the name new (version_exists), fewer than max_named_versions held
// (too_many_versions).
[[nodiscard]] Result<void> check_new_version(std::string_view doc,
                                             const proto::NamedVersion& version,
                                             std::uint64_t log_length, bool name_taken,
                                             std::size_t held);
// Sorts by `at`, then by name: the order read_versions() returns.
void sort_versions(std::vector<proto::NamedVersion>& versions);

[[nodiscard]] tl::unexpected<StoreError> error(Errc code, std::string message);
// "document 'doc'" — how every message names a document.
[[nodiscard]] std::string describe(std::string_view doc);

}  // namespace weft::storage::format
