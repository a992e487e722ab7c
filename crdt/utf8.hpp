// utf8.hpp — strict UTF-8 for the document model: one element per Unicode scalar value.
//
// Accepts exactly the well-formed sequences of Unicode 15 §3.9 (no overlongs, no surrogates,
// nothing above U+10FFFF).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace weft::crdt::utf8 {

// Number of code points if `text` is well-formed UTF-8; nullopt otherwise.
[[nodiscard]] std::optional<std::uint64_t> count_code_points(std::string_view text);

// Byte offset of code point `index` in well-formed `text` (text.size() when index == count).
// Requires: text is well-formed and index <= its code-point count.
[[nodiscard]] std::size_t byte_offset(std::string_view text, std::uint64_t index);

[[nodiscard]] inline bool is_ascii(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace weft::crdt::utf8
