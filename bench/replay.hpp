// replay.hpp — replaying editing traces into Rga replicas: a sequential trace as local edits into
// one replica, a concurrent trace as one replica per agent that merges, before each transaction,
// exactly what the transaction's parents had.
//
// Failures (an edit the replica refuses, an op a peer does not integrate) are ReplayFailure values
// that say where the replay stopped; they point at a bug in the replica or in the trace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "bench/trace.hpp"
#include "crdt/rga.hpp"

namespace weft::bench {

struct ReplayFailure {
  std::size_t txn = 0;    // index of the transaction being replayed (or txns.size(): final sync)
  std::size_t patch = 0;  // index into Trace::patches of the patch being applied
  std::string message;
};

template <class T>
using ReplayResult = tl::expected<T, ReplayFailure>;

[[nodiscard]] inline tl::unexpected<ReplayFailure> replay_failure(std::size_t txn,
                                                                  std::size_t patch,
                                                                  std::string message) {
  return tl::unexpected(ReplayFailure{txn, patch, std::move(message)});
}

// Applies `patches` as local edits: local_delete(pos, del) if del > 0, then local_insert(pos, ins)
// if ins is not empty. `first_index` numbers the first patch in failures. With check_every > 0,
// rga.check_invariants() runs after every check_every patches. If `made` is given, every op the
// edits made is appended to it.
// Requires: rga was made with a replica id of its own (self() != 0).
[[nodiscard]] ReplayResult<void> replay_local(crdt::Rga& rga, std::span<const Patch> patches,
                                              std::size_t first_index = 0,
                                              std::size_t check_every = 0,
                                              std::vector<crdt::Op>* made = nullptr);

// Where a replica replaying a sequential trace first differs from a GapText (gap_text.hpp).
struct Divergence {
  std::size_t patch = 0;     // the first patch after which the texts differ (or that failed)
  std::uint64_t offset = 0;  // first differing byte of the texts after that patch
  std::string expected;      // the reference text around offset
  std::string actual;        // the replica's text around offset
  std::string note;          // the patch, and the replica's error if it refused it
};

// Replays `trace` into a fresh replica and into the reference, compares them every `stride`
// patches, then patch by patch inside the first window that differs. nullopt if the replica
// follows the reference to the end. Slow (O(n) per comparison): for diagnosing failures.
[[nodiscard]] std::optional<Divergence> find_divergence(const Trace& trace,
                                                        std::size_t stride = 4096);

struct ConcurrentOptions {
  // > 0: check_invariants() on the txn's replica after every check_every-th txn.
  std::size_t check_every = 0;
  // check_invariants() at the end on this many replicas, spread evenly over the agents (on all
  // of them if it is at least num_agents).
  std::size_t final_checks = 0;
  // > 0: a replica that lacks more than this many ops before a txn first reloads from a snapshot
  // of the most advanced replica holding all it holds and nothing beyond the txn's parents (if
  // that halves the ops to deliver), then takes the rest as ops. 0: all ops are delivered.
  std::size_t snapshot_catch_up = 1000;
  // Bring every replica to the full state at the end, delivering op by op all it lacks.
  bool final_sync = true;
  // Clamp patch positions and lengths to the replica's text instead of failing. Only for traces
  // whose recorded positions drift from our text (concurrent inserts at one place ordered
  // differently by the CRDT that recorded them).
  bool clamp_positions = false;
  // Hand every op made back in ConcurrentOutcome::ops (what `weft-bench crdt --mode apply` sends
  // to one fresh replica). Off, the ops are freed with the replay, as before.
  bool keep_ops = false;
};

struct ConcurrentOutcome {
  std::vector<std::string> texts;         // per agent; after the final sync if one was asked
  std::vector<std::size_t> memory_bytes;  // per agent, Rga::memory_bytes() at the end
  std::size_t ops_generated = 0;          // ops made by local edits
  std::size_t ops_delivered = 0;          // apply_remote() calls that integrated an op
  std::size_t snapshot_loads = 0;         // catch-ups through a snapshot
  std::size_t clamped_patches = 0;        // patches changed by clamp_positions
  // With keep_ops: every op made by local edits, in generation order, which is trace order (txn
  // by txn, each txn's ops in the order its edits made them); txn t made ops [ops_end[t - 1],
  // ops_end[t]) (from 0 for t = 0).
  std::vector<crdt::Op> ops;
  std::vector<std::size_t> ops_end;
};

// Replica id of agent a is a + 1. For each transaction, the agent's replica first integrates the
// ops of other replicas that the union of the parents' states holds and it lacks, one by one in
// the order they were generated (see snapshot_catch_up), then applies the patches as local
// edits. Requires: a concurrent trace. Defined in concurrent_replay.cpp.
[[nodiscard]] ReplayResult<ConcurrentOutcome> replay_concurrent(
    const Trace& trace, const ConcurrentOptions& options = {});

}  // namespace weft::bench
