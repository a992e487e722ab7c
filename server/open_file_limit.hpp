// open_file_limit.hpp — the process's open-file limit (RLIMIT_NOFILE), raised at startup so that
// the common soft limit of 1024 does not cap the server's connections, and what it leaves for
// client sockets.
#pragma once
#include <cstdint>
#include <string>

namespace weft::server {

struct OpenFileLimit {
  std::uint64_t soft = 0;  // after raising
  std::uint64_t hard = 0;
  bool raised = false;  // the soft limit was below the hard one and is now equal to it
  std::string error;    // why raising failed (empty when it did not)
};

// Raises the soft limit to the hard one where the system allows it.
[[nodiscard]] OpenFileLimit raise_open_file_limit();

// Descriptors kept for the store, the log and the process itself (RocksDB opens table files).
constexpr std::uint64_t reserved_descriptors = 256;

// `wanted` clipped so that that many sockets plus reserved_descriptors fit under `soft` (at least
// 16).
[[nodiscard]] std::uint64_t connections_that_fit(std::uint64_t wanted, std::uint64_t soft);

}  // namespace weft::server
