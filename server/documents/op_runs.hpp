// op_runs.hpp — shaping ops for the wire: consecutive ops merged into runs, runs split and packed
// into `ops` frames that respect the announced limits.
//
// Merging never changes meaning: an insert continuing the previous insert of its replica (next
// seq, next lamport, parent = the previous op's last element) is the same as one longer insert,
// and likewise for deletes (crdt/README.md §4). Splitting is the inverse.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "crdt/op.hpp"
#include "proto/frame.hpp"

namespace weft::server::documents {

// Merges each op into the one before it where that continues it, keeping runs <= max_run units.
// Requires: every op integrated (valid UTF-8, in range).
[[nodiscard]] std::vector<crdt::Op> merge_runs(std::vector<crdt::Op> ops, std::uint64_t max_run);

// Encoded `ops` frames for `doc` holding `ops` in order: at most max_ops_per_frame ops each and
// well under max_frame_bytes (ops too large alone are split first).
[[nodiscard]] std::vector<std::shared_ptr<const std::string>> pack_ops_frames(
    const std::string& doc, const std::vector<crdt::Op>& ops, const proto::ServerLimits& limits);

// pack_ops_frames() one frame at a time: the same frames, each encoded when asked for.
class OpsFramePacker {
 public:
  OpsFramePacker(std::string doc, std::vector<crdt::Op> ops, const proto::ServerLimits& limits);
  // The next frame; null once every op was packed.
  [[nodiscard]] std::shared_ptr<const std::string> next();

 private:
  std::string doc_;
  std::vector<crdt::Op> ops_;
  std::size_t next_op_ = 0;
  std::deque<crdt::Op> pieces_;  // of ops_[next_op_ - 1], not packed yet
  std::size_t budget_;
  std::size_t max_ops_;
};

}  // namespace weft::server::documents
