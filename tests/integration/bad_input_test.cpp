// bad_input_test.cpp — hostile or broken clients get the documented error or close code, each
// on its own connection, while a healthy pair of clients keeps editing and the server stays up.
#include <algorithm>
#include <string>

#include <doctest/doctest.h>

#include "proto/error_frame.hpp"
#include "proto/frame_codec.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"

namespace weft::integration {
namespace {

using proto::ErrorCode;

// A healthy pair on its own document; check() types through it and expects convergence.
struct Healthy {
  explicit Healthy(Harness& harness)
      : h(harness), writer(h.client("healthy")), reader(h.client("healthy")) {}
  void type(const std::string& text) {
    REQUIRE(writer.local_insert("healthy", writer.doc("healthy")->rga->length(), text).has_value());
  }
  void check() {
    type("ok.");
    CHECK(h.wait_until([&] {
      return writer.acked("healthy") && reader.text("healthy") == writer.text("healthy");
    }));
    CHECK(h.server.running());
    CHECK(http_request(h.server.port(), "GET", "/healthz").status == 200);
    CHECK(h.client("healthy").text("healthy") == writer.text("healthy"));
  }
  Harness& h;
  client::Session& writer;
  client::Session& reader;
};

// The first error `session` received with this code, if any.
std::optional<proto::Error> error_with(const client::Session& session, std::uint64_t code) {
  for (const proto::Error& error : session.errors()) {
    if (error.code == code) return error;
  }
  return std::nullopt;
}

bool got_error(const client::Session& session, ErrorCode code) {
  return error_with(session, static_cast<std::uint64_t>(code)).has_value();
}

std::uint64_t op_rejected(crdt::Errc e) { return proto::op_rejected_code(e); }

bool closed_with(const client::Session& session, std::uint16_t code) {
  return session.close_info() && session.close_info()->code == code;
}

// Waits for the error frame that refuses op `id` with `errc`, and checks that it names the op.
void check_op_rejected(Harness& h, const client::Session& session, crdt::Errc errc, crdt::Id id) {
  const std::uint64_t code = op_rejected(errc);
  CHECK(h.wait_until([&] { return error_with(session, code).has_value(); }));
  const auto error = error_with(session, code);
  REQUIRE(error.has_value());
  CHECK(error->name == crdt::errc_name(errc));
  CHECK(error->op == id);
}

crdt::InsertOp insert(crdt::ReplicaId replica, crdt::Seq seq, crdt::Lamport lamport,
                      crdt::Id parent, std::string text) {
  return crdt::InsertOp{replica, seq, lamport, parent, std::move(text)};
}

}  // namespace

TEST_SUITE("integration: bad input") {
  TEST_CASE("bytes that are not msgpack get malformed_frame") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    Healthy healthy{h};
    client::Session& bad = h.client();
    healthy.type("a");
    bad.send_bytes(std::string("\xc1\x00\x01", 3));
    CHECK(h.wait_until([&] { return got_error(bad, ErrorCode::malformed_frame); }));
    healthy.check();
  }

