// rga_convergence_fuzz.cpp — fuzz bytes drive 2-4 replicas' local edits and the delivery
// schedule between them; at the end every replica must hold the same document.
//
// Each replica has an inbox of ops in flight. The input chooses local inserts and deletes, which
// inbox entry to deliver next (reordering), whether to keep it for a second delivery
// (duplicates), re-sends of merged history from ops_since() of a lowered version vector
// (overlapping runs), and reloads of a replica from its encoded snapshot. check_invariants() runs
// after every step; an honest op must never be rejected; replicas holding the same version must
// be equal at any time; after a final flush all replicas must be equal with nothing buffered, and
// equal to the slow ReferenceRga fed every op in generation order.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "crdt/rga.hpp"
#include "crdt/snapshot.hpp"
#include "fuzz/fuzz_support.hpp"
#include "tests/crdt/reference_rga.hpp"

namespace {

using weft::crdt::ApplyResult;
using weft::crdt::ApplyStatus;
using weft::crdt::Op;
using weft::crdt::ReplicaId;
using weft::crdt::Rga;
using weft::crdt::VersionVector;
using weft::fuzz::ByteReader;
using weft::fuzz::describe;
using weft::fuzz::fail;

constexpr std::size_t max_steps = 600;
constexpr std::size_t max_inbox = 200;

struct Replica {
  ReplicaId id = 0;
  Rga rga;
  std::vector<Op> inbox;  // ops in flight to this replica, in no particular order
  bool loaded = false;    // rebuilt from a snapshot: older history is unavailable
};

class Run {
 public:
  explicit Run(ByteReader& in) : in_(in) {
    const std::size_t n = 2 + in_.below(3);
    // Small ids, or ones near 2^53 when the input asks: keys compare replica ids on ties.
    const bool high = (in_.u8() & 3) == 0;
    for (std::size_t i = 0; i < n; ++i) {
      const ReplicaId id = high ? weft::crdt::id_limit - 1 - i : i + 1;
      replicas_.push_back(Replica{id, Rga(id), {}, false});
    }
  }

  void play() {
    for (std::size_t step = 0; step < max_steps && !in_.done(); ++step) {
      const std::uint8_t action = in_.u8();
      switch (action % 8) {
        case 0:
        case 1:
        case 2:
          local_insert();
          break;
        case 3:
          local_delete();
          break;
        case 4:
        case 5:
          deliver_one();
          break;
        case 6:
          resend_history();
          break;
        default:
          if (action >= 0xF0)
            reload_from_snapshot();
          else
            deliver_one();
          break;
      }
      if (step % 8 == 0) check_equal_versions_agree();
    }
    flush();
    check_converged();
  }

 private:
  Replica& pick() { return replicas_[in_.below(replicas_.size())]; }

  void note(const Replica& r, std::string what) {
    trail_.push_back("replica " + std::to_string(r.id) + ": " + std::move(what));
  }

  void send_to_others(const Op& op, const Replica& from, bool echo) {
    for (Replica& r : replicas_) {
      if (&r == &from && !echo) continue;
      if (r.inbox.size() < max_inbox) r.inbox.push_back(op);
    }
  }

  void local_insert() {
    Replica& r = pick();
    const std::uint64_t pos = in_.below(r.rga.length() + 1);
    const std::uint8_t shape = in_.u8();
    const std::string text = weft::fuzz::read_text(in_, 1 + (shape & 7));
    auto op = r.rga.local_insert(pos, text);
    if (!op) fail("local_insert failed: " + op.error().message(), &trail_);
    r.rga.check_invariants();
    log_.emplace_back(*op);
    note(r, "local_insert(" + std::to_string(pos) + ") -> " + describe(log_.back()));
    send_to_others(log_.back(), r, (shape & 0x80) != 0);
  }

  void local_delete() {
    Replica& r = pick();
    const std::uint64_t len = r.rga.length();
    if (len == 0) return;
    const std::uint64_t pos = in_.below(len);
    const std::uint64_t n = 1 + in_.below(len - pos);
    auto op = r.rga.local_delete(pos, n);
    if (!op) fail("local_delete failed: " + op.error().message(), &trail_);
    r.rga.check_invariants();
    if (r.rga.length() != len - n)
      fail("local_delete removed the wrong number of elements", &trail_);
    log_.emplace_back(*op);
    note(r, "local_delete(" + std::to_string(pos) + ", " + std::to_string(n) + ") -> " +
                describe(log_.back()));
    send_to_others(log_.back(), r, false);
  }

  void deliver_one() {
    Replica& r = pick();
    if (r.inbox.empty()) return;
    const std::size_t k = in_.below(r.inbox.size());
    const bool keep = (in_.u8() & 3) == 0;  // deliver again later: a duplicate
    Op op = r.inbox[k];
    if (!keep || r.inbox.size() >= max_inbox) {
      r.inbox[k] = std::move(r.inbox.back());
      r.inbox.pop_back();
    }
    deliver(r, op);
  }

