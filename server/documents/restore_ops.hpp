// restore_ops.hpp — the ops that bring a live replica's text back to an earlier version of the
// same document (POST /api/docs/{id}/restore, docs/http-api.md; api/restore_writer.hpp types them).
//
// The ops delete every visible element of `live` that `target` does not have visible, and insert
// again, as new elements, the text of every element `target` has visible and `live` has deleted
// (the CRDT does not revive): each stretch of such elements goes right after the element that
// precedes it in `live`'s document order. Applied to `live`, they make its text `target`'s.
#pragma once
#include <cstdint>
#include <vector>

#include "crdt/op.hpp"
#include "crdt/rga.hpp"

namespace weft::server::documents {

struct RestoreOps {
  std::vector<crdt::Op> ops;
  std::uint64_t inserted = 0;  // code points typed again
  std::uint64_t deleted = 0;   // code points deleted
};

// Ops authored by `self` from seq `next_seq` on, with lamports above live.clock(), each of at most
// `max_run` units (>= 1); none if the texts already agree element for element.
// Requires: every element of `target` is an element of `live` (target is `live`'s document at an
// earlier version, e.g. from OpStream::replay), and `self` made no op `live` has from next_seq on.
[[nodiscard]] RestoreOps restore_ops(const crdt::Rga& live, const crdt::Rga& target,
                                     crdt::ReplicaId self, crdt::Seq next_seq,
                                     std::uint64_t max_run);

}  // namespace weft::server::documents
