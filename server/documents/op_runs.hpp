// op_runs.hpp — shaping ops for the wire: consecutive ops merged into runs, runs split and packed
// into `ops` frames that respect the announced limits.
//
// Merging never changes meaning: an insert continuing the previous insert of its replica (next
// seq, next lamport, parent = the previous op's last element) is the same as one longer insert,
// and likewise for deletes (crdt/README.md §4). Splitting is the inverse.
#pragma once
#include <cstdint>
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

}  // namespace weft::server::documents