  void deliver(Replica& r, const Op& op) {
    const VersionVector before = r.rga.version();
    const ApplyResult res = r.rga.apply_remote(op);
    note(r, std::string("apply_remote(") + describe(op) + ") -> " + describe(res.status) +
                (res.released != 0 ? " released " + std::to_string(res.released) : ""));
    r.rga.check_invariants();
    if (res.status == ApplyStatus::rejected) {
      fail("replica " + std::to_string(r.id) + " rejected an honest op (" + res.error.message() +
               "): " + describe(op),
           &trail_);
    }
    if (res.status != ApplyStatus::applied && res.released == 0 && r.rga.version() != before) {
      fail(std::string("a ") + describe(res.status) + " op changed the version: " + describe(op),
           &trail_);
    }
  }

  // `from` re-sends what it holds beyond a lowered copy of `to`'s version vector.
  void resend_history() {
    Replica& from = pick();
    Replica& to = pick();
    VersionVector peer;
    const VersionVector have = to.rga.version();
    for (const auto& e : have.entries()) {
      const std::uint8_t cut = in_.u8();
      peer.set(e.replica, cut >= 0x80 ? e.next_seq : e.next_seq - e.next_seq * cut / 0x80);
    }
    auto ops = from.rga.ops_since(peer);
    note(from, "ops_since(" + weft::fuzz::describe(peer) + ") re-sent to " + std::to_string(to.id));
    if (!ops) {
      if (from.loaded && ops.error() == weft::crdt::Errc::history_unavailable) return;
      fail("ops_since failed: " + ops.error().message(), &trail_);
    }
    for (Op& op : *ops) {
      if (to.inbox.size() < max_inbox) to.inbox.push_back(std::move(op));
    }
  }

  void reload_from_snapshot() {
    Replica& r = pick();
    const weft::crdt::Snapshot snap = r.rga.snapshot();
    auto decoded = weft::crdt::decode_snapshot(weft::crdt::encode_snapshot(snap));
    if (!decoded) fail("decode_snapshot failed on an encoded snapshot", &trail_);
    if (!(*decoded == snap)) fail("snapshot did not survive encode/decode", &trail_);
    auto loaded = Rga::from_snapshot(*decoded, r.id);
    if (!loaded) fail("from_snapshot failed: " + loaded.error().message(), &trail_);
    loaded->check_invariants();
    weft::fuzz::expect_same_state(r.rga, *loaded, "reloaded replica", &trail_);
    if (loaded->clock() != r.rga.clock()) fail("reloaded replica has another clock", &trail_);
    // Buffered ops are not in a snapshot: re-send what the replica may have held back.
    const bool had_buffered = r.rga.buffered_ops() > 0;
    r.rga = std::move(*loaded);
    r.loaded = true;
    note(r, "reloaded from its snapshot");
    if (had_buffered) r.inbox.insert(r.inbox.end(), log_.begin(), log_.end());
  }

  // Delivers every inbox in order; then every replica gets every op it still lacks (dropped from
  // a full inbox, or buffered before a reload).
  void flush() {
    for (Replica& r : replicas_) {
      std::vector<Op> inbox = std::move(r.inbox);
      r.inbox.clear();
      for (const Op& op : inbox) deliver(r, op);
      for (const Op& op : log_) {
        if (r.rga.version().get(weft::crdt::op_replica(op)) <
            weft::crdt::op_seq(op) + weft::crdt::op_len(op)) {
          deliver(r, op);
        }
      }
    }
  }

  void check_equal_versions_agree() {
    for (std::size_t i = 0; i < replicas_.size(); ++i) {
      for (std::size_t j = i + 1; j < replicas_.size(); ++j) {
        if (replicas_[i].rga.version() == replicas_[j].rga.version()) {
          weft::fuzz::expect_same_state(replicas_[i].rga, replicas_[j].rga,
                                        "replicas with equal versions", &trail_);
        }
      }
    }
  }

  void check_converged() {
    for (const Replica& r : replicas_) {
      if (r.rga.buffered_ops() != 0) fail("ops still buffered after every op arrived", &trail_);
      weft::fuzz::expect_same_state(replicas_[0].rga, r.rga, "final state", &trail_);
    }
    weft::crdt::testing::ReferenceRga ref;
    trail_.emplace_back("reference: fed every op in generation order");
    for (const Op& op : log_) {
      const ApplyResult res = ref.apply_remote(op);
      if (res.status == ApplyStatus::rejected) {
        fail("the reference rejected an honest op: " + describe(op), &trail_);
      }
    }
    const Rga& rga = replicas_[0].rga;
    if (ref.text() != rga.text() || ref.runs() != rga.runs() || ref.version() != rga.version()) {
      fail("Rga differs from the reference:\n  rga " + describe(rga.runs()) + "\n  ref " +
               describe(ref.runs()),
           &trail_);
    }
  }

  ByteReader& in_;
  std::vector<Replica> replicas_;
  std::vector<Op> log_;  // every op made, in generation order (a causal order)
  weft::fuzz::Trail trail_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  Run run(in);
  run.play();
  return 0;
}
