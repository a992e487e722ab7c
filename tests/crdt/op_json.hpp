// op_json.hpp — an op as the shared test vectors write it (crdt/testdata/README.md): used by the
// CRDT vectors and the frame vectors (proto/testdata/frames/), so both spell ops one way.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "crdt/op.hpp"

namespace weft::crdt::testing {

// {"insert": {...}} or {"delete": {...}}; an insert whose text is not valid UTF-8 carries it as
// "text_hex" (JSON strings cannot hold it).
[[nodiscard]] nlohmann::ordered_json op_json(const Op& op);

// Lower-case hex of `bytes`.
[[nodiscard]] std::string to_hex(std::string_view bytes);

}  // namespace weft::crdt::testing
