// error_frame.cpp — error frames from the spec's error table.
#include "proto/error_frame.hpp"

#include <utility>

namespace weft::proto {

Error make_error(ErrorCode code, std::string message, std::optional<std::string> doc,
                 std::optional<crdt::Id> op) {
  return Error{static_cast<std::uint64_t>(code), std::string(error_name(code)), std::move(message),
               std::move(doc), op};
}

std::uint64_t op_rejected_code(crdt::Errc why) {
  return static_cast<std::uint64_t>(ErrorCode::op_rejected_base) + static_cast<std::uint64_t>(why);
}

Error op_rejected(std::error_code why, std::string doc, crdt::Id op) {
  const bool ours = why.category() == crdt::category();
  const std::uint64_t code = static_cast<std::uint64_t>(ErrorCode::op_rejected_base) +
                             static_cast<std::uint64_t>(why.value());
  return Error{code,
               ours ? std::string(crdt::errc_name(static_cast<crdt::Errc>(why.value())))
                    : std::string(error_name(ErrorCode::internal_error)),
               why.message(), std::move(doc), op};
}

}  // namespace weft::proto
