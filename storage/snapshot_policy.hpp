// snapshot_policy.hpp — when the owner of a document should write a new snapshot.
//
// A snapshot bounds how much log a load() replays; it never replaces the log (README.md).
#pragma once

#include <cstdint>

namespace weft::storage {

struct SnapshotPolicy {
  std::uint64_t every_ops = 1000;  // 0 = never because of the op count
  double every_seconds = 30;       // 0 = never because of time

  // True when a snapshot is due: every_ops ops since the last one, or every_seconds seconds and at
  // least one op (an idle document needs no new snapshot).
  [[nodiscard]] bool due(std::uint64_t ops_since_last, double seconds_since_last) const;
};

}  // namespace weft::storage
