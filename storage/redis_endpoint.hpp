// redis_endpoint.hpp — where a Redis server is: parsing `redis://HOST:PORT[/DB]`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/document_store.hpp"

namespace weft::storage {

struct RedisEndpoint {
  std::string host;
  std::uint16_t port = 6379;
  std::uint32_t db = 0;  // SELECTed on every connection

  // "HOST:PORT/DB", for messages.
  [[nodiscard]] std::string describe() const;
};

// `redis://HOST[:PORT][/DB]`; HOST a name, an IPv4 address or a bracketed IPv6 address. No user,
// password or query (Errc::io_error naming what is wrong).
[[nodiscard]] Result<RedisEndpoint> parse_redis_url(std::string_view url);

}  // namespace weft::storage
