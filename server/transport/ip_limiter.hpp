// ip_limiter.hpp — IpLimiter: counts the open WebSockets of each client address, so that one
// address cannot hold more than max_connections_per_ip of them.
//
// The HTTP session asks for a Ticket before it upgrades (none: the upgrade is answered with 429);
// the WebSocket session holds the ticket until its socket is done, and the ticket's destructor
// gives the slot back. Thread-safe: sessions of every strand share one limiter (owned by main(),
// which outlives them). The mutex is taken only when a WebSocket opens or ends.
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace weft::server::transport {

class IpLimiter {
 public:
  // One address's slot; releases it when destroyed. Move-only.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket();

   private:
    friend class IpLimiter;
    Ticket(IpLimiter* limiter, std::string address);
    void release();

    IpLimiter* limiter_ = nullptr;  // null once released or moved from
    std::string address_;
  };

  explicit IpLimiter(std::uint64_t max_per_address) : max_per_address_(max_per_address) {}
  IpLimiter(const IpLimiter&) = delete;
  IpLimiter& operator=(const IpLimiter&) = delete;

  // A slot for `address` (the client's IP as text), or none when it already holds the maximum.
  [[nodiscard]] std::optional<Ticket> acquire(const std::string& address);
  // Open slots of `address` now.
  [[nodiscard]] std::uint64_t count(const std::string& address) const;

 private:
  void release(const std::string& address);

  const std::uint64_t max_per_address_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::uint64_t> open_;  // addresses with at least one slot
};

}  // namespace weft::server::transport
