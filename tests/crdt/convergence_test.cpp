// convergence_test.cpp — seeded convergence of 3-5 Rga replicas over a simulated network.
//
// The network delays, reorders and duplicates every op, and now and then re-sends history taken
// from ops_since() of a stale version vector (overlapping duplicate runs). Variants reload a
// replica from an encoded snapshot mid-way and mix hostile ops (under replica ids no honest replica
// uses) into the stream, delivered as one identical set to every replica. check_invariants() runs
// on every replica after each op it takes; at the end every replica must hold the same text, runs
// and version, with nothing buffered, and match ReferenceRga fed the same ops.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <doctest/doctest.h>

#include "crdt/rga.hpp"
#include "tests/crdt/reference_rga.hpp"
#include "tests/crdt/rng.hpp"

namespace {

using weft::crdt::ApplyResult;
using weft::crdt::ApplyStatus;
using weft::crdt::DeleteOp;
using weft::crdt::ElementRun;
using weft::crdt::Errc;
using weft::crdt::Id;
using weft::crdt::id_limit;
using weft::crdt::IdRange;
using weft::crdt::InsertOp;
using weft::crdt::Lamport;
using weft::crdt::Op;
using weft::crdt::ReplicaId;
using weft::crdt::Rga;
using weft::crdt::Seq;
using weft::crdt::VersionVector;
using weft::crdt::testing::ReferenceRga;

// splitmix64: the same sequence on every compiler and standard library, unlike <random>'s
// distributions.
using weft::crdt::testing::Rng;
// One code point each: 1-, 2-, 3- and 4-byte UTF-8, the edges of the surrogate gap, U+10FFFF.
constexpr std::string_view code_points[] = {
    "a",
    "b",
    "e",
    " ",
    "\n",
    "\xC3\xA9",          // é
    "\xD0\xB6",          // ж
    "\xE2\x82\xAC",      // €
    "\xE4\xB8\xAD",      // 中
    "\xED\x9F\xBF",      // U+D7FF, just below the surrogates
    "\xEE\x80\x80",      // U+E000, just above them
    "\xF0\x9F\x98\x80",  // 😀
    "\xF0\x9F\x8E\x89",  // 🎉
    "\xF0\x9D\x84\x9E",  // 𝄞
    "\xF4\x8F\xBF\xBF",  // U+10FFFF
};
constexpr std::size_t code_point_count = std::size(code_points);

std::string random_text(Rng& rng, std::uint64_t n) {
  std::string text;
  const bool repeat = rng.chance(15);  // one character typed n times
  std::string_view same = code_points[rng.index(code_point_count)];
  for (std::uint64_t i = 0; i < n; ++i)
    text += repeat ? same : code_points[rng.index(code_point_count)];
  return text;
}

std::string describe(const Op& op) {
  std::ostringstream out;
  if (const auto* ins = std::get_if<InsertOp>(&op)) {
    out << "InsertOp{" << ins->replica << ", " << ins->seq << ", " << ins->lamport << ", {"
        << ins->parent.replica << ", " << ins->parent.seq << "}, \"";
    for (unsigned char c : ins->text) {
      if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
        out << static_cast<char>(c);
      } else {
        static constexpr char hex[] = "0123456789ABCDEF";
        out << "\\x" << hex[c >> 4] << hex[c & 15];
      }
    }
    out << "\"}";
  } else {
    const auto& del = std::get<DeleteOp>(op);
    out << "DeleteOp{" << del.replica << ", " << del.seq << ", " << del.lamport << ", {";
    for (const IdRange& t : del.targets)
      out << "{" << t.replica << ", " << t.seq << ", " << t.len << "}";
    out << "}}";
  }
  return out.str();
}

std::string describe(const std::vector<ElementRun>& runs) {
  std::ostringstream out;
  for (const ElementRun& r : runs) {
    out << r.replica << ":" << r.seq << "@" << r.lamport << "x" << r.len << (r.deleted ? "-" : "+")
        << " ";
  }
  return out.str();
}

