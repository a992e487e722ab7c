// snapshot_policy.cpp — SnapshotPolicy::due().
#include "storage/snapshot_policy.hpp"

namespace weft::storage {

bool SnapshotPolicy::due(std::uint64_t ops_since_last, double seconds_since_last) const {
  if (ops_since_last == 0) return false;
  if (every_ops > 0 && ops_since_last >= every_ops) return true;
  return every_seconds > 0 && seconds_since_last >= every_seconds;
}

}  // namespace weft::storage
