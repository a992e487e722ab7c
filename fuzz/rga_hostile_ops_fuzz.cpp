// rga_hostile_ops_fuzz.cpp — arbitrary ops, decoded from fuzz bytes, fed to replicas that hold
// honest content.
//
// Every field may take any value: small, near existing ids and clocks, near 2^53 and 2^64, raw;
// texts may be empty or invalid UTF-8; parents and targets may name anything. Honest local edits
// are mixed in. Two identical replicas (and the slow ReferenceRga) take the same sequence in the
// same order. Checked after every op:
//   - no crash, no sanitizer report, check_invariants() holds;
//   - a rejected or duplicate op changes nothing (text, runs, version, clock, buffer); a buffered
//     one changes only the buffer; an applied one adds exactly the units it reports integrated;
//   - both replicas return the same result and end in the same state, and the reference returns
//     the same status and error and holds the same document;
//   - local edits make the same op on Rga and on the reference.
// At the end everything integrated, listed by ops_since() and fed to fresh replicas in two other
// orders, must be accepted and give the same document.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "crdt/rga.hpp"
#include "fuzz/fuzz_support.hpp"
#include "tests/crdt/reference_rga.hpp"

namespace {

using weft::crdt::ApplyResult;
using weft::crdt::ApplyStatus;
using weft::crdt::DeleteOp;
using weft::crdt::ElementRun;
using weft::crdt::Id;
using weft::crdt::id_limit;
using weft::crdt::IdRange;
using weft::crdt::InsertOp;
using weft::crdt::Lamport;
using weft::crdt::Limits;
using weft::crdt::Op;
using weft::crdt::ReplicaId;
using weft::crdt::Rga;
using weft::crdt::Seq;
using weft::crdt::VersionVector;
using weft::crdt::testing::ReferenceRga;
using weft::fuzz::ByteReader;
using weft::fuzz::describe;
using weft::fuzz::fail;

constexpr std::size_t max_steps = 200;
constexpr ReplicaId local_id = 1;

// Small limits, so that run_too_long and buffer_full are reachable.
constexpr Limits small_limits{4096, 12, 2048};

// Honest history every input starts from: two replicas' concurrent typing and deletes.
const std::vector<Op>& base_ops() {
  static const std::vector<Op> ops = [] {
    std::vector<Op> out;
    Rga a(1);
    Rga b(2);
    auto keep = [&](auto made) {
      if (!made) fail("building the honest base failed: " + made.error().message());
      out.emplace_back(*made);
      return Op(*made);
    };
    const Op a1 = keep(a.local_insert(0, "hello w\xC3\xB6rld \xF0\x9F\x98\x80"));
    const Op b1 = keep(b.local_insert(0, "XY\xE4\xB8\xAD"));
    (void)a.apply_remote(b1);
    (void)b.apply_remote(a1);
    const Op a2 = keep(a.local_delete(2, 3));
    const Op b2 = keep(b.local_insert(5, "ab"));
    const Op b3 = keep(b.local_insert(0, "!"));
    (void)a.apply_remote(b2);
    (void)a.apply_remote(b3);
    (void)b.apply_remote(a2);
    keep(a.local_delete(0, 2));
    return out;
  }();
  return ops;
}

struct State {
  std::string text;
  std::vector<ElementRun> runs;
  VersionVector version;
  Lamport clock = 0;
  std::size_t buffered = 0;

  explicit State(const Rga& r)
      : text(r.text()),
        runs(r.runs()),
        version(r.version()),
        clock(r.clock()),
        buffered(r.buffered_ops()) {}
};

std::uint64_t total_units(const VersionVector& vv) {
  std::uint64_t sum = 0;
  for (const auto& e : vv.entries()) sum += e.next_seq;
  return sum;
}

class Run {
 public:
  explicit Run(ByteReader& in)
      : in_(in),
        one_(local_id, small_limits),
        two_(local_id, small_limits),
        ref_(local_id, small_limits) {
    for (const Op& op : base_ops()) {
      const ApplyResult r1 = one_.apply_remote(op);
      const ApplyResult r2 = two_.apply_remote(op);
      const ApplyResult r3 = ref_.apply_remote(op);
      if (r1.status != ApplyStatus::applied || r2.status != ApplyStatus::applied ||
          r3.status != ApplyStatus::applied) {
        fail("honest base op not applied: " + describe(op));
      }
    }
  }

