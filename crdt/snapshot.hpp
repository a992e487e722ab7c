// snapshot.hpp — a replica's state without its history: runs in document order, the visible
// text, and per-replica counters. Loading one builds the replica directly, with no integration.
//
// A replica loaded from a snapshot can integrate any later op, but cannot list ops older than
// the snapshot (ops_since() answers Errc::history_unavailable for those).
// Byte format: crdt/README.md §11.1.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/element_run.hpp"
#include "crdt/result.hpp"
#include "crdt/types.hpp"

namespace weft::crdt {

struct Snapshot {
  struct ReplicaState {
    ReplicaId replica = 0;
    Seq next_seq = 0;          // the version vector entry
    Lamport last_lamport = 0;  // lamport of the replica's last op unit (rule 2)
    friend constexpr bool operator==(const ReplicaState&, const ReplicaState&) = default;
  };
  std::vector<ReplicaState> replicas;  // sorted by replica, next_seq >= 1
  Lamport clock = 0;                   // greatest lamport integrated
  std::vector<ElementRun> runs;        // document order, canonical (see element_run.hpp)
  std::string text;                    // the live elements' code points, UTF-8
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

[[nodiscard]] std::string encode_snapshot(const Snapshot& snapshot);
// The bytes of encode_snapshot() before the text (everything up to `text_bytes`): the encoding is
// encode_snapshot_head(s) + s.text, so a large snapshot can be sent without a second copy.
[[nodiscard]] std::string encode_snapshot_head(const Snapshot& snapshot);
// Checks the format only; Rga::from_snapshot() checks that the content is consistent.
[[nodiscard]] Result<Snapshot> decode_snapshot(std::string_view bytes);

}  // namespace weft::crdt
