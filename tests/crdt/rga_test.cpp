// rga_test.cpp — crdt::Rga, one rule of crdt/README.md per case.
#include "crdt/rga.hpp"

#include <ostream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

using namespace weft::crdt;

namespace {

InsertOp ins(ReplicaId r, Seq s, Lamport l, Id parent, std::string text) {
  return InsertOp{r, s, l, parent, std::move(text)};
}

DeleteOp del(ReplicaId r, Seq s, Lamport l, std::vector<IdRange> targets) {
  return DeleteOp{r, s, l, std::move(targets)};
}

// Applies ops in order to a fresh observer and returns it; every op must be applied.
Rga replay(const std::vector<Op>& ops) {
  Rga rga;
  for (const Op& op : ops) {
    const ApplyResult r = rga.apply_remote(op);
    REQUIRE_MESSAGE(r.status == ApplyStatus::applied, r.error.message());
    rga.check_invariants();
  }
  return rga;
}

std::error_code rejection(Rga& rga, const Op& op) {
  const ApplyResult r = rga.apply_remote(op);
  CHECK(r.status == ApplyStatus::rejected);
  return r.error;
}

}  // namespace

TEST_SUITE("local edits") {
  TEST_CASE("typing produces one insert op per call with the parent before the position") {
    Rga a{7};
    const InsertOp first = *a.local_insert(0, "ab");
    CHECK(first == ins(7, 0, 1, root_id, "ab"));
    const InsertOp second = *a.local_insert(1, "X");
    CHECK(second == ins(7, 2, 3, Id{7, 0}, "X"));
    CHECK(a.text() == "aXb");
    a.check_invariants();
  }

  TEST_CASE("a local delete names its targets as coalesced id ranges in document order") {
    Rga a{1};
    (void)*a.local_insert(0, "abcdef");
    const DeleteOp d = *a.local_delete(1, 4);
    CHECK(d == del(1, 6, 7, {{1, 1, 4}}));
    CHECK(a.text() == "af");
    CHECK(a.length() == 2);
    a.check_invariants();
  }

  TEST_CASE("a delete spanning text of two replicas lists one range per replica run") {
    Rga a{1};
    const InsertOp x = *a.local_insert(0, "ac");
    Rga b{2};
    REQUIRE(b.apply_remote(x).status == ApplyStatus::applied);
    const InsertOp y = *b.local_insert(1, "b");
    REQUIRE(a.apply_remote(y).status == ApplyStatus::applied);
    CHECK(a.text() == "abc");
    const DeleteOp d = *a.local_delete(0, 3);
    CHECK(d.targets == std::vector<IdRange>{{1, 0, 1}, {2, 0, 1}, {1, 1, 1}});
    CHECK(d.lamport == 4);
  }

  TEST_CASE("positions count code points, not bytes") {
    Rga a{1};
    (void)*a.local_insert(0, "a😀é𝄞");
    CHECK(a.length() == 4);
    (void)*a.local_insert(2, "中");
    CHECK(a.text() == "a😀中é𝄞");
    (void)*a.local_delete(1, 1);
    CHECK(a.text() == "a中é𝄞");
    a.check_invariants();
  }

  TEST_CASE("local edits outside the document or without a replica id are refused") {
    Rga a{1};
    CHECK(a.local_insert(1, "x").error() == Errc::position_out_of_range);
    CHECK(a.local_delete(0, 1).error() == Errc::position_out_of_range);
    CHECK(a.local_insert(0, "").error() == Errc::empty_op);
    CHECK(a.local_insert(0, "\xC0\xAF").error() == Errc::invalid_utf8);
    Rga observer;
    CHECK(observer.local_insert(0, "x").error() == Errc::no_local_replica);
  }
}

