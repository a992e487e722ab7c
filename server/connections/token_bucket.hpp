// token_bucket.hpp — TokenBucket: a refilling allowance that rate limits one connection's input.
//
// The bucket refills at `rate` tokens a second up to `capacity`. take(cost) succeeds when the
// bucket holds min(cost, capacity) tokens and then removes the whole cost, so the level may go
// below zero: a single request larger than the capacity is admitted once the bucket is full and
// later requests wait until the debt is repaid. Requests are never queued: a refused one costs
// nothing. Not thread-safe (a Connection owns its buckets and is driven serially).
#pragma once
#include <chrono>

namespace weft::server::connections {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts full.
  TokenBucket(double rate, double capacity, Clock::time_point now);

  // True if a request of `cost` would be admitted now (the bucket holds min(cost, capacity)).
  [[nodiscard]] bool fits(double cost, Clock::time_point now);
  // True (and the cost is taken) if the request fits; false leaves the bucket unchanged.
  [[nodiscard]] bool take(double cost, Clock::time_point now);
  // The level after refilling up to `now` (negative while in debt).
  [[nodiscard]] double level(Clock::time_point now);

 private:
  void refill(Clock::time_point now);

  double rate_;
  double capacity_;
  double tokens_;
  Clock::time_point refilled_;
};

}  // namespace weft::server::connections
