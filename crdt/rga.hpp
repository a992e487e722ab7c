// rga.hpp — Rga: one replica of a Weft-RGA document (crdt/README.md is the specification).
//
// A replica makes ops from local edits, integrates ops from other replicas in any order
// (duplicates dropped, overlaps trimmed, early ops buffered until ready), and converges with every
// replica that integrated the same set of ops. Hostile ops are rejected and change nothing.
//
// Structure (crdt/README.md §13): every op unit gets a dense local version (LV) in integration
// order. The OpLog keeps the ops by LV (for ops_since() and keys); a B+tree of LV runs in
// document order with visible counts gives positions; a second B+tree maps LV ranges to the leaf
// holding them. Local and remote edits are O(log n); nothing allocates per character.
//
// Not thread-safe: one owner (one strand) per replica.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "crdt/anchor.hpp"
#include "crdt/element_run.hpp"
#include "crdt/errc.hpp"
#include "crdt/op.hpp"
#include "crdt/op_log.hpp"
#include "crdt/result.hpp"
#include "crdt/snapshot.hpp"
#include "crdt/spans.hpp"
#include "crdt/types.hpp"
#include "crdt/version_vector.hpp"

namespace weft::crdt {

struct Limits {
  std::uint64_t max_run = std::uint64_t{1} << 20;  // units per op
  std::size_t max_buffered_ops = 4096;             // ops waiting for their dependencies
  std::uint64_t max_buffered_units = std::uint64_t{1} << 22;
  // The share of the buffer that the ops of one replica (their author) may take. A server that
  // accepts ops from a connection only under its replica sets these below the totals, so that
  // one writer cannot fill the buffer for the others (§7.2); equal to the totals they change
  // nothing.
  std::size_t max_buffered_ops_per_replica = 4096;
  std::uint64_t max_buffered_units_per_replica = std::uint64_t{1} << 22;
};

enum class ApplyStatus : std::uint8_t { applied, duplicate, buffered, rejected };
// "applied", "duplicate", "buffered" or "rejected": the names test vectors and logs use.
[[nodiscard]] std::string_view status_name(ApplyStatus status);

// A buffered op rejected when it became ready: its author must be told which op and why,
// although the call that released it was another op's.
struct DroppedOp {
  Id id;
  std::error_code error;
  bool operator==(const DroppedOp&) const = default;
};

struct [[nodiscard]] ApplyResult {
  ApplyStatus status = ApplyStatus::applied;
  std::error_code error;               // set iff status == rejected
  std::size_t released = 0;            // buffered ops integrated because this one arrived
  std::size_t dropped = 0;             // buffered ops rejected when they became ready
  std::vector<DroppedOp> dropped_ops;  // those `dropped` ops, in release order
};

class Rga {
 public:
  // `self` is the replica id local edits are made under; 0 = this replica never edits locally.
  explicit Rga(ReplicaId self = 0, Limits limits = {});
  [[nodiscard]] static Result<Rga> from_snapshot(const Snapshot& snapshot, ReplicaId self = 0,
                                                 Limits limits = {});

  // The limits that ops applied from now on are checked against; what is integrated or buffered
  // stays. A server loads a stored document under the widest max_run any of its ops was accepted
  // with, then narrows the limits to what it enforces now (server/documents/document.cpp).
  void set_limits(const Limits& limits) { limits_ = limits; }

  // Local edits at code-point positions. They integrate at once and return the op to send.
  [[nodiscard]] Result<InsertOp> local_insert(std::uint64_t pos, std::string_view utf8);
  [[nodiscard]] Result<DeleteOp> local_delete(std::uint64_t pos, std::uint64_t len);

  // Integrates an op from any replica (including our own, echoed back: a duplicate). If
  // `integrated` is given, every op that this call integrated is appended to it in integration
  // order, trimmed to its new units: the op itself and any buffered ops it released.
  ApplyResult apply_remote(const Op& op, std::vector<Op>* integrated = nullptr);

  [[nodiscard]] std::string text() const;
  [[nodiscard]] std::uint64_t length() const;  // live code points
  [[nodiscard]] VersionVector version() const;
  [[nodiscard]] Lamport clock() const { return clock_; }
  [[nodiscard]] ReplicaId self() const { return self_; }

  // The integrated ops a peer holding `peer` lacks, in integration order (causal), merged into
  // runs. Errc::history_unavailable if some of them predate the snapshot this replica came from.
  [[nodiscard]] Result<std::vector<Op>> ops_since(const VersionVector& peer) const;

  // The canonical run listing (element_run.hpp) and the snapshot of the current state.
  [[nodiscard]] std::vector<ElementRun> runs() const;
  [[nodiscard]] Snapshot snapshot() const;

  // Id of the live element at code-point position pos (0 <= pos < length()).
  [[nodiscard]] Result<Id> id_at(std::uint64_t pos) const;
  // Number of live elements before element `id` (its position if live); nullopt if unseen or a
  // delete unit. ROOT is at 0.
  [[nodiscard]] std::optional<std::uint64_t> position_of(Id id) const;
  // The anchor for the gap at pos (0 <= pos <= length()) that sticks to the character on `side`
  // of the gap: Side::after sticks to the character before it, Side::before to the one after.
  [[nodiscard]] Result<Anchor> anchor_at(std::uint64_t pos, Side side) const;
  // Current gap position of an anchor; nullopt if its element is unseen.
  [[nodiscard]] std::optional<std::uint64_t> resolve(const Anchor& anchor) const;