std::string describe(const VersionVector& vv) {
  std::ostringstream out;
  for (const auto& e : vv.entries()) out << e.replica << ":" << e.next_seq << " ";
  return out.str();
}

std::uint64_t total_units(const VersionVector& vv) {
  std::uint64_t sum = 0;
  for (const auto& e : vv.entries()) sum += e.next_seq;
  return sum;
}

struct Options {
  std::size_t replicas = 3;
  int steps = 300;
  bool snapshots = false;  // reload replicas from encoded snapshots now and then
  bool hostile = false;    // mix garbage ops into the stream
  unsigned resend_percent = 6;
};

struct Message {
  std::size_t to = 0;
  std::uint64_t due = 0;
  Op op;
};

// Replica ids the hostile generator uses: never the id of an honest replica. The first two carry
// plausible (mostly valid) ops, the last two wild ones.
constexpr ReplicaId garbage_ids[] = {1000, 1001, 1002, id_limit - 1};

// Generates garbage ops under garbage_ids, but never two different ops claiming the same
// (replica, seq): otherwise which one wins would depend on arrival order (a conflicting
// duplicate), and the replicas could legitimately differ.
class GarbageMaker {
 public:
  Op make(Rng& rng, const Rga& view, Lamport clock_hint) {
    if (!made_.empty() && rng.chance(10)) return made_[rng.index(made_.size())];  // exact re-send
    if (!extendable_.empty() && rng.chance(8)) return extend(rng);
    // Plausible ops (mostly valid) and wild ones go under different replicas, so that a rejected
    // wild op does not leave a gap that blocks every later plausible op of its replica.
    const bool plausible = rng.chance(55);
    const std::size_t g = plausible ? rng.index(2) : 2 + rng.index(2);
    ReplicaId replica = garbage_ids[g];
    if (rng.chance(5)) {
      static constexpr ReplicaId bad[] = {0, id_limit, ~std::uint64_t{0}, std::uint64_t{1} << 63};
      replica = bad[rng.index(std::size(bad))];
    }
    const std::vector<ElementRun> runs = view.runs();
    Op op;
    std::uint64_t n = 0;
    if (rng.chance(60)) {
      InsertOp ins;
      n = 1 + rng.below(6);
      ins.text = random_text(rng, n);
      if (!plausible && rng.chance(40)) ins.text = broken_text(rng, n);
      ins.parent = pick_parent(rng, runs, plausible, replica, g);
      op = std::move(ins);
    } else {
      DeleteOp del;
      const std::uint64_t ranges = 1 + rng.below(3);
      for (std::uint64_t i = 0; i < ranges; ++i) {
        IdRange t = pick_target(rng, runs, plausible);
        del.targets.push_back(t);
        n += t.len;
      }
      op = std::move(del);
    }
    // seq: normally the replica's next fresh range; sometimes a gap (buffered for ever) or an
    // extreme value. Fresh ranges are reserved even when the op is malformed.
    Seq& next = next_seq_[g];
    Seq seq = next;
    if (!plausible && rng.chance(6)) {
      seq = next + 1 + rng.below(5);
    } else if (!plausible && rng.chance(4)) {
      static constexpr Seq extreme[] = {id_limit - 1, id_limit, ~std::uint64_t{0}, id_limit - 2};
      seq = extreme[rng.index(std::size(extreme))];
    }
    if (seq >= next && seq < id_limit) next = seq + std::min<std::uint64_t>(n, 1u << 20);
    // lamport: plausible ops step just past everything they could depend on; others are random.
    Lamport lamport = 0;
    Lamport& last = last_lamport_[g];
    if (plausible) {
      lamport = std::max(last, max_lamport(runs)) + 1 + rng.below(3);
    } else if (rng.chance(85)) {
      lamport = rng.below(clock_hint + 20);
    } else {
      // Extreme lamports only where the op is malformed anyway: a valid one near 2^53 would
      // exhaust every honest replica's clock (that case has a test of its own).
      static constexpr Lamport extreme[] = {id_limit, ~std::uint64_t{0}, std::uint64_t{1} << 63};
      lamport = n >= 2 && rng.chance(50) ? id_limit - 1 : extreme[rng.index(std::size(extreme))];
    }
    if (lamport < id_limit / 2) last = std::max(last, lamport + n);
    std::visit(
        [&](auto& o) {
          o.replica = replica;
          o.seq = seq;
          o.lamport = lamport;
        },
        op);
    made_.push_back(op);
    if (const auto* ins = std::get_if<InsertOp>(&op); ins && plausible) extendable_.push_back(*ins);
    return op;
  }

