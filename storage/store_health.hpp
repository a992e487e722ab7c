// store_health.hpp — StoreHealth: whether a store takes writes now, and why not.
//
// Each store says it in its own terms (DocumentStore::health()): RocksDB from its background
// error listener (a full disk), Redis from the outcome of its last write (Redis down or
// refusing). The server's store watch polls it for /healthz, the log and /metrics.
#pragma once

#include <cstdint>
#include <string>

namespace weft::storage {

struct StoreHealth {
  bool writable = true;
  std::string reason;                // why not, when !writable: the store's own words
  std::uint64_t write_failures = 0;  // writes that failed since open
};

}  // namespace weft::storage
