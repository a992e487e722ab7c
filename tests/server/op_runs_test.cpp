// op_runs_test.cpp — server/op_runs.hpp: merging runs and packing frames.
#include "server/documents/op_runs.hpp"

#include <doctest/doctest.h>

#include "crdt/rga.hpp"
#include "proto/frame_codec.hpp"
#include "tests/server/server_test_support.hpp"

namespace weft::server::test {
using documents::merge_runs;
using documents::pack_ops_frames;

TEST_SUITE("op runs") {
  TEST_CASE("consecutive typing by one replica merges into one insert") {
    const auto merged = merge_runs({insert(1, 0, 1, crdt::root_id, "a"),
                                    insert(1, 1, 2, {1, 0}, "b"), insert(2, 0, 3, {1, 1}, "c")},
                                   100);
    CHECK(merged == std::vector<crdt::Op>{insert(1, 0, 1, crdt::root_id, "ab"),
                                          insert(2, 0, 3, {1, 1}, "c")});
  }

  TEST_CASE("an insert that does not continue the previous one stays separate") {
    const auto merged =
        merge_runs({insert(1, 0, 1, crdt::root_id, "a"), insert(1, 1, 2, crdt::root_id, "b")}, 100);
    CHECK(merged.size() == 2);
  }

  TEST_CASE("consecutive deletes by one replica merge") {
    const auto merged = merge_runs(
        {crdt::DeleteOp{1, 5, 9, {{2, 0, 1}}}, crdt::DeleteOp{1, 6, 10, {{2, 1, 2}}}}, 100);
    CHECK(merged == std::vector<crdt::Op>{crdt::DeleteOp{1, 5, 9, {{2, 0, 3}}}});
  }

  TEST_CASE("runs stop at max_run") {
    const auto merged =
        merge_runs({insert(1, 0, 1, crdt::root_id, "ab"), insert(1, 2, 3, {1, 1}, "c")}, 2);
    CHECK(merged.size() == 2);
  }

  TEST_CASE("a large insert is split over frames that fit and reassemble to the same text") {
    proto::ServerLimits limits;
    limits.max_frame_bytes = 4096;
    const std::string text(10000, 'y');
    const auto frames = pack_ops_frames("doc", {insert(1, 0, 1, crdt::root_id, text)}, limits);
    CHECK(frames.size() > 2);
    crdt::Rga rga;
    for (const auto& bytes : frames) {
      CHECK(bytes->size() <= 2048);
      auto frame = proto::decode_frame(*bytes);
      REQUIRE(frame);
      for (const auto& op : std::get<proto::Ops>(*frame).ops) {
        CHECK(rga.apply_remote(op).status == crdt::ApplyStatus::applied);
      }
    }
    CHECK(rga.text() == text);
  }

  TEST_CASE("frames hold at most max_ops_per_frame ops") {
    proto::ServerLimits limits;
    limits.max_ops_per_frame = 2;
    std::vector<crdt::Op> ops;
    for (crdt::Seq s = 0; s < 5; ++s) ops.push_back(insert(1, s, s + 1, crdt::root_id, "z"));
    CHECK(pack_ops_frames("doc", ops, limits).size() == 3);
  }
}

}  // namespace weft::server::test