 private:
  // An insert covering an earlier garbage insert plus new code points after it, with the same
  // (replica, seq, lamport, parent): an overlapping duplicate run, consistent where it overlaps.
  Op extend(Rng& rng) {
    const std::size_t i = rng.index(extendable_.size());
    InsertOp ins = extendable_[i];
    const std::size_t g = static_cast<std::size_t>(
        std::find(std::begin(garbage_ids), std::end(garbage_ids), ins.replica) -
        std::begin(garbage_ids));
    const std::uint64_t old_n = count_code_points(ins.text);
    // Only the op that ends at the replica's fresh frontier can grow without colliding.
    if (g >= std::size(garbage_ids) || ins.seq + old_n != next_seq_[g]) return made_.back();
    const std::uint64_t extra = 1 + rng.below(3);
    ins.text += random_text(rng, extra);
    next_seq_[g] = ins.seq + old_n + extra;
    last_lamport_[g] = std::max(last_lamport_[g], ins.lamport + old_n + extra);
    extendable_[i] = ins;
    made_.push_back(ins);
    return ins;
  }

  static std::uint64_t count_code_points(std::string_view s) {
    return static_cast<std::uint64_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  }

  static Lamport max_lamport(const std::vector<ElementRun>& runs) {
    Lamport m = 0;
    for (const ElementRun& r : runs) m = std::max(m, r.lamport + r.len - 1);
    return m;
  }

  static std::string broken_text(Rng& rng, std::uint64_t n) {
    static constexpr std::string_view broken[] = {
        "",                  // empty
        "\xFF",              // never valid
        "\x80",              // lone continuation byte
        "\xC0\x80",          // overlong NUL
        "\xE0\x80\xAF",      // overlong '/'
        "\xED\xA0\x80",      // surrogate U+D800
        "\xED\xBF\xBF",      // surrogate U+DFFF
        "\xF0\x9F\x98",      // truncated emoji
        "\xF4\x90\x80\x80",  // U+110000
        "\xF8\x88\x80\x80\x80",
    };
    std::string text = n > 1 ? random_text(rng, n - 1) : std::string();
    text.insert(rng.index(text.size() + 1), broken[rng.index(std::size(broken))]);
    return text;
  }

  // An element of some run; on plausible ops always one that exists somewhere.
  Id pick_parent(Rng& rng, const std::vector<ElementRun>& runs, bool plausible, ReplicaId self,
                 std::size_t g) {
    if (runs.empty() || rng.chance(plausible ? 10 : 15)) return weft::crdt::root_id;
    const ElementRun& r = runs[rng.index(runs.size())];
    const Id inside{r.replica, r.seq + rng.below(r.len)};
    if (plausible) return inside;
    switch (rng.below(6)) {
      case 0:
        return Id{0, 1 + rng.below(5)};  // malformed: ROOT's replica with a seq
      case 1:
        return Id{self, g < std::size(garbage_ids) ? next_seq_[g] + rng.below(2) : 0};  // itself
      case 2:
        return Id{r.replica, r.seq + r.len + rng.below(50)};  // maybe not yet (or never) seen
      case 3:
        return Id{1 + rng.below(5), rng.below(100)};  // an honest replica's element or delete unit
      case 4:
        return Id{id_limit + rng.below(2), 0};
      default:
        return inside;
    }
  }

