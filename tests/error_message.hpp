// error_message.hpp — the message of a failed result, for REQUIRE_MESSAGE(result, ...).
//
// doctest evaluates a _MESSAGE argument lazily, whenever it logs the assertion: on failure, and
// on success too under -s (--success). `REQUIRE_MESSAGE(r, r.error().message)` then reads the
// error of a result that holds a value (undefined behaviour: doctest crashed printing a garbage
// string). error_message(r) is empty when r holds a value.
#pragma once

#include <string>

namespace weft::testing {

template <class Result>
std::string error_message(const Result& result) {
  if (result.has_value()) return {};
  if constexpr (requires { result.error().message; }) {
    return result.error().message;
  } else {
    return std::string(result.error());
  }
}

}  // namespace weft::testing
