// precedence_test.cpp — a frame that breaks several rules gets the error of the first check it
// fails, in the order of proto/PROTOCOL.md §8 ("Precedence"); and what the server makes of
// unknown presence keys and of replica 0 in a join's version vector (§3, §4).
#include <algorithm>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <doctest/doctest.h>

#include "proto/error_frame.hpp"
#include "proto/frame_codec.hpp"
#include "tests/integration/harness.hpp"

namespace weft::integration {
namespace {

using proto::ErrorCode;

constexpr std::uint64_t id_limit = std::uint64_t{1} << 53;

std::uint64_t code_of(ErrorCode code) { return static_cast<std::uint64_t>(code); }

// The codes of every error `session` received, in order.
std::vector<std::uint64_t> error_codes(const client::Session& session) {
  std::vector<std::uint64_t> codes;
  for (const proto::Error& error : session.errors()) codes.push_back(error.code);
  return codes;
}

// Waits until `session` has received `count` errors, then lets a little more arrive (so that an
// error that should not come has had its chance).
std::vector<std::uint64_t> settle_errors(Harness& h, const client::Session& session,
                                         std::size_t count) {
  CHECK(h.wait_until([&] { return session.errors().size() >= count; }));
  h.pump(200ms);
  return error_codes(session);
}

bool live(const client::Session& session, const std::string& doc) {
  return session.doc(doc) != nullptr && session.doc(doc)->phase == client::DocPhase::live;
}

crdt::InsertOp insert(crdt::ReplicaId replica, crdt::Seq seq, crdt::Lamport lamport,
                      crdt::Id parent, std::string text) {
  return crdt::InsertOp{replica, seq, lamport, parent, std::move(text)};
}

}  // namespace

TEST_SUITE("integration: precedence") {
  TEST_CASE("rule 2: a malformed first frame is hello_required and close 4002") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& bad = h.raw_client();
    bad.send_bytes(std::string("\xc1", 1));
    CHECK(h.wait_until([&] { return bad.close_info() && bad.close_info()->code == 4002; }));
    CHECK(error_codes(bad) == std::vector{code_of(ErrorCode::hello_required)});
  }

