// deflate.hpp — zlib compression of stored values that RocksDB would have compressed for us.
//
// Private to storage/. RedisStore keeps log chunks compressed (Redis stores values as given, while
// RocksDB compresses its table blocks), so that a document's history costs about the same in both.
// The sealed value inside is unchanged: it is opened through the same checks after inflating.
//   deflated = u32 little-endian length of the original, zlib stream (compress2, level 6)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace weft::storage {

[[nodiscard]] std::string deflate_value(std::string_view value);
// The original value; nullopt if `deflated` is not a well-formed deflated value or says it is
// larger than `max_bytes`.
[[nodiscard]] std::optional<std::string> inflate_value(std::string_view deflated,
                                                       std::size_t max_bytes);

}  // namespace weft::storage
