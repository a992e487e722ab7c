// result.hpp — Result<T>: a value or the error_code that explains its absence.
//
// tl::expected is header-only and spelled like C++23 std::expected, which replaces it later.
#pragma once

#include <system_error>

#include <tl/expected.hpp>

namespace weft::crdt {

template <class T>
using Result = tl::expected<T, std::error_code>;

inline tl::unexpected<std::error_code> fail(std::error_code ec) { return tl::unexpected(ec); }

}  // namespace weft::crdt
