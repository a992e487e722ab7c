// json_log.hpp — the exported log file (`weft-replay export --format json`, read back by
// `--log FILE`; also GET /api/docs/{id}/log of weft-server).
//
//   {"format": "weft-log", "version": 1,
//    "meta": {"id", "created_us", "epoch", "algo", "replicas": [{"replica", "user_id",
//             "display_name", "first_seen_us"}]},
//    "records": [{"index", "time_us", "time", "user", "type": "insert", "replica", "seq",
//                 "lamport", "parent": [replica, seq], "text"}
//              | {..., "type": "delete", "targets": [[replica, seq, len], ...]}, ...]}
//
// One record per line. "time" (ISO 8601) is for readers and ignored when reading.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "proto/records.hpp"

namespace weft::storage {

// "2024-05-01T12:34:56.789012Z": ISO 8601 UTC with microseconds (the "time" field).
[[nodiscard]] std::string format_time(std::int64_t unix_us);

struct LogFile {
  proto::DocumentMeta meta;
  std::vector<proto::OpRecord> records;
};

// `utf8` as a JSON string literal (quotes included). Requires: valid UTF-8 (stored records are).
void append_json_string(std::string& out, std::string_view utf8);

[[nodiscard]] std::string log_header(const proto::DocumentMeta& meta);  // up to "records": [
[[nodiscard]] std::string log_record(const proto::OpRecord& record);    // one JSON object
[[nodiscard]] inline std::string log_footer() { return "\n]}\n"; }

// Reads a log file; the error names what is wrong (and where).
[[nodiscard]] tl::expected<LogFile, std::string> read_log_file(const std::string& path);

}  // namespace weft::storage