TEST_SUITE("ordering") {
  TEST_CASE("concurrent inserts at one place order by descending lamport, then replica") {
    const Rga r = replay(
        {ins(1, 0, 1, root_id, "a"), ins(2, 0, 1, root_id, "b"), ins(3, 0, 2, root_id, "c")});
    CHECK(r.text() == "cba");
  }

  TEST_CASE("concurrent forward typing never interleaves") {
    const Rga r = replay({ins(1, 0, 1, root_id, "a"), ins(1, 1, 2, {1, 0}, "b"),
                          ins(2, 0, 1, root_id, "x"), ins(2, 1, 2, {2, 0}, "y")});
    CHECK(r.text() == "xyab");
  }

  TEST_CASE("concurrent backward typing interleaves (known RGA limitation)") {
    const Rga r = replay({ins(1, 0, 1, root_id, "c"), ins(1, 1, 2, root_id, "b"),
                          ins(1, 2, 3, root_id, "a"), ins(2, 0, 1, root_id, "z"),
                          ins(2, 1, 2, root_id, "y"), ins(2, 2, 3, root_id, "x")});
    CHECK(r.text() == "xaybzc");
  }

  TEST_CASE("the lesser anomaly: text typed before one's own fresh word lets others in") {
    const Rga r = replay({ins(1, 0, 1, root_id, "world"), ins(2, 0, 3, root_id, "XY"),
                          ins(1, 5, 6, root_id, "hello ")});
    CHECK(r.text() == "hello XYworld");
  }

  TEST_CASE("an insert after a tombstone lands where the deleted element was") {
    const Rga r = replay(
        {ins(1, 0, 1, root_id, "abc"), del(1, 3, 4, {{1, 1, 1}}), ins(2, 0, 5, {1, 1}, "X")});
    CHECK(r.text() == "aXc");
  }

  TEST_CASE("an insert after the middle of a run splits the run") {
    const Rga r = replay({ins(1, 0, 1, root_id, "abcd"), ins(2, 0, 5, {1, 1}, "XY")});
    CHECK(r.text() == "abXYcd");
    CHECK(r.runs() ==
          std::vector<ElementRun>{{1, 0, 1, 2, false}, {2, 0, 5, 2, false}, {1, 2, 3, 2, false}});
  }

  TEST_CASE("a concurrent insert skips the newer sibling's whole subtree") {
    const Rga r = replay({ins(1, 0, 1, root_id, "a"), ins(2, 0, 3, {1, 0}, "new"),
                          ins(2, 3, 6, {2, 2}, "er"), ins(3, 0, 2, {1, 0}, "old")});
    // "old" and "new" are siblings under 'a'; "er" descends from "new", so "old" goes after it.
    CHECK(r.text() == "anewerold");
  }
}

