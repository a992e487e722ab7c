// types.hpp — the identifiers of Weft-RGA: replicas, sequence numbers, lamport clocks, element ids.
//
// All integers stay below 2^53 so that they are exact JavaScript numbers (crdt/README.md §3).
#pragma once

#include <compare>
#include <cstdint>

namespace weft::crdt {

using ReplicaId = std::uint64_t;  // 1 <= replica < 2^53; 0 is reserved for ROOT
using Seq = std::uint64_t;        // per-replica counter of op units, starting at 0
using Lamport = std::uint64_t;    // 1 <= lamport < 2^53; ROOT has lamport 0

// Every integer on the wire and in an op is strictly below this bound.
inline constexpr std::uint64_t id_limit = std::uint64_t{1} << 53;

// One element (one code point) or one unit of a delete op: the seq-th unit made by a replica.
struct Id {
  ReplicaId replica = 0;
  Seq seq = 0;
  friend constexpr auto operator<=>(const Id&, const Id&) = default;
};

// The virtual element before the first character: parent of text typed at position 0.
inline constexpr Id root_id{0, 0};

// `len` consecutive ids of one replica: (replica, seq), (replica, seq + 1), ...
struct IdRange {
  ReplicaId replica = 0;
  Seq seq = 0;
  std::uint64_t len = 0;
  friend constexpr bool operator==(const IdRange&, const IdRange&) = default;
};

// Sibling order: greater key = newer = closer to the parent.
struct Key {
  Lamport lamport = 0;
  ReplicaId replica = 0;
  friend constexpr auto operator<=>(const Key&, const Key&) = default;
};

}  // namespace weft::crdt
