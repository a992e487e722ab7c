// concurrent_replay.cpp — replay_concurrent(): one replica per agent of a concurrent trace, each
// brought to the union of its transaction's parents before it edits.
//
// Delivering every op to every replica costs O(agents x ops): about ten million integrations for
// node_nodecc (204 agents) or git-makefile (375 agents). A replica that lacks more than
// ConcurrentOptions::snapshot_catch_up ops therefore first reloads from a snapshot of another
// replica, as a peer that fell far behind would, and takes only the rest as ops.
#include <algorithm>
#include <memory>
#include <utility>

#include "bench/replay.hpp"

namespace weft::bench {
namespace {

std::uint64_t units(const crdt::VersionVector& v) {
  std::uint64_t sum = 0;
  for (const auto& e : v.entries()) sum += e.next_seq;
  return sum;
}

class ConcurrentReplay {
 public:
  ConcurrentReplay(const Trace& trace, const ConcurrentOptions& options)
      : trace_(trace), options_(options), by_agent_(trace.num_agents), current_(trace.num_agents) {
    replicas_.reserve(trace.num_agents);
    for (std::uint32_t a = 0; a < trace.num_agents; ++a) {
      replicas_.push_back(std::make_unique<crdt::Rga>(crdt::ReplicaId{a} + 1));
    }
    after_.reserve(trace.txns.size());
  }

  ReplayResult<ConcurrentOutcome> run() {
    for (std::size_t t = 0; t < trace_.txns.size(); ++t) {
      if (auto done = replay_txn(t); !done) return tl::unexpected(std::move(done.error()));
    }
    // The convergence check proper: every replica integrates, op by op, all it still lacks.
    const crdt::VersionVector full = full_version();
    const std::size_t check_stride =
        options_.final_checks == 0
            ? 0
            : std::max<std::size_t>(1, replicas_.size() / options_.final_checks);
    outcome_.texts.reserve(replicas_.size());
    for (std::uint32_t a = 0; a < replicas_.size(); ++a) {
      if (options_.final_sync) {
        if (auto done = catch_up(a, full, trace_.txns.size(), false); !done) {
          return tl::unexpected(std::move(done.error()));
        }
      }
      const crdt::Rga& replica = *replicas_[a];
      if (check_stride != 0 && a % check_stride == 0) replica.check_invariants();
      outcome_.texts.push_back(replica.text());
      outcome_.memory_bytes.push_back(replica.memory_bytes());
      replicas_[a].reset();  // only its text is needed from here on
    }
    if (options_.keep_ops) outcome_.ops = std::move(log_);
    return std::move(outcome_);
  }

 private:
  struct OpRef {
    crdt::Seq seq = 0;      // the op's first seq
    std::size_t index = 0;  // into log_
  };

  ReplayResult<void> replay_txn(std::size_t t) {
    const Txn& txn = trace_.txns[t];
    crdt::VersionVector target;
    for (const std::uint32_t parent : txn.parents) {
      for (const auto& e : after_[parent].entries()) {
        if (e.next_seq > target.get(e.replica)) target.set(e.replica, e.next_seq);
      }
    }
    if (auto done = catch_up(txn.agent, target, t, true); !done) return done;
    crdt::Rga& replica = *replicas_[txn.agent];
    made_.clear();
    const auto first = static_cast<std::size_t>(txn.patches.data() - trace_.patches.data());
    for (std::size_t i = 0; i < txn.patches.size(); ++i) {
      Patch patch = txn.patches[i];
      if (options_.clamp_positions) {
        const std::uint64_t length = replica.length();
        const Patch wanted = patch;
        patch.pos = std::min(patch.pos, length);
        patch.del = std::min(patch.del, length - patch.pos);
        if (patch.pos != wanted.pos || patch.del != wanted.del) ++outcome_.clamped_patches;
      }
      if (auto done = replay_local(replica, {&patch, 1}, first + i, 0, &made_); !done) {
        return replay_failure(t, done.error().patch,
                              "agent " + std::to_string(txn.agent) + ": " + done.error().message);
      }
    }
    for (crdt::Op& op : made_) {
      by_agent_[txn.agent].push_back({crdt::op_seq(op), log_.size()});
      log_.push_back(std::move(op));
    }
    outcome_.ops_generated += made_.size();
    if (options_.keep_ops) outcome_.ops_end.push_back(log_.size());
    if (options_.check_every != 0 && (t + 1) % options_.check_every == 0) {
      replica.check_invariants();
    }
    after_.push_back(replica.version());
    current_[txn.agent] = after_.back();
    return {};
  }

  // Brings agent's replica to exactly `target`: first through a snapshot if it is far behind and
  // `allow_snapshot`, then op by op in generation order.
  ReplayResult<void> catch_up(std::uint32_t agent, const crdt::VersionVector& target, std::size_t t,
                              bool allow_snapshot) {
    if (auto done = collect(current_[agent], target, t); !done) return done;
    if (allow_snapshot && options_.snapshot_catch_up != 0 &&
        pending_.size() > options_.snapshot_catch_up) {
      if (auto done = reload_from_donor(agent, target, t); !done) return done;
    }
    crdt::Rga& replica = *replicas_[agent];
    for (const std::size_t index : pending_) {
      const crdt::ApplyResult result = replica.apply_remote(log_[index]);
      if (result.status != crdt::ApplyStatus::applied) {
        return replay_failure(
            t, patch_of(t),
            "agent " + std::to_string(agent) + " integrating op " + std::to_string(index) +
                " of replica " + std::to_string(crdt::op_replica(log_[index])) + ": " +
                std::string(crdt::status_name(result.status)) +
                (result.error ? " (" + result.error.message() + ")" : std::string{}));
      }
    }
    outcome_.ops_delivered += pending_.size();
    current_[agent] = replica.version();
    if (current_[agent] != target) {
      return replay_failure(
          t, patch_of(t),
          "agent " + std::to_string(agent) + ": version after catching up differs from the target");
    }
    return {};
  }

