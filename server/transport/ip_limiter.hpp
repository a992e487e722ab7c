// ip_limiter.hpp — IpLimiter: counts the open connections of each client address (and of all of
// them), so that one address cannot hold more than its maximum.
//
// The server has two: one for WebSockets (max_connections_per_ip: the HTTP session asks for a
// Ticket before it upgrades, none: 429) and one for sockets of every kind (max_sockets_per_ip and
// max_connections: the listener asks on accept, none: 503 and closed). Whoever serves the socket
// holds the ticket until the socket is done, and the ticket's destructor gives the slot back.
// Thread-safe: sessions of every strand share one limiter (owned by main(), which outlives them).
// The mutex is taken only when a connection opens or ends.
#pragma once
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <prometheus/gauge.h>

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

  // `open` (may be null) follows the number of slots held.
  explicit IpLimiter(std::uint64_t max_per_address,
                     std::uint64_t max_total = std::numeric_limits<std::uint64_t>::max(),
                     prometheus::Gauge* open = nullptr)
      : max_per_address_(max_per_address), max_total_(max_total), open_gauge_(open) {}
  IpLimiter(const IpLimiter&) = delete;
  IpLimiter& operator=(const IpLimiter&) = delete;

  // A slot for `address` (the client's IP as text), or none when it already holds the maximum or
  // all addresses together do.
  [[nodiscard]] std::optional<Ticket> acquire(const std::string& address);
  // Open slots of `address` now.
  [[nodiscard]] std::uint64_t count(const std::string& address) const;
  // Open slots of all addresses now.
  [[nodiscard]] std::uint64_t total() const;

 private:
  void release(const std::string& address);

  const std::uint64_t max_per_address_;
  const std::uint64_t max_total_;
  prometheus::Gauge* const open_gauge_;
  mutable std::mutex mutex_;
  std::uint64_t total_ = 0;                              // by mutex_
  std::unordered_map<std::string, std::uint64_t> open_;  // addresses with at least one slot
};

}  // namespace weft::server::transport
