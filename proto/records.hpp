// records.hpp — the stored records as plain C++ values, and their Protobuf encoding.
//
// The store (storage/) and the tools see records only through these types: the generated
// Protobuf classes stay inside proto/. Decoding validates: wrong wire format, out-of-range
// integers, invalid UTF-8 and inconsistent columns are errors (Errc), never crashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "crdt/op.hpp"
#include "crdt/result.hpp"
#include "crdt/snapshot.hpp"

namespace weft::proto {

template <class T>
using Result = crdt::Result<T>;

enum class Errc {
  malformed = 1,    // not a record of this type (protobuf parse failed)
  bad_field,        // a field out of range or inconsistent (e.g. column lengths differ)
  bad_utf8,         // text or id not valid UTF-8
  unsupported_algo  // snapshot or document of an algorithm this build does not know
};
[[nodiscard]] const std::error_category& category();
[[nodiscard]] std::error_code make_error_code(Errc e);

struct OpRecord {
  std::uint64_t index = 0;
  std::int64_t server_time_us = 0;
  std::string user_id;
  crdt::Op op;
  friend bool operator==(const OpRecord&, const OpRecord&) = default;
};

struct SnapshotRecord {
  std::uint32_t algo = 1;
  std::uint64_t log_index = 0;  // covers log records [0, log_index)
  std::int64_t created_us = 0;
  crdt::Snapshot state;
  friend bool operator==(const SnapshotRecord&, const SnapshotRecord&) = default;
};

struct ReplicaEntry {
  crdt::ReplicaId replica = 0;
  std::string user_id;
  std::string display_name;
  std::int64_t first_seen_us = 0;
  std::string resume_hash;  // SHA-256 of the replica's resume token (32 bytes), or empty
  friend bool operator==(const ReplicaEntry&, const ReplicaEntry&) = default;
};

struct DocumentMeta {
  std::string id;
  std::int64_t created_us = 0;
  std::uint64_t epoch = 0;
  std::uint32_t algo = 1;
  std::vector<ReplicaEntry> replicas;  // ascending by replica
  friend bool operator==(const DocumentMeta&, const DocumentMeta&) = default;
};

// A name for version `at` of a document (records.proto NamedVersion).
struct NamedVersion {
  std::string name;  // is_valid_version_name()
  std::uint64_t at = 0;
  std::string user_id;
  std::int64_t created_us = 0;
  friend bool operator==(const NamedVersion&, const NamedVersion&) = default;
};

// The longest version name, in bytes.
inline constexpr std::size_t max_version_name_bytes = 200;
// True for 1..max_version_name_bytes bytes of UTF-8 without control characters (U+0000..U+001F,
// U+007F..U+009F).
[[nodiscard]] bool is_valid_version_name(std::string_view name);

[[nodiscard]] std::string encode(const OpRecord& record);
[[nodiscard]] std::string encode(const SnapshotRecord& record);
[[nodiscard]] std::string encode(const DocumentMeta& record);
[[nodiscard]] std::string encode(const NamedVersion& record);
[[nodiscard]] Result<OpRecord> decode_op_record(std::string_view bytes);
[[nodiscard]] Result<SnapshotRecord> decode_snapshot_record(std::string_view bytes);
[[nodiscard]] Result<DocumentMeta> decode_document_meta(std::string_view bytes);
// Errc::bad_utf8 for a name or user that is not UTF-8, bad_field for a name that is not
// is_valid_version_name().
[[nodiscard]] Result<NamedVersion> decode_named_version(std::string_view bytes);

// Consecutive log records as one OpLogChunk (records.proto), column-encoded so that typing costs
// a few bytes per record. Requires: every record valid (as decode_op_record() would accept it)
// and indexes consecutive. An empty span encodes an empty chunk.
[[nodiscard]] std::string encode_chunk(std::span<const OpRecord> records);
// The records of a chunk, in index order from its first_index. Each record passes the checks of
// decode_op_record(); columns must agree in length and dictionary indexes must be in range.
// decode_chunk(encode_chunk(v)) == v.
[[nodiscard]] Result<std::vector<OpRecord>> decode_chunk(std::string_view bytes);

}  // namespace weft::proto

template <>
struct std::is_error_code_enum<weft::proto::Errc> : std::true_type {};
