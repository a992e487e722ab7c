// ip_limiter_test.cpp — server/transport/ip_limiter.hpp: WebSocket slots per client address.
#include "server/transport/ip_limiter.hpp"

#include <optional>
#include <utility>

#include <doctest/doctest.h>

namespace weft::server::transport {

TEST_SUITE("ip limiter") {
  TEST_CASE("an address gets at most the maximum of slots") {
    IpLimiter limiter(2);
    auto a = limiter.acquire("10.0.0.1");
    auto b = limiter.acquire("10.0.0.1");
    CHECK(a.has_value());
    CHECK(b.has_value());
    CHECK_FALSE(limiter.acquire("10.0.0.1").has_value());
    CHECK(limiter.acquire("10.0.0.2").has_value());
  }

  TEST_CASE("a destroyed ticket gives its slot back, a moved one only once") {
    IpLimiter limiter(1);
    {
      auto a = limiter.acquire("::1");
      REQUIRE(a.has_value());
      std::optional<IpLimiter::Ticket> moved(std::move(*a));
      a.reset();
      CHECK(limiter.count("::1") == 1);
    }
    CHECK(limiter.count("::1") == 0);
    CHECK(limiter.acquire("::1").has_value());
  }
}

}  // namespace weft::server::transport
