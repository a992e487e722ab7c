// count_option.hpp — the value of a count option of weft-bench (--runs N, --ops N, ...).
#pragma once

#include <cstdlib>
#include <optional>

namespace weft::bench {

// `text` as a decimal integer in [min, 1000000]; nullopt if it is anything else.
[[nodiscard]] inline std::optional<int> parse_count(const char* text, int min) {
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || value < min || value > 1000000) return std::nullopt;
  return static_cast<int>(value);
}

}  // namespace weft::bench