  [[nodiscard]] std::size_t buffered_ops() const;
  // Ops of replica `r` (their author) in the buffer.
  [[nodiscard]] std::size_t buffered_ops_of(ReplicaId r) const;
  // Heap bytes owned by this replica (capacities, not sizes).
  [[nodiscard]] std::size_t memory_bytes() const;
  // Aborts with a message if any structural invariant is broken. O(n); for tests and fuzzers.
  void check_invariants() const;

 private:
  using Cursor = detail::ContentTree::Cursor;
  struct Pending {
    std::uint64_t order = 0;  // arrival order: ready ops are retried earliest first
    std::uint64_t units = 0;
    Id awaited;  // the unit it waits for
    Op op;
  };
  // The ops of one replica in the buffer (Limits::max_buffered_*_per_replica).
  struct BufferShare {
    std::size_t ops = 0;
    std::uint64_t units = 0;
  };
  [[nodiscard]] BufferShare buffer_share(ReplicaId r) const;
  enum class Check : std::uint8_t { ready, duplicate, wait, rejected };
  struct Readiness {
    Check check = Check::ready;
    std::error_code error;   // Check::rejected
    Id awaited;              // Check::wait: the unit that must arrive first
    std::uint64_t trim = 0;  // Check::ready: leading units already integrated
    // Check::ready, found while checking so that integrate() need not look them up again: the
    // author's log index (no_lv if it has none yet) and an insert's parent LV (no_lv for ROOT).
    std::uint32_t replica_ix = detail::no_lv;
    detail::Lv parent_lv = detail::no_lv;
  };

  // rga_apply.cpp: validation, idempotence, readiness, the pending buffer.
  ApplyStatus apply_one(const Op& op, std::vector<Op>* integrated, std::uint64_t order, bool retry,
                        std::error_code& error);
  [[nodiscard]] std::error_code check_format(const Op& op, std::uint64_t& n) const;
  // Fills scratch_ with the LV ranges of a ready delete's (trimmed) targets.
  [[nodiscard]] Readiness check_ready(const Op& op, std::uint64_t n);
  [[nodiscard]] bool same_units(const Op& op, std::uint64_t count) const;
  void integrate(const Op& op, std::uint64_t n, const Readiness& ready,
                 std::vector<Op>* integrated);
  void release_waiting(ReplicaId advanced, std::vector<Op>* integrated, ApplyResult& result);
  // Runs the release of §7.5 when a local edit returns, if any op is buffered.
  struct ReleaseAfterLocalEdit {
    Rga& rga;
    ~ReleaseAfterLocalEdit() {
      if (rga.pending_.empty()) return;
      rga.typing_.leaf = detail::no_node;
      ApplyResult ignored;
      rga.release_waiting(rga.self_, nullptr, ignored);
    }
  };

  // rga.cpp: the trees.
  [[nodiscard]] Cursor locate(detail::Lv lv) const;
  Cursor split(Cursor at);
  Cursor insert_span(Cursor at, detail::Span span);
  void index_append(detail::Lv lv, std::uint32_t n, std::uint32_t leaf);
  void index_set(detail::Lv lv, std::uint32_t n, std::uint32_t leaf);
  Cursor gap_after(Cursor parent);
  Cursor place_insert(Cursor at, detail::Lv lv, std::uint32_t n, bool scan);
  Cursor grow_span(Cursor at, detail::Lv lv, std::uint32_t n);
  std::uint64_t erase_range(detail::LvRange range, const Cursor* first = nullptr);
  bool shift_into_deleted_neighbour(Cursor at, std::uint32_t take);
  void merge_deleted(std::uint32_t leaf, std::uint32_t idx);
  [[nodiscard]] bool starts_entry(detail::Lv lv) const;
  void append_id_ranges(detail::LvRange range, std::vector<IdRange>& out) const;
  // Requires: 0 < len and pos + len <= length(). Returns the cursor of the first live element.
  Cursor collect_live(std::uint64_t pos, std::uint64_t len,
                      std::vector<detail::LvRange>& out) const;

  ReplicaId self_ = 0;
  Limits limits_;
  Lamport clock_ = 0;
  std::uint64_t length_ = 0;
  detail::OpLog log_;
  detail::ContentTree content_;
  detail::IndexTree index_;
  // The buffer (§7.5), by arrival order, indexed two ways: by the unit each op waits for, and by
  // the op's own (replica, seq), because when its replica advances past seq the op is trimmed
  // and may no longer need what it waited for.
  std::map<std::uint64_t, Pending> pending_;
  std::multimap<Id, std::uint64_t> pending_by_awaited_;
  std::multimap<Id, std::uint64_t> pending_by_author_;
  std::uint64_t pending_units_ = 0;
  std::map<ReplicaId, BufferShare> pending_by_replica_;  // replicas with buffered ops only
  std::uint64_t pending_order_ = 0;
  std::vector<detail::LvRange> scratch_;
  std::uint32_t self_ix_ = detail::no_node;  // log index of self_, once it has edited
  mutable std::uint32_t locate_hint_ = 0;    // content leaf of the last locate()
  Cursor typing_{detail::no_node, 0, 0};     // span ending with the last local insert
  std::uint64_t typing_end_ = 0;             // visible position right after it
};

}  // namespace weft::crdt