  IdRange pick_target(Rng& rng, const std::vector<ElementRun>& runs, bool plausible) {
    if (runs.empty()) return IdRange{1, 0, 1};
    const ElementRun& r = runs[rng.index(runs.size())];
    const std::uint64_t off = rng.below(r.len);
    IdRange t{r.replica, r.seq + off, 1 + rng.below(r.len - off)};
    if (plausible) return t;
    switch (rng.below(6)) {
      case 0:
        return IdRange{t.replica, t.seq, 0};  // empty range
      case 1:
        return IdRange{t.replica, t.seq, std::uint64_t{1} << 21};  // longer than max_run
      case 2:
        return IdRange{1 + rng.below(5), rng.below(100), 1 + rng.below(4)};  // anything honest
      case 3:
        return IdRange{0, 0, 1};  // ROOT
      case 4:
        return IdRange{t.replica, id_limit - 1, 2};  // runs past 2^53
      default:
        return t;
    }
  }

  Seq next_seq_[std::size(garbage_ids)] = {};
  Lamport last_lamport_[std::size(garbage_ids)] = {};
  std::vector<Op> made_;
  std::vector<InsertOp> extendable_;
};

// Replicas, the network between them, and the log of every distinct op for the reference.
class Simulation {
 public:
  Simulation(std::uint64_t seed, Options options) : rng_(seed), options_(options), seed_(seed) {
    for (std::size_t i = 0; i < options_.replicas; ++i) {
      // Honest ids 1..5 plus one near the top of the range.
      const ReplicaId id = i + 1 == options_.replicas && i >= 3 ? id_limit - 2 : i + 1;
      ids_.push_back(id);
      replicas_.emplace_back(id);
      stale_.emplace_back();
    }
  }

  void run() {
    for (step_ = 0; step_ < static_cast<std::uint64_t>(options_.steps); ++step_) {
      act();
      deliver_due(step_);
      if (step_ % 16 == 0) check_equal_versions_agree();
    }
    step_ = ~std::uint64_t{0};
    deliver_due(step_);
  }

  void check_converged() {
    INFO("seed " << seed_);
    const Rga& first = replicas_[0];
    for (std::size_t i = 0; i < replicas_.size(); ++i) {
      const Rga& r = replicas_[i];
      INFO("replica " << ids_[i]);
      r.check_invariants();
      // Ops that never become ready stay buffered, the same ones everywhere; a reloaded replica
      // got the whole log again (and so extra copies of them), so only the others compare.
      if (!options_.hostile) CHECK(r.buffered_ops() == 0);
      if (options_.hostile && !options_.snapshots) CHECK(r.buffered_ops() == first.buffered_ops());
      CHECK(describe(r.version()) == describe(first.version()));
      CHECK(r.text() == first.text());
      CHECK(describe(r.runs()) == describe(first.runs()));
      CHECK(r.length() == first.length());
    }
    // Every op made was delivered to everyone: every honest unit is held.
    for (const ReplicaId id : ids_) {
      std::uint64_t made = 0;
      for (const Op& op : log_)
        made += weft::crdt::op_replica(op) == id ? weft::crdt::op_len(op) : 0;
      CHECK(first.version().get(id) == made);
    }
    check_reference();
  }

  std::size_t garbage_rejected() const { return garbage_rejected_; }

 private:
  void act() {
    const std::uint64_t roll = rng_.below(100);
    if (roll < 45) {
      local_edit();
    } else if (roll < 45 + options_.resend_percent) {
      resend_history();
    } else if (options_.snapshots && roll < 54) {
      reload_from_snapshot();
    } else if (options_.hostile && roll < 70) {
      send_garbage();
    }
    // Remember stale version vectors for later re-sends.
    if (rng_.chance(20)) {
      const std::size_t i = rng_.index(replicas_.size());
      stale_[i].push_back(replicas_[i].version());
    }
  }