  // Replaces agent's replica by a snapshot of the most advanced replica that holds all it holds
  // and nothing beyond `target`, if that at least halves the ops to deliver (pending_, which is
  // then collected anew).
  ReplayResult<void> reload_from_donor(std::uint32_t agent, const crdt::VersionVector& target,
                                       std::size_t t) {
    const crdt::VersionVector& have = current_[agent];
    std::uint64_t best_units = units(have);
    std::optional<std::uint32_t> donor;
    for (std::uint32_t b = 0; b < replicas_.size(); ++b) {
      const crdt::VersionVector& v = current_[b];
      const std::uint64_t u = units(v);
      if (b == agent || u <= best_units || !v.includes(have) || !target.includes(v)) continue;
      best_units = u;
      donor = b;
    }
    if (!donor || count_missing(current_[*donor], target) * 2 > pending_.size()) return {};
    auto loaded =
        crdt::Rga::from_snapshot(replicas_[*donor]->snapshot(), crdt::ReplicaId{agent} + 1);
    if (!loaded) {
      return replay_failure(t, patch_of(t),
                            "agent " + std::to_string(agent) + " loading the snapshot of agent " +
                                std::to_string(*donor) + ": " + loaded.error().message());
    }
    *replicas_[agent] = std::move(*loaded);
    current_[agent] = current_[*donor];
    ++outcome_.snapshot_loads;
    return collect(current_[agent], target, t);
  }

  // The first op of `refs` (one replica's ops, by seq) whose seq is at least `seq`.
  static std::vector<OpRef>::const_iterator first_from(const std::vector<OpRef>& refs,
                                                       crdt::Seq seq) {
    return std::lower_bound(refs.begin(), refs.end(), seq,
                            [](const OpRef& r, crdt::Seq s) { return r.seq < s; });
  }

  // Number of ops in `target` beyond `have`.
  std::size_t count_missing(const crdt::VersionVector& have,
                            const crdt::VersionVector& target) const {
    std::size_t n = 0;
    for (const auto& e : target.entries()) {
      const crdt::Seq from = have.get(e.replica);
      if (e.next_seq <= from || e.replica == 0 || e.replica > by_agent_.size()) continue;
      const std::vector<OpRef>& refs = by_agent_[e.replica - 1];
      n += static_cast<std::size_t>(first_from(refs, e.next_seq) - first_from(refs, from));
    }
    return n;
  }

  // Sets pending_ to the log_ indexes, in generation order, of the ops in `target` beyond `have`.
  ReplayResult<void> collect(const crdt::VersionVector& have, const crdt::VersionVector& target,
                             std::size_t t) {
    pending_.clear();
    for (const auto& e : target.entries()) {
      const crdt::Seq from = have.get(e.replica);
      if (e.next_seq <= from) continue;
      if (e.replica == 0 || e.replica > by_agent_.size()) {
        return replay_failure(t, patch_of(t), "unknown replica " + std::to_string(e.replica));
      }
      const std::vector<OpRef>& refs = by_agent_[e.replica - 1];
      auto it = first_from(refs, from);
      if (it == refs.end() || it->seq != from) {
        return replay_failure(t, patch_of(t),
                              "no op of replica " + std::to_string(e.replica) + " starts at seq " +
                                  std::to_string(from));
      }
      for (; it != refs.end() && it->seq < e.next_seq; ++it) pending_.push_back(it->index);
    }
    std::sort(pending_.begin(), pending_.end());
    return {};
  }

  // Every op made: for each agent, the seq after its last op.
  crdt::VersionVector full_version() const {
    crdt::VersionVector full;
    for (std::size_t a = 0; a < by_agent_.size(); ++a) {
      if (by_agent_[a].empty()) continue;
      const crdt::Op& last = log_[by_agent_[a].back().index];
      full.set(crdt::ReplicaId{a} + 1, crdt::op_seq(last) + crdt::op_len(last));
    }
    return full;
  }

  // The first patch of txn t, for failures (patches.size() for the final sync).
  std::size_t patch_of(std::size_t t) const {
    if (t >= trace_.txns.size() || trace_.txns[t].patches.empty()) return trace_.patches.size();
    return static_cast<std::size_t>(trace_.txns[t].patches.data() - trace_.patches.data());
  }

  const Trace& trace_;
  ConcurrentOptions options_;
  std::vector<std::unique_ptr<crdt::Rga>> replicas_;  // by agent; freed once its text is taken
  std::vector<crdt::Op> log_;                         // every op made, in generation order
  std::vector<std::vector<OpRef>> by_agent_;          // per agent: its ops in log_, by seq
  std::vector<crdt::VersionVector> after_;            // per txn: its replica's version after it
  std::vector<crdt::VersionVector> current_;          // per agent: its replica's version now
  std::vector<crdt::Op> made_;                        // scratch: ops of the current txn
  std::vector<std::size_t> pending_;                  // scratch: log_ indexes to deliver
  ConcurrentOutcome outcome_;
};

}  // namespace

ReplayResult<ConcurrentOutcome> replay_concurrent(const Trace& trace,
                                                  const ConcurrentOptions& options) {
  ConcurrentReplay replay{trace, options};
  return replay.run();
}

}  // namespace weft::bench
