// restore_ops_test.cpp — restore_ops(): the ops that bring a replica's text back to an earlier
// version, applied to the live replica and to one that edited concurrently.
#include "server/documents/restore_ops.hpp"

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "crdt/rga.hpp"

using namespace weft;
using weft::server::documents::restore_ops;
using weft::server::documents::RestoreOps;

namespace {

void apply_all(crdt::Rga& rga, const std::vector<crdt::Op>& ops) {
  for (const crdt::Op& op : ops) {
    REQUIRE(rga.apply_remote(op).status == crdt::ApplyStatus::applied);
  }
  rga.check_invariants();
}

void apply_from(crdt::Rga& to, const crdt::Rga& from) {
  apply_all(to, from.ops_since(to.version()).value());
}

}  // namespace

TEST_SUITE("restore_ops") {
  TEST_CASE("deletes what the version lacks and types again what it had") {
    crdt::Rga live(1);
    REQUIRE(live.local_insert(0, "hello world"));
    const crdt::Rga version = live;
    REQUIRE(live.local_delete(6, 5));           // "hello "
    REQUIRE(live.local_insert(6, "there, ü"));  // "hello there, ü"
    REQUIRE(live.local_delete(0, 1));           // "ello there, ü"
    const RestoreOps restore = restore_ops(live, version, 9, 0, 1000);
    CHECK(restore.inserted == 6);  // "h" and "world"
    CHECK(restore.deleted == 8);   // "there, ü"
    apply_all(live, restore.ops);
    CHECK(live.text() == "hello world");
  }

  TEST_CASE("a version equal to the live text makes no op") {
    crdt::Rga live(1);
    REQUIRE(live.local_insert(0, "abc"));
    REQUIRE(live.local_delete(1, 1));
    const RestoreOps restore = restore_ops(live, live, 9, 0, 1000);
    CHECK(restore.ops.empty());
    CHECK(restore.inserted == 0);
    CHECK(restore.deleted == 0);
  }

  TEST_CASE("ops are at most max_run units, numbered on from next_seq") {
    crdt::Rga live(1);
    REQUIRE(live.local_insert(0, "abcdefgh"));
    const crdt::Rga version = live;
    REQUIRE(live.local_delete(0, 8));
    REQUIRE(live.local_insert(0, "12345"));
    const RestoreOps restore = restore_ops(live, version, 9, 0, 3);
    CHECK(restore.ops.size() == 5);  // 8 inserted in 3 + 3 + 2, 5 deleted in 3 + 2
    crdt::Seq seq = 0;
    for (const crdt::Op& op : restore.ops) {
      CHECK(crdt::op_replica(op) == 9);
      CHECK(crdt::op_seq(op) == seq);
      CHECK(crdt::op_len(op) <= 3);
      seq += crdt::op_len(op);
    }
    apply_all(live, restore.ops);
    CHECK(live.text() == "abcdefgh");
  }

  TEST_CASE("an edit concurrent with the restore is kept on both replicas") {
    crdt::Rga live(1);
    REQUIRE(live.local_insert(0, "one two"));
    const crdt::Rga version = live;
    REQUIRE(live.local_delete(0, 4));  // "two"
    crdt::Rga other(2);
    apply_from(other, live);
    REQUIRE(other.local_insert(3, "!"));  // "two!", not yet seen by live
    const RestoreOps restore = restore_ops(live, version, 9, 0, 1000);
    apply_all(live, restore.ops);
    CHECK(live.text() == "one two");
    apply_from(live, other);
    apply_all(other, restore.ops);
    CHECK(live.text() == other.text());
    CHECK(live.text() == "one two!");
  }
}
