// commit_pipeline_test.cpp — server/documents/commit_pipeline.hpp: integration into the batch,
// one append in flight, what a durable batch acks and relays, and the refusals.
#include "server/documents/commit_pipeline.hpp"

#include <chrono>
#include <string>

#include <doctest/doctest.h>

#include "proto/error_frame.hpp"
#include "server/documents/document_limits.hpp"

namespace weft::server::documents {
namespace {

using Author = CommitPipeline::Author;

const auto now = std::chrono::steady_clock::now();
constexpr std::uint64_t no_limit = UINT64_MAX;

crdt::Op insert(crdt::ReplicaId replica, crdt::Seq seq, crdt::Lamport lamport, crdt::Id parent,
                std::string text) {
  return crdt::InsertOp{replica, seq, lamport, parent, std::move(text)};
}

proto::Ops frame(std::vector<crdt::Op> ops) { return proto::Ops{"doc", std::move(ops)}; }

}  // namespace

TEST_SUITE("CommitPipeline") {
  TEST_CASE(
      "integrated ops wait in the batch and become durable only when their append completes") {
    CommitPipeline pipeline({});
    const Author ann{7, 1, "ann"};
    const auto result =
        pipeline.integrate(ann, frame({insert(1, 0, 1, crdt::root_id, "hi")}), now, no_limit);
    CHECK(result.applied == 1);
    CHECK(result.errors.empty());
    CHECK(pipeline.has_batch());
    CHECK(pipeline.durable().get(1) == 0);
    REQUIRE_FALSE(pipeline.start().has_value());
    CHECK(pipeline.appending());
    REQUIRE(pipeline.in_flight().size() == 1);
    CHECK(pipeline.in_flight()[0].index == 0);
    CHECK(pipeline.in_flight()[0].user_id == "ann");
    pipeline.check_invariants();
    const auto done = pipeline.complete();
    CHECK(done.authors == std::set<std::uint64_t>{7});
    CHECK(done.records.size() == 1);
    CHECK(pipeline.durable().get(1) == 2);  // "hi": seqs 0 and 1
    CHECK(pipeline.next_index() == 1);
    CHECK(pipeline.rga().text() == "hi");
    pipeline.check_invariants();
  }

  TEST_CASE("a batch of duplicates needs no write and is complete at once") {
    CommitPipeline pipeline({});
    const Author ann{7, 1, "ann"};
    const auto op = insert(1, 0, 1, crdt::root_id, "a");
    (void)pipeline.integrate(ann, frame({op}), now, no_limit);
    REQUIRE_FALSE(pipeline.start().has_value());
    (void)pipeline.complete();
    const auto again = pipeline.integrate(ann, frame({op}), now, no_limit);
    CHECK(again.applied == 0);
    const auto done = pipeline.start();
    REQUIRE(done.has_value());
    CHECK(done->records.empty());
    CHECK(done->authors == std::set<std::uint64_t>{7});
    CHECK_FALSE(pipeline.appending());
    pipeline.check_invariants();
  }

  TEST_CASE("an op under another replica is refused with replica_mismatch naming it") {
    CommitPipeline pipeline({});
    const auto result = pipeline.integrate(
        {7, 1, "ann"}, frame({insert(2, 0, 1, crdt::root_id, "x")}), now, no_limit);
    CHECK(result.rejected == 1);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].name == "replica_mismatch");
    CHECK(result.errors[0].op == crdt::Id{2, 0});
    CHECK_FALSE(pipeline.has_batch());
  }

  TEST_CASE("an insert past max_document_bytes is refused with document_full") {
    CommitPipeline pipeline({});
    const auto result =
        pipeline.integrate({7, 1, "ann"}, frame({insert(1, 0, 1, crdt::root_id, "hello")}), now, 4);
    CHECK(result.rejected == 1);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].name == "document_full");
    CHECK(pipeline.document_bytes() == 0);
  }

  TEST_CASE("an op the document model refuses gets op_rejected_base plus its crdt error") {
    CommitPipeline pipeline({});
    // seq 1 before seq 0 is not in order for its replica (a gap is buffered; a repeat of a
    // known seq with other content is not): refuse an insert whose parent is itself.
    const auto result = pipeline.integrate(
        {7, 1, "ann"}, frame({insert(1, 0, 1, crdt::Id{1, 0}, "x")}), now, no_limit);
    CHECK(result.rejected == 1);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].code > static_cast<std::uint64_t>(proto::ErrorCode::op_rejected_base));
  }

  TEST_CASE("ops integrated while nothing is in flight get consecutive log indexes") {
    CommitPipeline pipeline({});
    const Author ann{7, 1, "ann"};
    (void)pipeline.integrate(ann, frame({insert(1, 0, 1, crdt::root_id, "a")}), now, no_limit);
    (void)pipeline.integrate(ann, frame({insert(1, 1, 2, crdt::Id{1, 0}, "b")}), now, no_limit);
    REQUIRE_FALSE(pipeline.start().has_value());
    REQUIRE(pipeline.in_flight().size() == 2);
    CHECK(pipeline.in_flight()[1].index == 1);
    (void)pipeline.complete();
    CHECK(pipeline.rga().text() == "ab");
    pipeline.check_invariants();
  }

  TEST_CASE("one writer's waiting ops take only its share of the pending buffer (#13)") {
    proto::ServerLimits limits;
    limits.max_buffered_ops = 2;
    CommitPipeline pipeline(replica_limits(limits));
    const Author ann{7, 1, "ann"};
    const Author bob{8, 2, "bob"};
    const auto junk = pipeline.integrate(
        ann,
        frame({insert(1, 10, 10, crdt::root_id, "x"), insert(1, 11, 11, crdt::root_id, "y"),
               insert(1, 12, 12, crdt::root_id, "z")}),
        now, no_limit);
    REQUIRE(junk.errors.size() == 1);
    CHECK(junk.errors[0].code == proto::op_rejected_code(crdt::Errc::buffer_full));
    CHECK(junk.errors[0].op == crdt::Id{1, 12});
    const auto early =
        pipeline.integrate(bob, frame({insert(2, 1, 2, {2, 0}, "b")}), now, no_limit);
    CHECK(early.errors.empty());
    const auto cause =
        pipeline.integrate(bob, frame({insert(2, 0, 1, crdt::root_id, "a")}), now, no_limit);
    CHECK(cause.errors.empty());
    CHECK(cause.applied == 2);
    CHECK(pipeline.rga().text() == "ab");
    pipeline.check_invariants();
  }

  TEST_CASE("a buffered op is acked with the batch that releases it, not before (#14)") {
    CommitPipeline pipeline({});
    const Author ann{7, 1, "ann"};
    const Author bob{8, 2, "bob"};
    const auto waiting =
        pipeline.integrate(ann, frame({insert(1, 0, 2, {2, 0}, "a")}), now, no_limit);
    CHECK(waiting.errors.empty());
    CHECK(waiting.applied == 0);
    CHECK_FALSE(pipeline.has_batch());  // nothing to ack: no ack 0
    const auto cause =
        pipeline.integrate(bob, frame({insert(2, 0, 1, crdt::root_id, "b")}), now, no_limit);
    CHECK(cause.applied == 2);
    REQUIRE_FALSE(pipeline.start().has_value());
    const auto done = pipeline.complete();
    CHECK(done.authors == std::set<std::uint64_t>{8});
    CHECK(done.replicas == std::set<crdt::ReplicaId>{1, 2});
    CHECK(pipeline.durable().get(1) == 1);
    pipeline.check_invariants();
  }

  TEST_CASE("a buffered op refused when released is named in an error for its author (#14)") {
    CommitPipeline pipeline({});
    const Author ann{7, 1, "ann"};
    const Author bob{8, 2, "bob"};
    (void)pipeline.integrate(ann, frame({insert(1, 0, 3, {2, 0}, "a")}), now, no_limit);
    // Its parent arrives with a higher lamport: the waiting child breaks the heap rule.
    const auto cause =
        pipeline.integrate(bob, frame({insert(2, 0, 5, crdt::root_id, "b")}), now, no_limit);
    CHECK(cause.errors.empty());
    CHECK(cause.applied == 1);
    REQUIRE(cause.dropped.size() == 1);
    CHECK(cause.dropped[0].replica == 1);
    CHECK(cause.dropped[0].error.code == proto::op_rejected_code(crdt::Errc::heap_violation));
    CHECK(cause.dropped[0].error.op == crdt::Id{1, 0});
    CHECK(cause.dropped[0].error.doc == "doc");
    REQUIRE_FALSE(pipeline.start().has_value());
    CHECK(pipeline.complete().replicas == std::set<crdt::ReplicaId>{2});
    CHECK(pipeline.rga().text() == "b");
    pipeline.check_invariants();
  }

  TEST_CASE("ops past max_document_ops are refused with document_full") {
    CommitPipeline pipeline({});
    crdt::Rga full;
    pipeline.load(std::move(full), max_document_ops);
    const Author ann{7, 1, "ann"};
    const auto result =
        pipeline.integrate(ann, frame({insert(1, 0, 1, crdt::root_id, "x")}), now, no_limit);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].code == static_cast<std::uint64_t>(proto::ErrorCode::document_full));
    CHECK(result.applied == 0);
  }
}

}  // namespace weft::server::documents
