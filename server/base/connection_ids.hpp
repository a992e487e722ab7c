// connection_ids.hpp — ConnectionIds: the numbers that name connections (and the HTTP API's
// server-side writers) in documents' member tables and in log lines. Unique for the process's
// life. Thread-safe.
#pragma once
#include <atomic>
#include <cstdint>

namespace weft::server::base {

class ConnectionIds {
 public:
  [[nodiscard]] std::uint64_t next() { return next_.fetch_add(1, std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> next_{1};
};

}  // namespace weft::server::base
