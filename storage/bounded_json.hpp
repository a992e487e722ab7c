// bounded_json.hpp — parsing untrusted JSON with bounded nesting: access tokens (server/auth),
// HTTP API bodies (server/api) and exported logs read back (json_log.hpp, weft-replay --log).
//
// nlohmann's copies, comparisons, dumps and (in some versions) its parser recurse once per level
// of nesting, so a few hundred KiB of `[[[[...` overflow the stack. parse_untrusted_json() first
// measures the nesting with a linear scan that does not recurse and refuses anything deeper than
// the limit before nlohmann sees a byte. Here rather than in server/: storage (json_log.cpp) and
// everything above it (the server's wings, tools/) may include it (scripts/check_layers.sh).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace weft::storage {

// Levels of arrays and objects any JSON we read may have: `[]` and `{}` are one level, a token's
// `{"docs": {...}}` two, a log record's delete targets four. Far beyond what any of them needs.
inline constexpr std::size_t max_json_depth = 64;

// The deepest nesting of arrays and objects in `text` (0 for a scalar), counting brackets outside
// strings. On invalid JSON the count is an upper bound of how deep a parser gets before it fails.
[[nodiscard]] std::size_t json_depth(std::string_view text);

// `text` as JSON; errors: "JSON nested deeper than N levels" (checked first, before any parsing)
// and "not JSON: <where it fails>". Never throws.
[[nodiscard]] tl::expected<nlohmann::json, std::string> parse_untrusted_json(
    std::string_view text, std::size_t max_depth = max_json_depth);

}  // namespace weft::storage
