// token_bucket.cpp — TokenBucket's refill and admission.
#include "server/connections/token_bucket.hpp"

#include <algorithm>

namespace weft::server::connections {

TokenBucket::TokenBucket(double rate, double capacity, Clock::time_point now)
    : rate_(rate), capacity_(capacity), tokens_(capacity), refilled_(now) {}

bool TokenBucket::fits(double cost, Clock::time_point now) {
  refill(now);
  return tokens_ >= std::min(cost, capacity_);
}

bool TokenBucket::take(double cost, Clock::time_point now) {
  if (!fits(cost, now)) return false;
  tokens_ -= cost;
  return true;
}

double TokenBucket::level(Clock::time_point now) {
  refill(now);
  return tokens_;
}

void TokenBucket::refill(Clock::time_point now) {
  if (now <= refilled_) return;
  const double elapsed = std::chrono::duration<double>(now - refilled_).count();
  tokens_ = std::min(capacity_, tokens_ + elapsed * rate_);
  refilled_ = now;
}

}  // namespace weft::server::connections
