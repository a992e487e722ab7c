// ip_limiter.cpp — IpLimiter's counts and its tickets.
#include "server/transport/ip_limiter.hpp"

#include <utility>

namespace weft::server::transport {

IpLimiter::Ticket::Ticket(IpLimiter* limiter, std::string address)
    : limiter_(limiter), address_(std::move(address)) {}

IpLimiter::Ticket::Ticket(Ticket&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)), address_(std::move(other.address_)) {}

IpLimiter::Ticket& IpLimiter::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    release();
    limiter_ = std::exchange(other.limiter_, nullptr);
    address_ = std::move(other.address_);
  }
  return *this;
}

IpLimiter::Ticket::~Ticket() { release(); }

void IpLimiter::Ticket::release() {
  if (limiter_ != nullptr) std::exchange(limiter_, nullptr)->release(address_);
}

std::optional<IpLimiter::Ticket> IpLimiter::acquire(const std::string& address) {
  const std::lock_guard lock(mutex_);
  if (total_ >= max_total_) return std::nullopt;
  std::uint64_t& open = open_[address];
  if (open >= max_per_address_) {
    if (open == 0) open_.erase(address);
    return std::nullopt;
  }
  ++open;
  ++total_;
  if (open_gauge_ != nullptr) open_gauge_->Increment();
  return Ticket(this, address);
}

std::uint64_t IpLimiter::count(const std::string& address) const {
  const std::lock_guard lock(mutex_);
  const auto it = open_.find(address);
  return it == open_.end() ? 0 : it->second;
}

void IpLimiter::release(const std::string& address) {
  const std::lock_guard lock(mutex_);
  const auto it = open_.find(address);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
  --total_;
  if (open_gauge_ != nullptr) open_gauge_->Decrement();
}

std::uint64_t IpLimiter::total() const {
  const std::lock_guard lock(mutex_);
  return total_;
}

}  // namespace weft::server::transport
