// error_frame.hpp — the one place error frames are built: the spec's error table
// (PROTOCOL.md, "Errors") as functions, so every sender names codes the same way.
//
// An error frame's `code` is an ErrorCode, or op_rejected_base + crdt::Errc for an op the
// document model refused; `name` is the code's name from the same table.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include "crdt/errc.hpp"
#include "crdt/op.hpp"
#include "proto/frame.hpp"

namespace weft::proto {

// The error frame of `code`, about document `doc` and op `op` when given.
[[nodiscard]] Error make_error(ErrorCode code, std::string message,
                               std::optional<std::string> doc = std::nullopt,
                               std::optional<crdt::Id> op = std::nullopt);

// The wire code of an op the document model refused with `why`: op_rejected_base + why.
[[nodiscard]] std::uint64_t op_rejected_code(crdt::Errc why);

// The error frame of op `op` of document `doc`, refused by the document model with `why`: code
// op_rejected_code(why) and the crdt::Errc's name; an error of another category (a bug) is sent
// as internal_error's name under op_rejected_base + its value.
[[nodiscard]] Error op_rejected(std::error_code why, std::string doc, crdt::Id op);

}  // namespace weft::proto
