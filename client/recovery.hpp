// recovery.hpp — typing a lost replica's unacknowledged edits again on a replica rebuilt from the
// server's state (PROTOCOL.md §7.8): after a refused resume token, a takeover of the replica, or a
// permanent refusal (read_only, document_full, a 1xx error that is not retry-later).
//
// The JS client does the same in DocHandle.retypeOps (client-js/src/doc.js).
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/op.hpp"
#include "crdt/rga.hpp"
#include "crdt/types.hpp"

namespace weft::client {

// Which of the lost replica's ops the server refused for good: they are not typed again.
struct DropRule {
  crdt::ReplicaId replica = 0;
  bool drop_all = false;        // read_only: every op of `replica`
  std::set<crdt::Seq> dropped;  // the seqs of the refused ops
};

// What the user loses: the text of the dropped inserts, and how many characters the dropped
// deletes had removed locally that the server still shows.
struct Dropped {
  std::string text;
  std::uint64_t deleted = 0;
};

struct Retyped {
  std::vector<crdt::Op> ops;  // new local ops of `rga`'s replica, to send
  Dropped dropped;
};

// Types `ops` (unacknowledged, seq order) again as local edits of `rga`, which holds the server's
// whole state: units the server already holds (below its version of their replica) are skipped;
// ops `rule` names are dropped; an insert goes after its parent (after the parent's own place for
// a dropped parent, recursively), a delete removes the units still visible.
[[nodiscard]] Retyped retype(crdt::Rga& rga, std::span<const crdt::Op> ops, const DropRule& rule);

// The plain-language sentence for a refusal, e.g. "The document is full (max 20 bytes): 15
// characters typed were not saved."
[[nodiscard]] std::string refusal_message(std::string_view name, const Dropped& dropped,
                                          std::uint64_t max_document_bytes);

}  // namespace weft::client
