// format.hpp — how weft-replay writes times, text and position lists, and parses times back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::replay {

// "2024-05-01T12:34:56.789012Z": ISO 8601 UTC with microseconds (server times are exact).
[[nodiscard]] std::string format_time(std::int64_t unix_us);
// Accepts "YYYY-MM-DDTHH:MM:SS[.frac]Z" (UTC; 'T' may be a space, 'Z' may be omitted) or a plain
// integer of microseconds since the Unix epoch. nullopt if it is neither.
[[nodiscard]] std::optional<std::int64_t> parse_time(std::string_view text);

// The text between double quotes, with \n, \t, \r, \\, \" and \xNN for other control bytes.
// Non-ASCII UTF-8 passes through unchanged.
[[nodiscard]] std::string quote(std::string_view utf8);
// Like quote() without the quotes, cut to at most `max_code_points` code points ("..." appended
// when cut).
[[nodiscard]] std::string escape_preview(std::string_view utf8, std::uint64_t max_code_points);

// "12", "12-15" or "3-4,9": sorted positions written as ranges (inclusive ends).
[[nodiscard]] std::string format_positions(const std::vector<std::uint64_t>& sorted);

// Parses a non-negative decimal integer; nullopt on anything else.
[[nodiscard]] std::optional<std::uint64_t> parse_index(std::string_view text);

}  // namespace weft::replay