TEST_SUITE("idempotence and readiness") {
  TEST_CASE("a duplicate op is reported and changes nothing") {
    Rga r = replay({ins(1, 0, 1, root_id, "ab")});
    CHECK(r.apply_remote(ins(1, 0, 1, root_id, "ab")).status == ApplyStatus::duplicate);
    CHECK(r.text() == "ab");
  }

  TEST_CASE("an overlapping resend is trimmed to its new units") {
    Rga r = replay({ins(1, 0, 1, root_id, "ab")});
    std::vector<Op> integrated;
    const ApplyResult res = r.apply_remote(ins(1, 0, 1, root_id, "abcd"), &integrated);
    CHECK(res.status == ApplyStatus::applied);
    REQUIRE(integrated.size() == 1);
    CHECK(std::get<InsertOp>(integrated[0]) == ins(1, 2, 3, {1, 1}, "cd"));
    CHECK(r.text() == "abcd");
    r.check_invariants();
  }

  TEST_CASE("a resend that reuses ids with other lamports is a conflicting duplicate") {
    Rga r = replay({ins(1, 0, 1, root_id, "ab")});
    CHECK(rejection(r, ins(1, 0, 5, root_id, "ab")) == Errc::conflicting_duplicate);
    CHECK(rejection(r, del(1, 0, 1, {{1, 0, 1}})) == Errc::conflicting_duplicate);
  }

  TEST_CASE("an insert whose parent has not arrived waits and is released by it") {
    Rga r;
    CHECK(r.apply_remote(ins(2, 0, 3, {1, 1}, "X")).status == ApplyStatus::buffered);
    CHECK(r.buffered_ops() == 1);
    CHECK(r.text().empty());
    std::vector<Op> integrated;
    const ApplyResult res = r.apply_remote(ins(1, 0, 1, root_id, "ab"), &integrated);
    CHECK(res.status == ApplyStatus::applied);
    CHECK(res.released == 1);
    CHECK(integrated.size() == 2);
    CHECK(r.text() == "abX");
    CHECK(r.buffered_ops() == 0);
    r.check_invariants();
  }

  TEST_CASE("a delete that arrives before its target waits for it") {
    Rga r;
    CHECK(r.apply_remote(del(2, 0, 5, {{1, 1, 2}})).status == ApplyStatus::buffered);
    CHECK(r.apply_remote(ins(1, 0, 1, root_id, "ab")).released == 0);
    CHECK(r.buffered_ops() == 1);
    CHECK(r.apply_remote(ins(1, 2, 3, {1, 1}, "cd")).released == 1);
    CHECK(r.text() == "ad");
    r.check_invariants();
  }

  TEST_CASE("an op waits for its replica's previous op") {
    Rga r;
    CHECK(r.apply_remote(ins(1, 2, 3, {1, 1}, "c")).status == ApplyStatus::buffered);
    CHECK(r.apply_remote(ins(1, 0, 1, root_id, "ab")).released == 1);
    CHECK(r.text() == "abc");
  }

  TEST_CASE("a buffered op that turns out invalid is dropped when it becomes ready") {
    Rga r;
    CHECK(r.apply_remote(ins(2, 0, 1, {1, 0}, "X")).status == ApplyStatus::buffered);
    const ApplyResult res = r.apply_remote(ins(1, 0, 1, root_id, "a"));
    CHECK(res.dropped == 1);  // lamport 1 is not above its parent's: heap violation
    CHECK(r.text() == "a");
    CHECK(r.buffered_ops() == 0);
  }

  TEST_CASE("the pending buffer is bounded") {
    Limits limits;
    limits.max_buffered_ops = 2;
    Rga r{0, limits};
    CHECK(r.apply_remote(ins(1, 1, 2, {1, 0}, "b")).status == ApplyStatus::buffered);
    CHECK(r.apply_remote(ins(1, 2, 3, {1, 1}, "c")).status == ApplyStatus::buffered);
    CHECK(rejection(r, ins(1, 3, 4, {1, 2}, "d")) == Errc::buffer_full);
    CHECK(r.apply_remote(ins(1, 0, 1, root_id, "a")).released == 2);
    CHECK(r.text() == "abc");
  }

  TEST_CASE("one replica's share of the pending buffer is bounded on its own") {
    Limits limits;
    limits.max_buffered_ops_per_replica = 1;
    limits.max_buffered_units_per_replica = 3;
    Rga r{0, limits};
    CHECK(r.apply_remote(ins(1, 1, 2, {1, 0}, "b")).status == ApplyStatus::buffered);
    CHECK(rejection(r, ins(1, 2, 3, {1, 1}, "c")) == Errc::buffer_full);
    CHECK(rejection(r, ins(2, 1, 2, {2, 0}, "long")) == Errc::buffer_full);
    CHECK(r.apply_remote(ins(2, 1, 2, {2, 0}, "yz")).status == ApplyStatus::buffered);
    CHECK(r.buffered_ops_of(1) == 1);
    CHECK(r.buffered_ops_of(2) == 1);
    CHECK(r.apply_remote(ins(1, 0, 1, root_id, "a")).released == 1);
    CHECK(r.buffered_ops_of(1) == 0);
    CHECK(r.apply_remote(ins(1, 2, 3, {1, 1}, "c")).status == ApplyStatus::applied);
    CHECK(r.text() == "abc");
    r.check_invariants();
  }
}