  void play() {
    for (std::size_t step = 0; step < max_steps && !in_.done(); ++step) {
      if ((in_.u8() & 7) == 7) {
        local_edit();
      } else {
        const Op op = make_op();
        trail_.push_back("apply_remote(" + describe(op) + ")");
        apply(op);
      }
      weft::fuzz::expect_same_state(one_, two_, "identical replicas", &trail_);
      compare_with_reference();
    }
    check_accepted_set_converges();
  }

 private:
  // --- decoding an op -------------------------------------------------------------------

  const ElementRun* some_run() {
    const std::vector<ElementRun>& runs = runs_cache();
    if (runs.empty()) return nullptr;
    return &runs[in_.below(runs.size())];
  }

  const std::vector<ElementRun>& runs_cache() {
    if (runs_stamp_ != trail_.size()) {
      runs_ = one_.runs();
      runs_stamp_ = trail_.size();
    }
    return runs_;
  }

  ReplicaId read_replica() {
    switch (in_.u8() % 10) {
      case 0:
      case 1:
        return local_id;  // the replica's own id: valid ops under it are integrated like any
      case 2:
        return 2;
      case 3:
        return 3 + in_.below(3);  // fresh replicas
      case 4:
        if (const ElementRun* r = some_run()) return r->replica;
        return 2;
      case 5:
        return 0;
      case 6:
        return id_limit - 1 - in_.below(2);
      case 7:
        return id_limit + in_.below(2);
      case 8:
        return ~std::uint64_t{0} - in_.below(2);
      default:
        return in_.u64();
    }
  }

  Seq read_seq(ReplicaId replica) {
    const Seq have = one_.version().get(replica);
    switch (in_.u8() % 9) {
      case 0:
      case 1:
      case 2:
        return have;  // ready
      case 3:
        return have - std::min<Seq>(have, in_.below(8));  // duplicate or overlap
      case 4:
        return have + 1 + in_.below(4);  // early: buffered
      case 5:
        return id_limit - in_.below(8);
      case 6:
        return ~std::uint64_t{0} - in_.below(8);
      case 7:
        return in_.u8();
      default:
        return in_.u64();
    }
  }

  Lamport read_lamport() {
    const Lamport clock = one_.clock();
    switch (in_.u8() % 9) {
      case 0:
      case 1:
      case 2:
        return clock + 1;
      case 3:
        return clock + 1 + in_.below(16);
      case 4:
        return clock - std::min<Lamport>(clock, in_.below(16));
      case 5:
        return id_limit - in_.below(8);
      case 6:
        return ~std::uint64_t{0} - in_.below(8);
      case 7:
        return in_.u8();
      default:
        return in_.u64();
    }
  }

  Id read_id(ReplicaId replica, Seq seq) {
    switch (in_.u8() % 10) {
      case 0:
        return weft::crdt::root_id;
      case 1:
      case 2:
      case 3:
      case 4:
        if (const ElementRun* r = some_run()) return Id{r->replica, r->seq + in_.below(r->len)};
        return weft::crdt::root_id;
      case 5:
        return Id{replica, seq + in_.below(3)};  // the op itself
      case 6:
        return Id{0, 1 + in_.below(4)};  // ROOT's replica with a seq: malformed
      case 7:
        if (const ElementRun* r = some_run()) return Id{r->replica, r->seq + r->len + in_.below(4)};
        return Id{2, 100};
      case 8:
        return Id{read_replica(), in_.u8()};
      default:
        return Id{in_.u64(), in_.u64()};
    }
  }

  std::string read_insert_text() {
    const std::uint8_t mode = in_.u8();
    if (mode % 4 != 3) return weft::fuzz::read_text(in_, mode / 4 % 9);  // 0..8 code points
    return std::string(in_.bytes(in_.below(13)));                        // raw, maybe invalid
  }