  void local_edit() {
    const std::size_t i = rng_.index(replicas_.size());
    Rga& r = replicas_[i];
    const std::uint64_t len = r.length();
    Op op;
    if (len == 0 || rng_.chance(60)) {
      const std::uint64_t pos = rng_.below(len + 1);
      const std::string text = random_text(rng_, 1 + rng_.below(8));
      auto made = r.local_insert(pos, text);
      if (!made)
        FAIL("seed " << seed_ << " step " << step_
                     << ": local_insert failed: " << made.error().message());
      if (r.length() != len + count(text))
        FAIL("seed " << seed_ << ": local_insert changed the length wrongly");
      op = std::move(*made);
    } else {
      const std::uint64_t pos = rng_.below(len);
      const std::uint64_t n = 1 + rng_.below(std::min<std::uint64_t>(len - pos, 12));
      auto made = r.local_delete(pos, n);
      if (!made)
        FAIL("seed " << seed_ << " step " << step_
                     << ": local_delete failed: " << made.error().message());
      if (r.length() != len - n)
        FAIL("seed " << seed_ << ": local_delete changed the length wrongly");
      op = std::move(*made);
    }
    r.check_invariants();
    log_.push_back(op);
    broadcast(op, i);
  }

  static std::uint64_t count(std::string_view s) {
    return static_cast<std::uint64_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  }

  // Sends op to every replica but `from` (and sometimes echoes it back to `from`), each copy with
  // its own delay; some copies are sent twice.
  void broadcast(const Op& op, std::size_t from) {
    for (std::size_t to = 0; to < replicas_.size(); ++to) {
      if (to == from && !rng_.chance(5)) continue;
      const int copies = rng_.chance(10) ? 2 : 1;
      for (int c = 0; c < copies; ++c) send(to, op);
    }
  }

  void send(std::size_t to, const Op& op) {
    std::uint64_t delay = rng_.below(12);
    if (rng_.chance(3)) delay += 40 + rng_.below(80);  // a long stall: lots of buffering
    network_.push_back(Message{to, step_ + delay, op});
  }

  // Re-sends everything `from` holds beyond a stale (or randomly lowered) version vector of
  // `to`: merged runs that partly or wholly duplicate what `to` has.
  void resend_history() {
    const std::size_t from = rng_.index(replicas_.size());
    const std::size_t to = rng_.index(replicas_.size());
    VersionVector peer;
    if (!stale_[to].empty() && rng_.chance(60)) {
      peer = stale_[to][rng_.index(stale_[to].size())];
    } else {
      const VersionVector have = replicas_[to].version();
      for (const auto& e : have.entries()) {
        peer.set(e.replica, e.next_seq - std::min(e.next_seq, rng_.below(e.next_seq + 1)));
      }
    }
    auto ops = replicas_[from].ops_since(peer);
    if (!ops) {
      // Only a replica loaded from a snapshot may lack history.
      if (ops.error() != Errc::history_unavailable || !loaded_[from]) {
        FAIL("seed " << seed_ << ": ops_since failed: " << ops.error().message());
      }
      return;
    }
    for (const Op& op : *ops) send(to, op);
  }

  void reload_from_snapshot() {
    const std::size_t i = rng_.index(replicas_.size());
    Rga& r = replicas_[i];
    const weft::crdt::Snapshot snap = r.snapshot();
    const std::string bytes = weft::crdt::encode_snapshot(snap);
    auto decoded = weft::crdt::decode_snapshot(bytes);
    REQUIRE_MESSAGE(decoded.has_value(), "seed " << seed_ << ": decode_snapshot failed");
    REQUIRE(*decoded == snap);
    auto loaded = Rga::from_snapshot(*decoded, ids_[i]);
    REQUIRE_MESSAGE(loaded.has_value(), "seed " << seed_ << ": from_snapshot failed");
    loaded->check_invariants();
    CHECK(loaded->text() == r.text());
    CHECK(describe(loaded->runs()) == describe(r.runs()));
    CHECK(describe(loaded->version()) == describe(r.version()));
    CHECK(loaded->clock() == r.clock());
    // Buffered ops are not part of a snapshot: the network re-sends them (they are still in
    // flight or in the log), as a server would after a resync.
    const std::size_t had_buffered = r.buffered_ops();
    r = std::move(*loaded);
    loaded_.resize(replicas_.size());
    loaded_[i] = true;
    if (had_buffered > 0) {
      for (const Op& op : log_) send(i, op);
    }
  }

