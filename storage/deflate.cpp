// deflate.cpp — deflate_value() and inflate_value() over zlib's one-shot calls.
#include "storage/deflate.hpp"

#include <cstdint>

#include <zlib.h>

namespace weft::storage {

namespace {

constexpr std::size_t length_bytes = 4;
constexpr int level = 6;

}  // namespace

std::string deflate_value(std::string_view value) {
  uLongf size = compressBound(static_cast<uLong>(value.size()));
  std::string out(length_bytes + size, '\0');
  const auto length = static_cast<std::uint32_t>(value.size());
  for (std::size_t i = 0; i < length_bytes; ++i) {
    out[i] = static_cast<char>((length >> (8 * i)) & 0xFFU);
  }
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): zlib's byte pointers
  auto* dest = reinterpret_cast<Bytef*>(out.data() + length_bytes);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast)
  const auto* source = reinterpret_cast<const Bytef*>(value.data());
  const int status = compress2(dest, &size, source, static_cast<uLong>(value.size()), level);
  // compressBound() is enough by zlib's contract; anything else is a bug in this call.
  if (status != Z_OK) return {};
  out.resize(length_bytes + size);
  return out;
}

std::optional<std::string> inflate_value(std::string_view deflated, std::size_t max_bytes) {
  if (deflated.size() < length_bytes) return std::nullopt;
  std::uint32_t length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i) {
    length |= std::uint32_t{static_cast<unsigned char>(deflated[i])} << (8 * i);
  }
  if (length > max_bytes) return std::nullopt;
  std::string out(length, '\0');
  uLongf size = length;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): zlib's byte pointers
  auto* dest = reinterpret_cast<Bytef*>(out.data());
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast)
  const auto* source = reinterpret_cast<const Bytef*>(deflated.data() + length_bytes);
  const int status =
      uncompress(dest, &size, source, static_cast<uLong>(deflated.size() - length_bytes));
  if (status != Z_OK || size != length) return std::nullopt;
  return out;
}

}  // namespace weft::storage