  IdRange read_range(ReplicaId replica, Seq seq) {
    const std::uint8_t mode = in_.u8();
    if (mode % 4 < 2) {
      if (const ElementRun* r = some_run()) {
        const std::uint64_t off = in_.below(r->len);
        return IdRange{r->replica, r->seq + off, 1 + in_.below(r->len - off)};
      }
    }
    const Id start = read_id(replica, seq);
    switch (mode / 4 % 6) {
      case 0:
        return IdRange{start.replica, start.seq, 0};
      case 1:
        return IdRange{start.replica, start.seq, small_limits.max_run + in_.below(2)};
      case 2:
        return IdRange{start.replica, start.seq, in_.u64()};
      default:
        return IdRange{start.replica, start.seq, 1 + in_.below(8)};
    }
  }

  Op make_op() {
    const bool insert = (in_.u8() & 1) != 0;
    const ReplicaId replica = read_replica();
    const Seq seq = read_seq(replica);
    const Lamport lamport = read_lamport();
    if (insert) {
      InsertOp op{replica, seq, lamport, read_id(replica, seq), read_insert_text()};
      return op;
    }
    DeleteOp op{replica, seq, lamport, {}};
    const std::uint64_t ranges = in_.below(5);
    for (std::uint64_t i = 0; i < ranges; ++i) op.targets.push_back(read_range(replica, seq));
    return op;
  }

  // --- applying -----------------------------------------------------------------------------

  void apply(const Op& op) {
    const State before(one_);
    std::vector<Op> integrated;
    const ApplyResult res = one_.apply_remote(op, &integrated);
    one_.check_invariants();
    const State after(one_);
    const std::string what = describe(res.status) + std::string(" ") + describe(op);
    trail_.back() += std::string(" -> ") + describe(res.status) +
                     (res.error ? " " + res.error.message() : std::string());

    if ((res.status == ApplyStatus::rejected) != static_cast<bool>(res.error)) {
      fail("error code set iff rejected, but: " + what, &trail_);
    }
    if (res.status == ApplyStatus::rejected || res.status == ApplyStatus::duplicate) {
      if (after.text != before.text || after.runs != before.runs ||
          after.version != before.version || after.clock != before.clock ||
          after.buffered != before.buffered || !integrated.empty() || res.released != 0) {
        fail("a " + what + " changed the replica", &trail_);
      }
    } else if (res.status == ApplyStatus::buffered) {
      if (after.text != before.text || after.runs != before.runs ||
          after.version != before.version || after.clock != before.clock ||
          after.buffered < before.buffered || after.buffered > before.buffered + 1 ||
          !integrated.empty() || res.released != 0 || res.dropped != 0) {
        fail("a buffered op changed more than the buffer: " + what, &trail_);
      }
    } else {
      std::uint64_t units = 0;
      for (const Op& o : integrated) units += weft::crdt::op_len(o);
      if (integrated.empty() || units != total_units(after.version) - total_units(before.version)) {
        fail("integrated ops do not add up to the version's growth: " + what, &trail_);
      }
      if (after.buffered > before.buffered) fail("an applied op grew the buffer: " + what, &trail_);
    }

    std::vector<Op> integrated_two;
    const ApplyResult two = two_.apply_remote(op, &integrated_two);
    two_.check_invariants();
    if (two.status != res.status || two.error != res.error || two.released != res.released ||
        two.dropped != res.dropped || integrated_two != integrated) {
      fail("identical replicas answered differently to " + what, &trail_);
    }

    // The reference must agree on the status and the reason (the checks run in the order of
    // crdt/README.md). When buffered ops are retried is the implementation's choice, so the
    // released and dropped counts are not compared; the document after each op is.
    const ApplyResult ref = ref_.apply_remote(op);
    if (ref.status != res.status || ref.error != res.error) {
      fail("Rga answered " + what + " (" + res.error.message() + ") but the reference " +
               describe(ref.status) + " (" + ref.error.message() + ")",
           &trail_);
    }
  }

