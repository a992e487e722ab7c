// clock.hpp — the server's wall clock for records: microseconds since the Unix epoch.
#pragma once
#include <chrono>
#include <cstdint>

namespace weft::server::base {

// Server time of a log record or a document's creation.
[[nodiscard]] inline std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace weft::server::base
