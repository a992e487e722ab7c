// backpressure_test.cpp — the building block of the per-connection limits: TokenBucket (frames/s,
// ops/s, bytes/s), with an explicit clock. (IpLimiter: tests/transport/ip_limiter_test.cpp.)
#include <chrono>

#include <doctest/doctest.h>

#include "server/connections/token_bucket.hpp"

namespace weft::server::connections {
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

}  // namespace weft::server::connections