  void send_garbage() {
    Lamport clock_hint = 0;
    for (const Rga& r : replicas_) clock_hint = std::max(clock_hint, r.clock());
    const Op op = garbage_.make(rng_, replicas_[rng_.index(replicas_.size())], clock_hint);
    log_.push_back(op);
    for (std::size_t to = 0; to < replicas_.size(); ++to) send(to, op);
  }

  // Delivers every message due by `now`, in random order.
  void deliver_due(std::uint64_t now) {
    for (;;) {
      std::vector<std::size_t> due;
      for (std::size_t k = 0; k < network_.size(); ++k) {
        if (network_[k].due <= now) due.push_back(k);
      }
      if (due.empty()) return;
      const std::size_t k = due[rng_.index(due.size())];
      Message m = std::move(network_[k]);
      network_[k] = std::move(network_.back());
      network_.pop_back();
      deliver(m);
    }
  }

  void deliver(const Message& m) {
    Rga& r = replicas_[m.to];
    const VersionVector before = r.version();
    const std::string text_before = r.text();
    std::vector<Op> integrated;
    const ApplyResult res = r.apply_remote(m.op, &integrated);
    r.check_invariants();
    const bool garbage = is_garbage(m.op);
    if (res.status == ApplyStatus::rejected) {
      if (!garbage) {
        FAIL("seed " << seed_ << " step " << step_ << ": replica " << ids_[m.to]
                     << " rejected an honest op (" << res.error.message()
                     << "): " << describe(m.op));
      }
      ++garbage_rejected_;
    } else if (res.error) {
      FAIL("seed " << seed_ << ": error set on a non-rejected result: " << describe(m.op));
    }
    // What was integrated is exactly what the version vector gained.
    std::uint64_t units = 0;
    for (const Op& op : integrated) units += weft::crdt::op_len(op);
    const VersionVector after = r.version();
    if (units != total_units(after) - total_units(before)) {
      FAIL("seed " << seed_ << " step " << step_ << ": integrated " << units
                   << " units but the version went " << describe(before) << "-> " << describe(after)
                   << " on " << describe(m.op));
    }
    if ((res.status == ApplyStatus::duplicate || res.status == ApplyStatus::buffered ||
         res.status == ApplyStatus::rejected) &&
        (res.released == 0 && (after != before || r.text() != text_before))) {
      FAIL("seed " << seed_ << ": a " << status_name(res.status)
                   << " op changed the replica: " << describe(m.op));
    }
  }

  static bool is_garbage(const Op& op) {
    const ReplicaId r = weft::crdt::op_replica(op);
    return r == 0 || r >= id_limit ||
           std::find(std::begin(garbage_ids), std::end(garbage_ids), r) != std::end(garbage_ids);
  }

  // Replicas that hold the same set of ops must hold the same document, at any time.
  void check_equal_versions_agree() {
    for (std::size_t i = 0; i < replicas_.size(); ++i) {
      for (std::size_t j = i + 1; j < replicas_.size(); ++j) {
        if (replicas_[i].version() != replicas_[j].version()) continue;
        if (replicas_[i].text() != replicas_[j].text() ||
            replicas_[i].runs() != replicas_[j].runs()) {
          FAIL("seed " << seed_ << " step " << step_ << ": replicas " << ids_[i] << " and "
                       << ids_[j] << " hold the same version but differ:\n  "
                       << describe(replicas_[i].runs()) << "\n  " << describe(replicas_[j].runs()));
        }
      }
    }
  }

