// schedules.cpp — the digest, snapshot and unload schedules.
#include "server/documents/schedules.hpp"

#include <algorithm>
#include <utility>

#include "server/base/check.hpp"

namespace weft::server::documents {

DigestSchedule::Step DigestSchedule::poll(SteadyTime now) {
  if (!due_) return {};
  if (last_ && now < *last_ + interval_) {
    if (armed_) return {};
    armed_ = true;
    return {false, *last_ + interval_};
  }
  due_ = false;
  last_ = now;
  return {true, std::nullopt};
}

bool SnapshotSchedule::due(SteadyTime now) const {
  return !busy_ && policy_.due(ops_since_, std::chrono::duration<double>(now - last_).count());
}

std::uint64_t SnapshotSchedule::begin() {
  WEFT_CHECK(!busy_, "one snapshot write at a time");
  busy_ = true;
  return ops_since_;
}

void SnapshotSchedule::finished(std::uint64_t covered, bool written, SteadyTime now) {
  busy_ = false;
  if (!written) return;
  ops_since_ -= std::min(ops_since_, covered);
  last_ = now;
}

bool UnloadSchedule::arm(bool idle) {
  if (!idle || unloading_ || armed_for_ == activity_ + 1) return false;
  armed_for_ = activity_ + 1;
  return true;
}

}  // namespace weft::server::documents
