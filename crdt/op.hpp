// op.hpp — the two operations of Weft-RGA, as exchanged between replicas (crdt/README.md §4).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "crdt/types.hpp"

namespace weft::crdt {

// Inserts the code points of `text` (UTF-8) as elements (replica, seq + k) with lamport
// lamport + k. Element 0 goes after `parent` (an element id or ROOT); element k > 0 after k - 1.
struct InsertOp {
  ReplicaId replica = 0;
  Seq seq = 0;
  Lamport lamport = 0;
  Id parent = root_id;
  std::string text;
  friend bool operator==(const InsertOp&, const InsertOp&) = default;
};

// Tombstones every element named by `targets`. The op consumes n = sum of target lengths seqs and
// lamports; its own ids (replica, seq .. seq + n - 1) are not elements.
struct DeleteOp {
  ReplicaId replica = 0;
  Seq seq = 0;
  Lamport lamport = 0;
  std::vector<IdRange> targets;
  friend bool operator==(const DeleteOp&, const DeleteOp&) = default;
};

using Op = std::variant<InsertOp, DeleteOp>;

[[nodiscard]] ReplicaId op_replica(const Op& op);
[[nodiscard]] Seq op_seq(const Op& op);
[[nodiscard]] Lamport op_lamport(const Op& op);
// Number of seqs (and lamports) the op consumes. Requires: the op's text is valid UTF-8.
[[nodiscard]] std::uint64_t op_len(const Op& op);

}  // namespace weft::crdt