TEST_SUITE("validation") {
  TEST_CASE("malformed ops are rejected with the first failing check") {
    Rga r = replay({ins(1, 0, 1, root_id, "ab")});
    CHECK(rejection(r, ins(0, 0, 1, root_id, "x")) == Errc::bad_replica);
    CHECK(rejection(r, ins(id_limit, 0, 1, root_id, "x")) == Errc::bad_replica);
    CHECK(rejection(r, ins(2, 0, 1, Id{0, 5}, "x")) == Errc::bad_replica);
    CHECK(rejection(r, del(2, 0, 1, {{0, 0, 1}})) == Errc::bad_replica);
    CHECK(rejection(r, ins(2, 0, 1, root_id, "\xED\xA0\x80")) == Errc::invalid_utf8);  // surrogate
    CHECK(rejection(r, ins(2, 0, 1, root_id, "\xE2\x82")) == Errc::invalid_utf8);      // truncated
    CHECK(rejection(r, ins(2, 0, 1, root_id, "\xF4\x90\x80\x80")) == Errc::invalid_utf8);
    CHECK(rejection(r, ins(2, 0, 1, root_id, "")) == Errc::empty_op);
    CHECK(rejection(r, del(2, 0, 1, {})) == Errc::empty_op);
    CHECK(rejection(r, del(2, 0, 1, {{1, 0, 0}})) == Errc::empty_op);
    CHECK(rejection(r, ins(2, 0, 0, root_id, "x")) == Errc::bad_counter);
    CHECK(rejection(r, ins(2, id_limit - 1, 1, root_id, "xy")) == Errc::bad_counter);
    CHECK(rejection(r, ins(2, 0, id_limit - 1, root_id, "xy")) == Errc::bad_counter);
    CHECK(rejection(r, del(2, 0, 1, {{1, id_limit - 1, 2}})) == Errc::bad_counter);
    CHECK(r.text() == "ab");
  }

  TEST_CASE("ops longer than max_run are rejected") {
    Limits limits;
    limits.max_run = 3;
    Rga r{0, limits};
    CHECK(rejection(r, ins(1, 0, 1, root_id, "abcd")) == Errc::run_too_long);
    CHECK(rejection(r, del(1, 0, 1, {{2, 0, 2}, {3, 0, 2}})) == Errc::run_too_long);
  }

  TEST_CASE("set_limits narrows max_run for later ops and keeps what is integrated") {
    Rga r = replay({ins(1, 0, 1, root_id, "abcd")});
    Limits limits;
    limits.max_run = 3;
    r.set_limits(limits);
    CHECK(rejection(r, ins(1, 4, 5, {1, 3}, "efgh")) == Errc::run_too_long);
    CHECK(r.apply_remote(ins(1, 4, 5, {1, 3}, "efg")).status == ApplyStatus::applied);
    CHECK(r.text() == "abcdefg");
  }

  TEST_CASE("an op may not reference its own ids or later ones of its replica") {
    Rga r = replay({ins(1, 0, 1, root_id, "ab")});
    CHECK(rejection(r, ins(1, 2, 3, {1, 2}, "c")) == Errc::self_reference);
    CHECK(rejection(r, del(1, 2, 3, {{1, 1, 2}})) == Errc::self_reference);
  }

  TEST_CASE("parents and targets must be elements, not delete units") {
    Rga r = replay({ins(1, 0, 1, root_id, "ab"), del(1, 2, 3, {{1, 0, 1}})});
    CHECK(rejection(r, ins(2, 0, 9, {1, 2}, "x")) == Errc::parent_not_element);
    CHECK(rejection(r, del(2, 0, 9, {{1, 1, 2}})) == Errc::target_not_element);
  }

  TEST_CASE("a replica's lamports must increase") {
    Rga r = replay({ins(1, 0, 5, root_id, "ab")});
    CHECK(rejection(r, ins(1, 2, 6, root_id, "c")) == Errc::lamport_not_increasing);
    CHECK(rejection(r, del(1, 2, 3, {{1, 0, 1}})) == Errc::lamport_not_increasing);
  }

  TEST_CASE("an insert's lamport must exceed its parent's (heap property)") {
    Rga r = replay({ins(1, 0, 5, root_id, "ab")});
    CHECK(rejection(r, ins(2, 0, 6, {1, 1}, "x")) == Errc::heap_violation);
    CHECK(r.apply_remote(ins(2, 0, 7, {1, 1}, "x")).status == ApplyStatus::applied);
  }

  TEST_CASE("a rejected op changes nothing") {
    Rga r = replay({ins(1, 0, 1, root_id, "abc"), ins(2, 0, 4, {1, 0}, "X")});
    const Snapshot before = r.snapshot();
    (void)rejection(r, ins(3, 0, 1, {1, 2}, "late"));
    (void)rejection(r, del(3, 0, 0, {{1, 0, 3}}));
    (void)rejection(r, del(2, 1, 2, {{1, 0, 3}}));
    CHECK(r.snapshot() == before);
    CHECK(r.version() == VersionVector{{1, 3}, {2, 1}});
  }
}