  void local_edit() {
    const std::uint8_t mode = in_.u8();
    const std::uint64_t len = one_.length();
    const std::uint64_t pos = (mode & 0x40) != 0 ? len + in_.below(3) : in_.below(len + 1);
    if ((mode & 1) != 0) {
      const std::string text = weft::fuzz::read_text(in_, 1 + in_.below(6));
      compare_local(one_.local_insert(pos, text), two_.local_insert(pos, text),
                    ref_.local_insert(pos, text), "local_insert");
    } else {
      const std::uint64_t n = in_.below(len + 2);
      compare_local(one_.local_delete(pos, n), two_.local_delete(pos, n), ref_.local_delete(pos, n),
                    "local_delete");
    }
    one_.check_invariants();
    two_.check_invariants();
  }

  template <class R>
  void compare_local(const R& one, const R& two, const R& ref, const char* what) {
    if (one.has_value() != ref.has_value() || one.has_value() != two.has_value()) {
      fail(std::string(what) + ": Rga " + (one ? "made an op" : one.error().message()) +
               ", reference " + (ref ? "made an op" : ref.error().message()),
           &trail_);
    }
    trail_.push_back(std::string(what) + " -> " +
                     (one ? describe(Op(*one)) : one.error().message()));
    // Which error a failing local edit reports first is the API's choice, not the protocol's:
    // only Rga's two replicas must agree on it.
    if (!one) {
      if (one.error() != two.error()) fail(std::string(what) + " failed differently", &trail_);
      return;
    }
    if (!(*one == *ref) || !(*one == *two)) {
      fail(std::string(what) + " made " + describe(Op(*one)) + " but the reference made " +
               describe(Op(*ref)),
           &trail_);
    }
  }

  void compare_with_reference() {
    if (ref_.text() != one_.text() || ref_.runs() != one_.runs() ||
        ref_.version() != one_.version() || ref_.clock() != one_.clock()) {
      fail("Rga and the reference differ:\n  rga " + describe(one_.runs()) + " | " +
               describe(one_.version()) + "\n  ref " + describe(ref_.runs()) + " | " +
               describe(ref_.version()),
           &trail_);
    }
  }

  // Everything the replica integrated, as ops_since() lists it (merged runs, integration order),
  // fed in reverse order and in a strided order to fresh replicas, must be accepted and give the
  // same document: the outcome depends only on the set of ops.
  void check_accepted_set_converges() {
    auto history = one_.ops_since(VersionVector{});
    if (!history) fail("ops_since({}) failed: " + history.error().message(), &trail_);
    const std::vector<Op>& ops = *history;
    weft::fuzz::Trail listed;
    for (const Op& op : ops) listed.push_back("ops_since: " + describe(op));
    const std::size_t n = ops.size();
    std::vector<std::size_t> reversed(n);
    for (std::size_t i = 0; i < n; ++i) reversed[i] = n - 1 - i;
    std::vector<std::size_t> strided;
    for (std::size_t start = 0; start < 3; ++start) {
      for (std::size_t i = start; i < n; i += 3) strided.push_back(i);
    }
    for (const auto* order : {&reversed, &strided}) {
      Rga fresh(7);
      for (const std::size_t i : *order) {
        const ApplyResult res = fresh.apply_remote(ops[i]);
        if (res.status == ApplyStatus::rejected || res.dropped != 0) {
          fail("an integrated op was rejected in another order: " + describe(ops[i]) + " (" +
                   res.error.message() + ")",
               &listed);
        }
      }
      fresh.check_invariants();
      if (fresh.buffered_ops() != 0) fail("integrated ops left buffered in another order", &listed);
      weft::fuzz::expect_same_state(one_, fresh, "integrated set in another order", &listed);
    }
  }

  ByteReader& in_;
  Rga one_;
  Rga two_;
  ReferenceRga ref_;
  weft::fuzz::Trail trail_;  // what the input did, for failure reports
  std::vector<ElementRun> runs_;
  std::size_t runs_stamp_ = ~std::size_t{0};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  Run run(in);
  run.play();
  return 0;
}
