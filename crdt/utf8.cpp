// utf8.cpp — strict UTF-8 validation and code-point indexing.
#include "crdt/utf8.hpp"

namespace weft::crdt::utf8 {

namespace {

// Length of the well-formed sequence starting at p, or 0 if it is not one.
std::size_t sequence_length(const unsigned char* p, const unsigned char* end) {
  const unsigned char b0 = p[0];
  if (b0 < 0x80) return 1;
  const auto avail = static_cast<std::size_t>(end - p);
  auto cont = [&](std::size_t i) { return i < avail && (p[i] & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (avail < 2) return 0;
    const unsigned char b1 = p[1];
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // surrogate U+D800..U+DFFF
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (avail < 2) return 0;
    const unsigned char b1 = p[1];
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

}  // namespace

std::optional<std::uint64_t> count_code_points(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  std::uint64_t count = 0;
  while (p != end) {
    // Eight ASCII bytes at a time: the common case for source text and prose.
    while (end - p >= 8) {
      std::uint64_t word = 0;
      for (int i = 0; i < 8; ++i) word |= std::uint64_t{p[i]} << (8 * i);
      if (word & 0x8080808080808080ULL) break;
      p += 8;
      count += 8;
    }
    if (p == end) break;
    const std::size_t n = sequence_length(p, end);
    if (n == 0) return std::nullopt;
    p += n;
    ++count;
  }
  return count;
}

std::size_t byte_offset(std::string_view text, std::uint64_t index) {
  std::size_t at = 0;
  for (; index > 0 && at < text.size(); --index) {
    const auto b = static_cast<unsigned char>(text[at]);
    at += b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  }
  return at;
}

}  // namespace weft::crdt::utf8
