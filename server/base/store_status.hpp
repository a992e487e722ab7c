// store_status.hpp — StoreStatus: whether the store takes writes now, and why not, as the server
// last saw it. main()'s store watch sets it (server_main.cpp); /healthz shows it. Thread-safe.
#pragma once
#include <mutex>
#include <string>

namespace weft::server::base {

class StoreStatus {
 public:
  struct View {
    bool writable = true;
    std::string reason;  // why not, when !writable: the store's words
    // False when acknowledged writes are not durable (Redis with --redis-durability relaxed).
    bool durable = true;
  };

  void set(View view);
  [[nodiscard]] View get() const;

 private:
  mutable std::mutex mu_;
  View view_;  // guarded by mu_
};

}  // namespace weft::server::base
