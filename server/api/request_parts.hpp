// request_parts.hpp — the pieces of a request target the API reads: query parameters, strict
// percent-decoding, counts.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::server::api {

// The raw (still percent-encoded) value of query parameter `name` in `target`, or nullopt.
[[nodiscard]] std::optional<std::string_view> query_value(std::string_view target,
                                                          std::string_view name);
// `text` with every %XX (two hex digits) replaced by its byte; nullopt for a `%` not followed by
// two hex digits. `+` stays `+` (RFC 3986: only the percent form encodes).
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text);
// A decimal count (digits only, no sign, fits 64 bits), or nullopt.
[[nodiscard]] std::optional<std::uint64_t> decimal_count(std::string_view text);
// A decimal integer, optionally negative (fits 64 bits), or nullopt.
[[nodiscard]] std::optional<std::int64_t> decimal_integer(std::string_view text);

}  // namespace weft::server::api
