// record_format.cpp — key encodings, CRC32C sealing and validated opening of stored values.
#include "storage/record_format.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace weft::storage::format {

namespace {

constexpr std::size_t index_bytes = 8;
constexpr std::size_t crc_bytes = 4;

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? (c >> 1) ^ 0x82F63B78U : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> crc_table = make_crc_table();

// Checks the checksum and returns the payload.
Result<std::string_view> unseal(std::string_view what, std::string_view value) {
  if (value.size() < crc_bytes)
    return error(Errc::corrupt, std::string(what) + ": value truncated");
  std::uint32_t stored = 0;
  for (std::size_t i = 0; i < crc_bytes; ++i) {
    stored |= std::uint32_t{static_cast<unsigned char>(value[i])} << (8 * i);
  }
  const std::string_view payload = value.substr(crc_bytes);
  if (crc32c(payload) != stored) return error(Errc::corrupt, std::string(what) + ": bad checksum");
  return payload;
}

std::string log_what(std::string_view doc, std::string_view kind, std::uint64_t index) {
  return describe(doc) + ": " + std::string(kind) + " " + std::to_string(index);
}

}  // namespace

std::string key_for(std::string_view doc, std::uint64_t index) {
  std::string key = doc_begin(doc);
  for (std::size_t i = index_bytes; i-- > 0;) {
    key.push_back(static_cast<char>((index >> (8 * i)) & 0xFFU));
  }
  return key;
}

std::string version_key(std::string_view doc, std::string_view name) {
  std::string key = doc_begin(doc);
  key.append(name);
  return key;
}

std::string doc_begin(std::string_view doc) {
  std::string key(doc);
  key.push_back('\x00');
  return key;
}

std::string doc_end(std::string_view doc) {
  std::string key(doc);
  key.push_back('\x01');
  return key;
}

std::optional<IndexedKey> split_key(std::string_view key) {
  if (key.size() < index_bytes + 1 || key[key.size() - index_bytes - 1] != '\x00') {
    return std::nullopt;
  }
  IndexedKey out;
  out.doc = key.substr(0, key.size() - index_bytes - 1);
  for (std::size_t i = key.size() - index_bytes; i < key.size(); ++i) {
    out.index = (out.index << 8) | static_cast<unsigned char>(key[i]);
  }
  return out;
}

std::uint32_t crc32c(std::string_view bytes) {
  std::uint32_t c = 0xFFFFFFFFU;
  for (const char ch : bytes)
    c = crc_table[(c ^ static_cast<unsigned char>(ch)) & 0xFFU] ^ (c >> 8);
  return c ^ 0xFFFFFFFFU;
}

std::string seal(std::string_view payload) {
  const std::uint32_t crc = crc32c(payload);
  std::string value;
  value.reserve(crc_bytes + payload.size());
  for (std::size_t i = 0; i < crc_bytes; ++i)
    value.push_back(static_cast<char>((crc >> (8 * i)) & 0xFFU));
  value.append(payload);
  return value;
}

Result<proto::OpRecord> open_op(std::string_view doc, std::uint64_t index, std::string_view value) {
  const std::string what = log_what(doc, "log record", index);
  auto payload = unseal(what, value);
  if (!payload) return tl::unexpected(std::move(payload.error()));
  auto record = proto::decode_op_record(*payload);
  if (!record) return error(Errc::corrupt, what + ": " + record.error().message());
  if (record->index != index) {
    return error(Errc::corrupt, what + ": record says index " + std::to_string(record->index));
  }
  return std::move(*record);
}

Result<std::vector<proto::OpRecord>> open_chunk(std::string_view doc, std::uint64_t first_index,
                                                std::optional<std::uint64_t> end_hint,
                                                std::string_view value) {
  const std::string end = end_hint ? std::to_string(*end_hint) : std::string("?");
  const std::string what =
      describe(doc) + ": log chunk [" + std::to_string(first_index) + ", " + end + ")";
  auto payload = unseal(what, value);
  if (!payload) return tl::unexpected(std::move(payload.error()));
  auto records = proto::decode_chunk(*payload);
  if (!records) return error(Errc::corrupt, what + ": " + records.error().message());
  if (records->empty()) return error(Errc::corrupt, what + ": no records");
  if (records->front().index != first_index) {
    return error(Errc::corrupt,
                 what + ": chunk says first index " + std::to_string(records->front().index));
  }
  return std::move(*records);
}

Result<proto::SnapshotRecord> open_snapshot(std::string_view doc, std::uint64_t log_index,
                                            std::string_view value) {
  const std::string what = log_what(doc, "snapshot at log index", log_index);
  auto payload = unseal(what, value);
  if (!payload) return tl::unexpected(std::move(payload.error()));
  auto record = proto::decode_snapshot_record(*payload);
  if (!record) return error(Errc::corrupt, what + ": " + record.error().message());
  if (record->log_index != log_index) {
    return error(Errc::corrupt,
                 what + ": record says log index " + std::to_string(record->log_index));
  }
  return std::move(*record);
}

Result<proto::DocumentMeta> open_meta(std::string_view doc, std::string_view value) {
  const std::string what = describe(doc) + ": metadata";
  auto payload = unseal(what, value);
  if (!payload) return tl::unexpected(std::move(payload.error()));
  auto meta = proto::decode_document_meta(*payload);
  if (!meta) return error(Errc::corrupt, what + ": " + meta.error().message());
  if (meta->id != doc) return error(Errc::corrupt, what + ": record names '" + meta->id + "'");
  return std::move(*meta);
}

Result<proto::NamedVersion> open_version(std::string_view doc, std::string_view name,
                                         std::string_view value) {
  const std::string what = describe(doc) + ": named version '" + std::string(name) + "'";
  auto payload = unseal(what, value);
  if (!payload) return tl::unexpected(std::move(payload.error()));
  auto version = proto::decode_named_version(*payload);
  if (!version) return error(Errc::corrupt, what + ": " + version.error().message());
  if (version->name != name) {
    return error(Errc::corrupt, what + ": record names '" + version->name + "'");
  }
  return std::move(*version);
}

Result<void> check_new_version(std::string_view doc, const proto::NamedVersion& version,
                               std::uint64_t log_length, bool name_taken, std::size_t held) {
  const std::string what = describe(doc) + ": named version '" + version.name + "'";
  if (version.at > log_length) {
    return error(Errc::index_gap, what + " at " + std::to_string(version.at) +
                                      " is beyond the log's end " + std::to_string(log_length));
  }
  if (name_taken) return error(Errc::version_exists, what + " exists");
  if (held >= max_named_versions) {
    return error(Errc::too_many_versions, what + ": the document holds " + std::to_string(held) +
                                              " named versions, the most it may");
  }
  return {};
}

void sort_versions(std::vector<proto::NamedVersion>& versions) {
  std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
    return a.at != b.at ? a.at < b.at : a.name < b.name;
  });
}

tl::unexpected<StoreError> error(Errc code, std::string message) {
  return tl::unexpected(StoreError{make_error_code(code), std::move(message)});
}

std::string describe(std::string_view doc) { return "document '" + std::string(doc) + "'"; }

}  // namespace weft::storage::format
