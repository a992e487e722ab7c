// schedules.hpp — when a document sends digests, writes snapshots and unloads: three small
// clocks of state and rules; Document owns the timers and does the I/O they call for.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>

#include "storage/snapshot_policy.hpp"

namespace weft::server::documents {

using SteadyTime = std::chrono::steady_clock::time_point;

// A digest of the durable state after commits, at most one per interval (PROTOCOL.md §7.6).
class DigestSchedule {
 public:
  explicit DigestSchedule(std::chrono::milliseconds interval) : interval_(interval) {}

  void committed() { due_ = true; }
  // What to do now, with the replica durable: send a digest, or arm the timer for `arm_at` (once
  // per wait), or nothing.
  struct Step {
    bool send = false;
    std::optional<SteadyTime> arm_at;
  };
  [[nodiscard]] Step poll(SteadyTime now);
  void timer_fired() { armed_ = false; }

 private:
  std::chrono::milliseconds interval_;
  bool due_ = false;
  bool armed_ = false;
  std::optional<SteadyTime> last_;  // none: the first digest goes out at once
};

// Snapshots after enough ops or time (storage::SnapshotPolicy), one write at a time, and one
// final snapshot at shutdown even if it fails.
class SnapshotSchedule {
 public:
  explicit SnapshotSchedule(const storage::SnapshotPolicy& policy) : policy_(policy) {}

  // Log records after the newest stored snapshot.
  void loaded(std::uint64_t ops_since_snapshot) { ops_since_ = ops_since_snapshot; }
  void committed(std::uint64_t records) { ops_since_ += records; }
  [[nodiscard]] bool due(SteadyTime now) const;
  // True while ops are not covered by a stored snapshot (a load would replay them).
  [[nodiscard]] bool dirty() const { return ops_since_ > 0; }
  [[nodiscard]] bool busy() const { return busy_; }
  // A write starts: the ops it covers. Requires: !busy().
  [[nodiscard]] std::uint64_t begin();
  void finished(std::uint64_t covered, bool written, SteadyTime now);
  // True the first time only: shutdown's one snapshot.
  [[nodiscard]] bool take_final() { return !std::exchange(final_tried_, true); }

 private:
  const storage::SnapshotPolicy& policy_;
  std::uint64_t ops_since_ = 0;
  SteadyTime last_ = std::chrono::steady_clock::now();
  bool busy_ = false;
  bool final_tried_ = false;
};

// Unload after the grace period without events: every event bumps the activity count, so a
// timer armed for an older count does nothing.
class UnloadSchedule {
 public:
  void activity() { ++activity_; }
  [[nodiscard]] std::uint64_t current() const { return activity_; }
  // True if the timer is to be armed now for current(): the document is idle and it is not armed
  // for this activity yet, nor unloading.
  [[nodiscard]] bool arm(bool idle);
  // The pre-unload snapshot is being written.
  [[nodiscard]] bool unloading() const { return unloading_; }
  void set_unloading(bool unloading) { unloading_ = unloading; }

 private:
  std::uint64_t activity_ = 0;
  std::uint64_t armed_for_ = 0;  // activity_ + 1 when armed for activity_
  bool unloading_ = false;
};

}  // namespace weft::server::documents