  TEST_CASE("rule 3: a malformed frame for a document not joined is malformed_frame only") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& bad = h.client();
    // [6, "nope!", [[1, 1]]]: an insert of two elements, for a bad id that is not joined.
    bad.send_bytes(std::string("\x93\x06\xa5nope!\x91\x92\x01\x01", 12));
    // [8, "nope", 1]: a frame only the server sends, for a document not joined.
    bad.send_frame(proto::Ack{"nope", 1});
    // [99, "nope"]: an unknown type naming a document not joined.
    bad.send_bytes(std::string("\x92\x63\xa4nope", 7));
    CHECK(settle_errors(h, bad, 3) == std::vector{code_of(ErrorCode::malformed_frame),
                                                  code_of(ErrorCode::malformed_frame),
                                                  code_of(ErrorCode::unknown_frame_type)});
  }

  TEST_CASE("rule 4: join checks the id, then membership, then the document count") {
    Harness h({"--max-docs-per-connection", "1"});
    INFO("server log:\n" << h.server.log());
    client::Session& c = h.client("a");
    REQUIRE(h.wait_until([&] { return live(c, "a"); }));
    // One frame at a time: already_joined comes from the document's strand, the others from the
    // connection's, so errors of frames sent together may arrive in another order.
    const auto error_for = [&](const proto::Frame& frame) {
      const std::size_t before = c.errors().size();
      c.send_frame(frame);
      const auto codes = settle_errors(h, c, before + 1);
      CHECK(codes.size() == before + 1);
      return codes.back();
    };
    CHECK(error_for(proto::Join{"bad id!", std::nullopt, std::nullopt, std::nullopt, {}}) ==
          code_of(ErrorCode::bad_document_id));
    CHECK(error_for(proto::Join{"a", std::nullopt, std::nullopt, std::nullopt, {}}) ==
          code_of(ErrorCode::already_joined));
    CHECK(error_for(proto::Join{"b", std::nullopt, std::nullopt, std::nullopt, {}}) ==
          code_of(ErrorCode::too_many_documents));
    // Only a join checks the id's characters: ops for it are simply not joined.
    CHECK(error_for(proto::Ops{"bad id!", {insert(1, 0, 1, crdt::root_id, "x")}}) ==
          code_of(ErrorCode::not_joined));
  }

  TEST_CASE("rule 5: an ops frame is not_joined before too_many_ops") {
    Harness h({"--max-ops-per-frame", "1"});
    INFO("server log:\n" << h.server.log());
    client::Session& c = h.client("a");
    REQUIRE(h.wait_until([&] { return live(c, "a"); }));
    const auto two = [](const std::string& doc) {
      return proto::Ops{doc, {insert(1, 0, 1, crdt::root_id, "x"), insert(1, 1, 2, {1, 0}, "y")}};
    };
    c.send_frame(two("other"));
    c.send_frame(two("a"));
    CHECK(settle_errors(h, c, 2) ==
          std::vector{code_of(ErrorCode::not_joined), code_of(ErrorCode::too_many_ops)});
  }

  TEST_CASE("rule 5: authorship before content: an op of replica 0 is replica_mismatch") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& c = h.client("a");
    REQUIRE(h.wait_until([&] { return live(c, "a"); }));
    const crdt::ReplicaId self = c.doc("a")->replica;
    c.send_frame(proto::Ops{
        "a",
        {insert(0, 0, 1, crdt::root_id, "zero"), insert(id_limit, 0, 1, crdt::root_id, "huge"),
         // lamport 0 and no text: the first format check (1b) wins
         insert(self, 0, 0, crdt::root_id, ""),
         // the op's own replica is fine: an out-of-range parent is 101
         insert(self, 0, 1, {id_limit, 0}, "p")}});
    const auto errors = [&] {
      CHECK(h.wait_until([&] { return c.errors().size() >= 4; }));
      h.pump(200ms);
      return c.errors();
    }();
    REQUIRE(errors.size() == 4);
    CHECK(errors[0].code == code_of(ErrorCode::replica_mismatch));
    CHECK(errors[0].op == crdt::Id{0, 0});
    CHECK(errors[1].code == code_of(ErrorCode::replica_mismatch));
    CHECK(errors[1].op == crdt::Id{id_limit, 0});
    CHECK(errors[2].code == proto::op_rejected_code(crdt::Errc::bad_counter));
    CHECK(errors[2].op == crdt::Id{self, 0});
    CHECK(errors[3].code == proto::op_rejected_code(crdt::Errc::bad_replica));
    CHECK(errors[3].op == crdt::Id{self, 0});
    // The document is untouched and still takes the member's honest ops.
    REQUIRE(c.local_insert("a", 0, "ok").has_value());
    CHECK(h.wait_until([&] { return c.acked("a"); }));
    CHECK(h.client("a").text("a") == "ok");
  }

  TEST_CASE("a join whose version vector names replica 0 is malformed_frame and joins nothing") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& c = h.client();
    // [3, "a", 1, nil, nil, [[0, 5]]]
    c.send_bytes(
        std::string("\x96\x03\xa1"
                    "a\x01\xc0\xc0\x91\x92\x00\x05",
                    11));
    CHECK(settle_errors(h, c, 1) == std::vector{code_of(ErrorCode::malformed_frame)});
    CHECK(std::none_of(c.received().begin(), c.received().end(), [](const proto::Frame& f) {
      return std::holds_alternative<proto::Joined>(f);
    }));
    c.send_frame(proto::Presence{"a", {}});
    CHECK(settle_errors(h, c, 2).back() == code_of(ErrorCode::not_joined));
  }

  TEST_CASE("presence with unknown keys of any type, one of them twice, is accepted and relayed") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& ann = h.client("a");
    client::Session& bob = h.client("a");
    REQUIRE(h.wait_until([&] { return live(ann, "a") && live(bob, "a"); }));
    // [9, "a", {"x": "s", "name": "ann", "x": [1, {"k": -1}], "e": <ext>, "f": 1.5}]
    const std::string state = std::string(
        "\x85\xa1x\xa1s\xa4name\xa3"
        "ann\xa1x\x92\x01\x81\xa1k\xff\xa1"
        "e\xd4\x01\x05\xa1"
        "f\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00",
        38);
    ann.send_bytes(std::string("\x93\x09\xa1"
                               "a",
                               4) +
                   state);
    const crdt::ReplicaId ann_id = ann.doc("a")->replica;
    CHECK(h.wait_until([&] { return bob.doc("a")->presences.contains(ann_id); }));
    proto::PresenceState expected;
    expected.name = "ann";
    CHECK(bob.doc("a")->presences.at(ann_id) == expected);
    CHECK(ann.errors().empty());
  }

}  // TEST_SUITE
}  // namespace weft::integration