TEST_SUITE("reading") {
  TEST_CASE("ops_since lists what a peer lacks, trimmed and merged into runs") {
    Rga a{1};
    (void)*a.local_insert(0, "ab");
    (void)*a.local_insert(2, "cd");
    (void)*a.local_delete(0, 1);
    (void)*a.local_delete(0, 1);
    const std::vector<Op> all = *a.ops_since({});
    REQUIRE(all.size() == 2);
    CHECK(std::get<InsertOp>(all[0]) == ins(1, 0, 1, root_id, "abcd"));
    CHECK(std::get<DeleteOp>(all[1]) == del(1, 4, 5, {{1, 0, 2}}));
    const std::vector<Op> tail = *a.ops_since(VersionVector{{1, 3}});
    REQUIRE(tail.size() == 2);
    CHECK(std::get<InsertOp>(tail[0]) == ins(1, 3, 4, {1, 2}, "d"));
    CHECK(replay(all).text() == a.text());
  }

  TEST_CASE("an anchor keeps its place through concurrent edits and deletion") {
    Rga a{1};
    (void)*a.local_insert(0, "hello world");
    const Anchor cursor = *a.anchor_at(6, Side::before);  // before 'w'
    CHECK(cursor == Anchor{{1, 6}, Side::before});
    (void)*a.local_insert(0, ">> ");
    CHECK(a.resolve(cursor) == 9);
    (void)*a.local_delete(9, 1);  // delete the 'w' itself
    CHECK(a.resolve(cursor) == 9);
    const Anchor after = *a.anchor_at(2, Side::after);
    (void)*a.local_insert(2, "!");
    CHECK(a.resolve(after) == 2);
    CHECK(a.resolve(*a.anchor_at(0, Side::after)) == 0);
    CHECK(a.resolve(*a.anchor_at(a.length(), Side::before)) == a.length());
    CHECK_FALSE(a.resolve(Anchor{{9, 9}, Side::after}).has_value());
  }

  TEST_CASE("position_of and id_at convert between ids and positions") {
    Rga a{1};
    (void)*a.local_insert(0, "abc");
    CHECK(*a.id_at(1) == Id{1, 1});
    CHECK(a.position_of(Id{1, 2}) == 2);
    (void)*a.local_delete(1, 1);
    CHECK(a.position_of(Id{1, 1}) == 1);
    CHECK(a.id_at(2).error() == Errc::position_out_of_range);
  }
}

TEST_SUITE("snapshots") {
  TEST_CASE("a snapshot round-trips through bytes and loads to the same replica") {
    Rga a{1};
    (void)*a.local_insert(0, "héllo 😀 world");
    (void)*a.local_delete(2, 3);
    const Snapshot s = a.snapshot();
    const Snapshot decoded = *decode_snapshot(encode_snapshot(s));
    CHECK(decoded == s);
    Rga b = *Rga::from_snapshot(decoded, 2);
    b.check_invariants();
    CHECK(b.text() == a.text());
    CHECK(b.runs() == a.runs());
    CHECK(b.version() == a.version());
  }

  TEST_CASE("a replica loaded from a snapshot keeps integrating and editing") {
    Rga a{1};
    (void)*a.local_insert(0, "abc");
    Rga b = *Rga::from_snapshot(a.snapshot(), 2);
    const InsertOp x = *a.local_insert(1, "X");
    const InsertOp y = *b.local_insert(1, "Y");
    REQUIRE(b.apply_remote(x).status == ApplyStatus::applied);
    REQUIRE(a.apply_remote(y).status == ApplyStatus::applied);
    CHECK(a.text() == b.text());
    b.check_invariants();
    CHECK(b.ops_since({}).error() == Errc::history_unavailable);
    CHECK(b.ops_since(VersionVector{{1, 3}}).has_value());
  }

  TEST_CASE("malformed or inconsistent snapshots are refused") {
    CHECK(decode_snapshot("").error() == Errc::bad_snapshot);
    CHECK(decode_snapshot("WRS\x01\xFF").error() == Errc::bad_snapshot);
    Rga a{1};
    (void)*a.local_insert(0, "abc");
    std::string bytes = encode_snapshot(a.snapshot());
    CHECK(decode_snapshot(bytes + "x").error() == Errc::bad_snapshot);
    Snapshot s = a.snapshot();
    s.text = "ab";  // live length 3
    CHECK(Rga::from_snapshot(s).error() == Errc::bad_snapshot);
    s = a.snapshot();
    s.runs.push_back(s.runs.front());  // the same ids twice
    s.text += "abc";
    CHECK(Rga::from_snapshot(s).error() == Errc::bad_snapshot);
    s = a.snapshot();
    s.runs.front().len = 4;  // beyond next_seq
    CHECK(Rga::from_snapshot(s).error() == Errc::bad_snapshot);
  }
}

