// backpressure_test.cpp — the building blocks of the per-connection and per-address limits:
// TokenBucket (ops/s, bytes/s) and IpLimiter (connections per IP), with an explicit clock.
#include <chrono>
#include <string>
#include <utility>

#include <doctest/doctest.h>

#include "server/ip_limiter.hpp"
#include "server/token_bucket.hpp"

namespace weft::server {
namespace {

using namespace std::chrono_literals;
const TokenBucket::Clock::time_point t0{};

}  // namespace

TEST_SUITE("token bucket") {
  TEST_CASE("a full bucket admits its capacity, then refuses") {
    TokenBucket bucket(10, 20, t0);
    CHECK(bucket.take(20, t0));
    CHECK_FALSE(bucket.take(1, t0));
  }

  TEST_CASE("a refused request costs nothing") {
    TokenBucket bucket(10, 20, t0);
    CHECK(bucket.take(15, t0));
    CHECK_FALSE(bucket.take(10, t0));
    CHECK(bucket.level(t0) == doctest::Approx(5));
  }

  TEST_CASE("tokens refill at the rate up to the capacity") {
    TokenBucket bucket(10, 20, t0);
    CHECK(bucket.take(20, t0));
    CHECK(bucket.level(t0 + 500ms) == doctest::Approx(5));
    CHECK(bucket.level(t0 + 10s) == doctest::Approx(20));
  }

  TEST_CASE("a request above the capacity passes a full bucket and leaves it in debt") {
    TokenBucket bucket(10, 20, t0);
    CHECK(bucket.take(50, t0));
    CHECK(bucket.level(t0) == doctest::Approx(-30));
    CHECK_FALSE(bucket.take(1, t0 + 3s));
    CHECK(bucket.take(1, t0 + 3100ms));
  }
}

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

}  // namespace weft::server
