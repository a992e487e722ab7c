// element_run.hpp — a maximal stretch of elements in document order, as listed by Rga::runs()
// and stored in snapshots.
//
// Elements i = 0..len-1 of a run are (replica, seq + i) with lamport lamport + i, all live or all
// deleted. Runs()-listings are canonical: two neighbouring runs never could have been one run
// (same replica, consecutive seq and lamport, same deleted flag), so equal documents list equally.
#pragma once

#include <cstdint>

#include "crdt/types.hpp"

namespace weft::crdt {

struct ElementRun {
  ReplicaId replica = 0;
  Seq seq = 0;
  Lamport lamport = 0;
  std::uint64_t len = 0;
  bool deleted = false;
  friend constexpr bool operator==(const ElementRun&, const ElementRun&) = default;
};

}  // namespace weft::crdt
