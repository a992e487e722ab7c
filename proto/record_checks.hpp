// record_checks.hpp — the checks decoding makes on an op without a replica, shared by the
// single-record decoder (records.cpp) and the chunk decoder (op_log_chunk.cpp). Private to proto/.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

#include "crdt/op.hpp"

namespace weft::proto::detail {

[[nodiscard]] bool is_replica(std::uint64_t replica);
[[nodiscard]] bool is_utf8(std::string_view text);
// Errc::bad_utf8 or Errc::bad_field for an op outside the ranges of crdt/README.md §3; {} if valid.
[[nodiscard]] std::error_code check_insert(const crdt::InsertOp& op);
[[nodiscard]] std::error_code check_delete(const crdt::DeleteOp& op);

}  // namespace weft::proto::detail