  TEST_CASE("msgpack of the wrong types gets malformed_frame") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    Healthy healthy{h};
    client::Session& bad = h.client();
    // [3, 42, nil, nil, nil, []]: a join whose document id is an integer.
    bad.send_bytes(std::string("\x96\x03\x2a\xc0\xc0\xc0\x90", 7));
    CHECK(h.wait_until([&] { return got_error(bad, ErrorCode::malformed_frame); }));
    healthy.check();
  }

  TEST_CASE("an unknown frame type gets unknown_frame_type") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    Healthy healthy{h};
    client::Session& bad = h.client();
    bad.send_bytes(std::string("\x91\x63", 2));  // [99]
    CHECK(h.wait_until([&] { return got_error(bad, ErrorCode::unknown_frame_type); }));
    healthy.check();
  }

  TEST_CASE("a frame above max_frame_bytes closes the connection with 1009") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    Healthy healthy{h};
    client::Session& bad = h.client();
    bad.send_bytes(std::string((std::size_t{1} << 20) + 16, '\x90'));
    CHECK(h.wait_until([&] { return closed_with(bad, 1009); }));
    healthy.check();
  }

  TEST_CASE("ops for a document not joined get not_joined") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    Healthy healthy{h};
    client::Session& bad = h.client();
    bad.send_frame(proto::Ops{"healthy", {insert(1, 0, 1, crdt::root_id, "x")}});
    CHECK(h.wait_until([&] { return got_error(bad, ErrorCode::not_joined); }));
    healthy.check();
  }

  TEST_CASE("ops under another member's replica get replica_mismatch naming the op") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    Healthy healthy{h};
    client::Session& bad = h.client("healthy");
    const crdt::ReplicaId other = healthy.writer.doc("healthy")->replica;
    bad.send_frame(proto::Ops{"healthy", {insert(other, 1000, 1000, crdt::root_id, "evil")}});
    CHECK(h.wait_until([&] { return got_error(bad, ErrorCode::replica_mismatch); }));
    const auto error = error_with(bad, static_cast<std::uint64_t>(ErrorCode::replica_mismatch));
    REQUIRE(error.has_value());
    CHECK(error->op == crdt::Id{other, 1000});
    healthy.check();
    CHECK(healthy.reader.text("healthy").find("evil") == std::string::npos);
  }

  TEST_CASE("an op breaking the lamport rule is rejected with heap_violation naming it") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    Healthy healthy{h};
    client::Session& bad = h.client("healthy");
    // The healthy writer's first character has lamport 1 in a fresh document; a child with
    // lamport 1 breaks rule 3.
    healthy.type("w");
    REQUIRE(h.wait_until(
        [&] { return healthy.writer.acked("healthy") && bad.text("healthy") == "w"; }));
    const crdt::Id parent = bad.doc("healthy")->rga->id_at(0).value();
    const crdt::ReplicaId self = bad.doc("healthy")->replica;
    bad.send_frame(proto::Ops{"healthy", {insert(self, 0, 1, parent, "h")}});
    check_op_rejected(h, bad, crdt::Errc::heap_violation, crdt::Id{self, 0});
    healthy.check();
  }

  TEST_CASE("an insert of invalid UTF-8 is rejected with invalid_utf8 naming it") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    Healthy healthy{h};
    client::Session& bad = h.client("healthy");
    const crdt::ReplicaId self = bad.doc("healthy")->replica;
    bad.send_frame(proto::Ops{"healthy", {insert(self, 0, 100, crdt::root_id, "\xff\xfe")}});
    check_op_rejected(h, bad, crdt::Errc::invalid_utf8, crdt::Id{self, 0});
    healthy.check();
  }

  TEST_CASE("a flood of frames gets rate_limited, then close 1008") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    Healthy healthy{h};
    client::Session& bad = h.client("healthy");
    proto::PresenceState state;
    state.name = "flood";
    const std::string frame = proto::encode_frame(proto::Presence{"healthy", state});
    for (int i = 0; i < 6000; ++i) bad.send_bytes(frame);
    CHECK(h.wait_until([&] { return closed_with(bad, 1008); }));
    CHECK(got_error(bad, ErrorCode::rate_limited));
    healthy.check();
  }

  TEST_CASE("hello with an unsupported version gets unsupported_version and close 4001") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    Healthy healthy{h};
    client::Session& bad = h.raw_client();
    bad.send_frame(proto::Hello{99, "from the future"});
    CHECK(h.wait_until([&] { return closed_with(bad, 4001); }));
    CHECK(got_error(bad, ErrorCode::unsupported_version));
    healthy.check();
  }

  TEST_CASE("a first frame that is not hello closes the connection with 4002") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    Healthy healthy{h};
    client::Session& bad = h.raw_client();
    bad.send_frame(proto::Join{"healthy", std::nullopt, std::nullopt, std::nullopt, {}});
    CHECK(h.wait_until([&] { return closed_with(bad, 4002); }));
    CHECK(got_error(bad, ErrorCode::hello_required));
    healthy.check();
  }

}  // TEST_SUITE
}  // namespace weft::integration