TEST_CASE("ops_since cuts long runs at max_run so receivers with the same limits accept them") {
  Limits limits;
  limits.max_run = 4;
  Rga a{1, limits};
  for (int i = 0; i < 5; ++i) (void)*a.local_insert(a.length(), "ab");
  for (int i = 0; i < 5; ++i) (void)*a.local_delete(a.length() - 1, 1);
  const std::vector<Op> ops = *a.ops_since({});
  REQUIRE(ops.size() == 5);
  CHECK(std::get<InsertOp>(ops[0]) == InsertOp{1, 0, 1, root_id, "abab"});
  CHECK(std::get<InsertOp>(ops[2]) == InsertOp{1, 8, 9, {1, 7}, "ab"});
  // Backspaces keep their order: trimming a resent delete drops its first units.
  CHECK(std::get<DeleteOp>(ops[3]) ==
        DeleteOp{1, 10, 11, {{1, 9, 1}, {1, 8, 1}, {1, 7, 1}, {1, 6, 1}}});
  CHECK(std::get<DeleteOp>(ops[4]) == DeleteOp{1, 14, 15, {{1, 5, 1}}});
  Rga b{2, limits};
  for (const Op& op : ops) REQUIRE(b.apply_remote(op).status == ApplyStatus::applied);
  CHECK(b.text() == a.text());
}

TEST_SUITE("capacity") {
  // Issue 13: deletes of already deleted text consumed one unit id per unit named, so ~4000
  // deletes of max_run units exhausted the replica's 32-bit capacity for every later edit.
  TEST_CASE("deletes of deleted text take no capacity per unit named (#13)") {
    constexpr std::uint64_t n = std::uint64_t{1} << 20;
    Rga r;
    REQUIRE(r.apply_remote(ins(1, 0, 1, root_id, std::string(n, 'a'))).status ==
            ApplyStatus::applied);
    Seq seq = n;
    Lamport lamport = n + 1;
    for (int i = 0; i < 4200; ++i) {
      // Gaps in the lamports keep each op in an entry of its own: the costliest case.
      const ApplyResult res = r.apply_remote(del(1, seq, lamport, {{1, 0, n}}));
      REQUIRE_MESSAGE(res.status == ApplyStatus::applied, i << ": " << res.error.message());
      seq += n;
      lamport += n + 1;
    }
    CHECK(r.length() == 0);
    CHECK(r.version().get(1) == seq);
    CHECK(r.apply_remote(ins(2, 0, lamport, root_id, "still")).status == ApplyStatus::applied);
    CHECK(r.text() == "still");
    r.check_invariants();
    // Its history replays, and duplicates and overlaps of the deletes are still recognised.
    Rga again;
    const std::vector<Op> history = *r.ops_since({});
    for (const Op& op : history) {
      REQUIRE(again.apply_remote(op).status == ApplyStatus::applied);
    }
    again.check_invariants();
    CHECK(again.text() == "still");
    CHECK(again.version() == r.version());
    CHECK(r.apply_remote(del(1, n + 5, n + 6, {{1, 5, n - 5}})).status == ApplyStatus::duplicate);
    CHECK(rejection(r, ins(1, n + 5, n + 6, root_id, "x")) == Errc::conflicting_duplicate);
    CHECK(rejection(r, del(1, seq, lamport + 1, {{1, 2 * n + 3, 1}})) == Errc::target_not_element);
  }

  TEST_CASE("consecutive deletes of a replica share one log entry and still trim exactly") {
    Rga a{1};
    REQUIRE(a.local_insert(0, "abcdef").has_value());
    for (int i = 0; i < 3; ++i) REQUIRE(a.local_delete(a.length() - 1, 1).has_value());
    REQUIRE(a.local_delete(0, 1).has_value());
    a.check_invariants();
    const std::vector<Op> ops = *a.ops_since({});
    Rga b{2};
    for (const Op& op : ops) REQUIRE(b.apply_remote(op).status == ApplyStatus::applied);
    CHECK(b.text() == "bc");
    // A resent delete that overlaps the last two units is trimmed to its new unit.
    CHECK(b.apply_remote(del(1, 8, 9, {{1, 3, 1}, {1, 0, 1}, {1, 1, 1}})).status ==
          ApplyStatus::applied);
    CHECK(b.text() == "c");
    b.check_invariants();
    // A replica loaded from a snapshot finds delete units before it and after it.
    Rga c = *Rga::from_snapshot(b.snapshot());
    CHECK(c.apply_remote(del(2, 0, 20, {{1, 2, 1}})).status == ApplyStatus::applied);
    CHECK(c.apply_remote(del(2, 0, 20, {{1, 2, 1}})).status == ApplyStatus::duplicate);
    CHECK(rejection(c, ins(3, 0, 30, {1, 7}, "x")) == Errc::parent_not_element);
    CHECK(rejection(c, ins(3, 0, 30, {2, 0}, "x")) == Errc::parent_not_element);
    CHECK(c.text().empty());
    c.check_invariants();
  }
}
