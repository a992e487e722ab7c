// redis_reply.hpp — RedisReply: one reply of a Redis command, copied out of hiredis.
//
// Private to storage/. Plain data, so that no hiredis type leaves redis_pool.cpp. RESP2 only
// (hiredis 0.14): strings are binary-safe; Lua `false` and missing values are nil.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace weft::storage {

struct RedisReply {
  enum class Type : std::uint8_t { string, array, integer, nil, status, error };
  Type type = Type::nil;
  std::string str;  // string, status and error replies
  std::int64_t integer = 0;
  std::vector<RedisReply> elements;  // array replies

  [[nodiscard]] bool is_error() const { return type == Type::error; }
  [[nodiscard]] bool is_nil() const { return type == Type::nil; }
};

}  // namespace weft::storage