  // A reference replica fed every op in generation order (causal for the honest ones).
  void check_reference() {
    ReferenceRga ref;
    for (const Op& op : log_) (void)ref.apply_remote(op);
    CHECK(ref.text() == replicas_[0].text());
    CHECK(describe(ref.runs()) == describe(replicas_[0].runs()));
    CHECK(describe(ref.version()) == describe(replicas_[0].version()));
  }

  Rng rng_;
  Options options_;
  std::uint64_t seed_;
  std::uint64_t step_ = 0;
  std::vector<ReplicaId> ids_;
  std::vector<Rga> replicas_;
  std::vector<std::vector<VersionVector>> stale_;
  std::vector<bool> loaded_ = std::vector<bool>(8, false);
  std::vector<Message> network_;
  std::vector<Op> log_;
  GarbageMaker garbage_;
  std::size_t garbage_rejected_ = 0;
};

constexpr std::uint64_t seeds = 20;

}  // namespace

TEST_SUITE("Rga convergence") {
  TEST_CASE(
      "replicas that exchange ops over a delaying, reordering, duplicating network converge") {
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
      INFO("seed " << seed);
      Options options;
      options.replicas = 3 + seed % 3;
      options.steps = 500;
      Simulation sim(seed, options);
      sim.run();
      sim.check_converged();
    }
  }

  TEST_CASE("re-sent merged history with overlapping duplicate runs changes nothing") {
    for (std::uint64_t seed = 101; seed <= 100 + seeds / 2; ++seed) {
      INFO("seed " << seed);
      Options options;
      options.replicas = 3;
      options.steps = 300;
      options.resend_percent = 25;
      Simulation sim(seed, options);
      sim.run();
      sim.check_converged();
    }
  }

  TEST_CASE("a replica rebuilt from an encoded snapshot mid-way keeps converging") {
    for (std::uint64_t seed = 201; seed <= 200 + seeds / 2; ++seed) {
      INFO("seed " << seed);
      Options options;
      options.replicas = 4;
      options.steps = 300;
      options.snapshots = true;
      Simulation sim(seed, options);
      sim.run();
      sim.check_converged();
    }
  }

  TEST_CASE(
      "hostile ops delivered to every replica are rejected or harmless and replicas converge") {
    for (std::uint64_t seed = 301; seed <= 300 + seeds; ++seed) {
      INFO("seed " << seed);
      Options options;
      options.replicas = 3 + seed % 2;
      options.steps = 300;
      options.hostile = true;
      options.snapshots = seed % 4 == 0;
      Simulation sim(seed, options);
      sim.run();
      sim.check_converged();
      CHECK(sim.garbage_rejected() > 0);
    }
  }

  TEST_CASE("a valid op with a lamport near 2^53 is accepted and later local edits fail cleanly") {
    Rga a(1);
    Rga b(2);
    auto first = a.local_insert(0, "ab");
    REQUIRE(first.has_value());
    CHECK(b.apply_remote(*first).status == ApplyStatus::applied);
    // Replica 9 jumps the clock to the last lamport there is.
    const InsertOp high{9, 0, id_limit - 2, Id{1, 1}, "xy"};
    CHECK(a.apply_remote(high).status == ApplyStatus::applied);
    CHECK(b.apply_remote(high).status == ApplyStatus::applied);
    a.check_invariants();
    CHECK(a.clock() == id_limit - 1);
    // No lamport is left for a new op: the edit is refused and changes nothing.
    const std::string before = a.text();
    auto ins = a.local_insert(1, "z");
    CHECK_FALSE(ins.has_value());
    auto del = a.local_delete(0, 1);
    CHECK_FALSE(del.has_value());
    a.check_invariants();
    CHECK(a.text() == before);
    CHECK(a.text() == b.text());
    CHECK(a.runs() == b.runs());
  }

  // Found by rga_convergence_fuzz: ops_since() merged backspace deletes (targets 3, 2, 1) into
  // one range (1..3), so trimming the overlap dropped the wrong targets.
  TEST_CASE(
      "a re-sent merged run of backspace deletes trimmed by an overlap deletes what the originals "
      "did") {
    Rga a(1);
    Rga b(2);
    const InsertOp typed = a.local_insert(0, "abcde").value();
    const DeleteOp d1 = a.local_delete(3, 1).value();  // d
    const DeleteOp d2 = a.local_delete(2, 1).value();  // c
    const DeleteOp d3 = a.local_delete(1, 1).value();  // b
    CHECK(b.apply_remote(typed).status == ApplyStatus::applied);
    CHECK(b.apply_remote(d1).status == ApplyStatus::applied);
    CHECK(b.apply_remote(d2).status == ApplyStatus::applied);
    const auto merged = a.ops_since(VersionVector{{1, 5}});
    REQUIRE(merged.has_value());
    for (const Op& op : *merged) CHECK(b.apply_remote(op).status == ApplyStatus::applied);
    CHECK(b.apply_remote(d3).status == ApplyStatus::duplicate);
    b.check_invariants();
    CHECK(a.text() == "ae");
    CHECK(b.text() == a.text());
    CHECK(describe(b.runs()) == describe(a.runs()));
  }

  // Found by the hostile-op convergence test: an op buffered for a replica's own next element
  // stayed buffered after the local edit that made it, while every other replica integrated it.
  TEST_CASE(
      "an op waiting for this replica's next element is integrated by the local edit that makes "
      "it") {
    Rga a(1);
    Rga b(2);
    const InsertOp early{9, 0, 5, Id{1, 0}, "x"};  // after a's first element, not yet typed
    CHECK(a.apply_remote(early).status == ApplyStatus::buffered);
    const InsertOp typed = a.local_insert(0, "a").value();
    a.check_invariants();
    CHECK(b.apply_remote(typed).status == ApplyStatus::applied);
    CHECK(b.apply_remote(early).status == ApplyStatus::applied);
    CHECK(a.buffered_ops() == 0);
    CHECK(b.text() == "ax");
    CHECK(a.text() == b.text());
    CHECK(describe(a.version()) == describe(b.version()));
  }

  // Found by rga_hostile_ops_fuzz: x waited for its parent (7, 0). Once y supplied x's first
  // unit, x's remainder hangs off (1, 0) and needs (7, 0) no more, but it stayed buffered, so the
  // outcome depended on the order in which x and y arrived.
  TEST_CASE(
      "an op buffered for a parent it no longer needs after trimming ends the same in any order") {
    const InsertOp x{1, 0, 1, Id{7, 0}, "xy"};            // (7, 0) never arrives
    const InsertOp y{1, 0, 1, weft::crdt::root_id, "a"};  // the same first unit: kind and lamport
    Rga first;
    Rga second;
    (void)first.apply_remote(x);
    (void)first.apply_remote(y);
    (void)second.apply_remote(y);
    (void)second.apply_remote(x);
    first.check_invariants();
    second.check_invariants();
    CHECK(first.text() == second.text());
    CHECK(describe(first.runs()) == describe(second.runs()));
    CHECK(describe(first.version()) == describe(second.version()));

    // The same with a delete: x waits for its first target (7, 0), which y's overlap trims away.
    const InsertOp q{5, 0, 1, weft::crdt::root_id, "q"};
    const DeleteOp dx{3, 0, 2, {IdRange{7, 0, 1}, IdRange{5, 0, 1}}};
    const DeleteOp dy{3, 0, 2, {IdRange{5, 0, 1}}};
    Rga third;
    Rga fourth;
    CHECK(third.apply_remote(q).status == ApplyStatus::applied);
    CHECK(fourth.apply_remote(q).status == ApplyStatus::applied);
    (void)third.apply_remote(dx);
    (void)third.apply_remote(dy);
    (void)fourth.apply_remote(dy);
    (void)fourth.apply_remote(dx);
    third.check_invariants();
    fourth.check_invariants();
    CHECK(describe(third.runs()) == describe(fourth.runs()));
    CHECK(describe(third.version()) == describe(fourth.version()));
  }
}
