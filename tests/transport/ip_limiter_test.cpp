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

  TEST_CASE("all addresses together get at most the total, and the gauge follows the slots") {
    prometheus::Gauge gauge;
    IpLimiter limiter(2, 3, &gauge);
    auto a = limiter.acquire("10.0.0.1");
    auto b = limiter.acquire("10.0.0.2");
    auto c = limiter.acquire("10.0.0.3");
    CHECK((a && b && c));
    CHECK_FALSE(limiter.acquire("10.0.0.4").has_value());
    CHECK(limiter.total() == 3);
    CHECK(gauge.Value() == 3);
    b.reset();
    CHECK(gauge.Value() == 2);
    CHECK(limiter.acquire("10.0.0.4").has_value());
    CHECK(limiter.total() == 2);
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
