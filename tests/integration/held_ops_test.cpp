// held_ops_test.cpp — ops the server holds back until their dependencies arrive (PROTOCOL.md
// §5.6, §5.8): acked when another client's op releases them, or refused naming them.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "proto/error_frame.hpp"
#include "tests/integration/harness.hpp"

namespace weft::integration {
namespace {

std::vector<proto::Ack> acks(const client::Session& session) {
  std::vector<proto::Ack> out;
  for (const proto::Frame& frame : session.received()) {
    if (const auto* ack = std::get_if<proto::Ack>(&frame)) out.push_back(*ack);
  }
  return out;
}

std::vector<proto::Error> op_errors(const client::Session& session) {
  std::vector<proto::Error> out;
  for (const proto::Error& error : session.errors()) {
    if (error.op) out.push_back(error);
  }
  return out;
}

}  // namespace

TEST_SUITE("integration: held-back ops") {
  TEST_CASE("an op waiting for another client's op is acked when that op releases it (#14)") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client("held");
    client::Session& b = h.client("held");
    const crdt::ReplicaId ra = a.doc("held")->replica;
    const crdt::ReplicaId rb = b.doc("held")->replica;
    // Written from the spec: a child of b's first character, which the server has not seen.
    a.send_frame(proto::Ops{"held", {crdt::InsertOp{ra, 0, 2, crdt::Id{rb, 0}, "a"}}});
    h.pump(500ms);
    CHECK(acks(a).empty());  // while it waits: no ack (no "ack 0") and no error
    CHECK(op_errors(a).empty());
    REQUIRE(b.local_insert("held", 0, "b").has_value());  // {rb, 0}, lamport 1
    CHECK(h.wait_until([&] { return !acks(a).empty(); }));
    CHECK(acks(a) == std::vector<proto::Ack>{{"held", 1}});
    CHECK(h.wait_until([&] { return b.acked("held"); }));
    CHECK(op_errors(a).empty());
    CHECK(h.client("held").text("held") == "ba");
  }

  TEST_CASE("an op refused when another client's op releases it gets an error naming it (#14)") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client("held");
    client::Session& b = h.client("held");
    const crdt::ReplicaId ra = a.doc("held")->replica;
    const crdt::ReplicaId rb = b.doc("held")->replica;
    // Lamport 1: not above its parent's once b's first character (lamport 1) arrives.
    a.send_frame(proto::Ops{"held", {crdt::InsertOp{ra, 0, 1, crdt::Id{rb, 0}, "a"}}});
    h.pump(500ms);
    CHECK(op_errors(a).empty());
    REQUIRE(b.local_insert("held", 0, "b").has_value());
    const auto code = proto::op_rejected_code(crdt::Errc::heap_violation);
    CHECK(h.wait_until([&] { return !op_errors(a).empty(); }));
    const auto errors = op_errors(a);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].code == code);
    CHECK(errors[0].name == "heap_violation");
    CHECK(errors[0].doc == "held");
    CHECK(errors[0].op == crdt::Id{ra, 0});
    CHECK(acks(a).empty());
    CHECK(h.wait_until([&] { return b.acked("held"); }));
    CHECK(h.client("held").text("held") == "b");
  }
}  // TEST_SUITE
}  // namespace weft::integration
