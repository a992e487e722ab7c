// recovery_test.cpp — the C++ client recovering its unacknowledged edits against the real binary
// (PROTOCOL.md §7.8, issue 14 items 2 and 3): a refused resume token (the replica evicted from the
// document's replica table), a replica taken over by another connection, and permanent refusals
// (read_only, document_full). Nothing typed is lost or duplicated; what the server refused is
// dropped and reported as a client::Refusal; the text converges with the server's.
#include "client/recovery.hpp"

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "crdt/rga.hpp"
#include "tests/integration/harness.hpp"
#include "tests/server/test_keys.hpp"

namespace weft::integration {
namespace {

constexpr std::string_view secret = "recovery-secret";

std::string mint(const std::string& sub, const nlohmann::json& docs) {
  return test_keys::sign("HS256", secret,
                         {sub, docs, std::nullopt, test_keys::now_s() + 600, std::nullopt});
}

}  // namespace

TEST_SUITE("integration: recovery of unacknowledged edits") {
  TEST_CASE("retype() skips what the server holds and drops refused ops (PROTOCOL.md 7.8)") {
    crdt::Rga server{2};
    REQUIRE(server.local_insert(0, "ab").has_value());
    crdt::Rga lost{1};
    const std::vector<crdt::Op> start = server.ops_since({}).value();
    for (const crdt::Op& op : start) (void)lost.apply_remote(op);
    std::vector<crdt::Op> unacked;
    unacked.emplace_back(lost.local_insert(1, "XY").value());       // stored, ack lost
    unacked.emplace_back(lost.local_insert(3, "Z").value());        // not stored
    unacked.emplace_back(lost.local_insert(4, "refused").value());  // refused
    unacked.emplace_back(lost.local_insert(11, "!").value());       // typed inside it
    unacked.emplace_back(lost.local_delete(0, 1).value());          // "a": not stored
    REQUIRE(lost.text() == "XYZrefused!b");
    (void)server.apply_remote(unacked[0]);

    crdt::Rga rebuilt{5};
    const std::vector<crdt::Op> now = server.ops_since({}).value();
    for (const crdt::Op& op : now) (void)rebuilt.apply_remote(op);
    client::DropRule rule;
    rule.replica = 1;
    rule.dropped.insert(crdt::op_seq(unacked[2]));
    const client::Retyped out = client::retype(rebuilt, unacked, rule);
    CHECK(rebuilt.text() == "XYZ!b");
    CHECK(out.dropped.text == "refused");
    CHECK(out.dropped.deleted == 0);
    for (const crdt::Op& op : out.ops) {
      CHECK(crdt::op_replica(op) == 5);
      CHECK(server.apply_remote(op).status == crdt::ApplyStatus::applied);
    }
    CHECK(server.text() == "XYZ!b");
  }

  TEST_CASE("a refused resume token: offline edits are typed again under a new replica, once") {
    // The replica table keeps the 2 most recent replicas: two joins evict an offline writer's.
    Harness h({"--max-replicas-per-document", "2"});
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client("evicted");
    REQUIRE(a.local_insert("evicted", 0, "hello").has_value());
    REQUIRE(h.wait_until([&] { return a.acked("evicted"); }));
    const crdt::ReplicaId old = a.doc("evicted")->replica;

    a.disconnect();
    REQUIRE(a.local_insert("evicted", 5, " world").has_value());
    REQUIRE(a.local_insert("evicted", 0, "> ").has_value());
    REQUIRE(a.local_delete("evicted", 2, 1).has_value());
    REQUIRE(a.text("evicted") == "> ello world");
    for (const char* letter : {"B", "C"}) {
      client::Session& other = h.client("evicted");
      REQUIRE(other.local_insert("evicted", other.text("evicted").size(), letter).has_value());
      REQUIRE(h.wait_until([&] { return other.acked("evicted"); }));
      other.disconnect();
    }

    REQUIRE(a.reconnect().has_value());
    CHECK(h.wait_until([&] { return a.acked("evicted"); }));
    CHECK(a.doc("evicted")->replica != old);
    CHECK(a.text("evicted") == "> ello worldBC");
    CHECK(h.client("evicted").text("evicted") == "> ello worldBC");
    CHECK(a.doc("evicted")->refusals.empty());
    CHECK(a.doc("evicted")->lost_ops == 0);
  }

  TEST_CASE("a replica taken over by another connection: the session rejoins under a new one") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client("taken");
    REQUIRE(a.local_insert("taken", 0, "first ").has_value());
    REQUIRE(h.wait_until([&] { return a.acked("taken"); }));
    const client::DocState& state = *a.doc("taken");
    const crdt::ReplicaId old = state.replica;

    // Another connection resumes a's replica with a's credentials.
    client::Session& b = h.client();
    proto::Join join;
    join.doc = "taken";
    join.epoch = state.epoch;
    join.replica = state.replica;
    join.token = state.token;
    b.send_frame(join);
    CHECK(h.wait_until([&] { return state.takeovers == 1 && a.acked("taken"); }));
    CHECK(state.replica != old);
    REQUIRE(a.local_insert("taken", a.text("taken").size(), "after").has_value());
    CHECK(h.wait_until([&] { return a.acked("taken"); }));
    CHECK(h.client("taken").text("taken") == "first after");
  }

  TEST_CASE("a read-only user who types gets a refusal and the server's text back") {
    Harness h({"--jwt-secret", std::string(secret)});
    INFO("server log:\n" << h.server.log());
    client::Session& writer = h.client_with_token(mint("ada", {{"*", "write"}}));
    REQUIRE(writer.join("ro").has_value());
    REQUIRE(writer.local_insert("ro", 0, "shared").has_value());
    REQUIRE(h.wait_until([&] { return writer.acked("ro"); }));

    client::Session& reader = h.client_with_token(mint("bob", {{"*", "read"}}));
    std::vector<client::Refusal> reported;
    REQUIRE(reader.join("ro").has_value());
    REQUIRE(reader.local_insert("ro", 6, " XYZ").has_value());
    REQUIRE(reader.local_insert("ro", 0, "Q").has_value());
    const client::DocState& state = *reader.doc("ro");
    CHECK(h.wait_until([&] { return state.refusals.size() == 1 && reader.acked("ro"); }));
    REQUIRE(state.refusals.size() == 1);
    const client::Refusal& refusal = state.refusals.front();
    CHECK(refusal.name == "read_only");
    CHECK(refusal.dropped.text == " XYZQ");
    CHECK(refusal.message == "This document is read-only: 5 characters typed were not saved.");
    CHECK(reader.text("ro") == "shared");
    CHECK(state.read_only);
    CHECK_FALSE(reader.local_insert("ro", 0, "again").has_value());

    REQUIRE(writer.local_insert("ro", 6, "!").has_value());
    CHECK(h.wait_until([&] { return reader.text("ro") == "shared!"; }));
    CHECK(state.refusals.size() == 1);
  }

  TEST_CASE("access_revoked to read-only: local edits fail until a refresh to write access") {
    Harness h({"--jwt-secret", std::string(secret)});
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client_with_token(mint("ada", {{"*", "write"}}));
    REQUIRE(a.join("revoked").has_value());
    REQUIRE(a.local_insert("revoked", 0, "mine").has_value());
    REQUIRE(h.wait_until([&] { return a.acked("revoked"); }));
    REQUIRE(a.refresh(mint("ada", {{"*", "read"}})).has_value());
    const client::DocState& state = *a.doc("revoked");
    CHECK(h.wait_until([&] { return state.read_only; }));
    CHECK_FALSE(a.local_insert("revoked", 0, "no").has_value());
    CHECK(a.text("revoked") == "mine");
    REQUIRE(a.refresh(mint("ada", {{"*", "write"}})).has_value());
    CHECK_FALSE(state.read_only);
    REQUIRE(a.local_insert("revoked", 4, "!").has_value());
    CHECK(h.wait_until([&] { return a.acked("revoked"); }));
    CHECK(a.text("revoked") == "mine!");
    CHECK(state.refusals.empty());
  }

  TEST_CASE("document_full: the refused insert is dropped and reported, later edits are kept") {
    Harness h({"--max-document-bytes", "20"});
    INFO("server log:\n" << h.server.log());
    std::vector<std::string> messages;
    h.session_options.on_refused = [&](const std::string& doc, const client::Refusal& refusal) {
      messages.push_back(doc + ": " + refusal.message);
    };
    client::Session& a = h.client("full");
    REQUIRE(a.local_insert("full", 0, "0123456789").has_value());
    REQUIRE(h.wait_until([&] { return a.acked("full"); }));
    REQUIRE(a.local_insert("full", 10, "abcdefghijklmno").has_value());  // 25 bytes: too many
    REQUIRE(a.local_insert("full", 25, "zz").has_value());  // sent before the refusal arrives
    REQUIRE(a.local_delete("full", 0, 1).has_value());
    const client::DocState& state = *a.doc("full");
    CHECK(h.wait_until([&] { return state.refusals.size() == 1 && a.acked("full"); }));
    REQUIRE(state.refusals.size() == 1);
    CHECK(state.refusals.front().name == "document_full");
    CHECK(state.refusals.front().dropped.text == "abcdefghijklmno");
    CHECK(messages == std::vector<std::string>{
                          "full: The document is full (max 20 bytes): 15 characters typed were "
                          "not saved."});
    CHECK(a.text("full") == "123456789zz");
    CHECK(h.client("full").text("full") == "123456789zz");

    REQUIRE(a.local_insert("full", 0, "ok").has_value());
    CHECK(h.wait_until([&] { return a.acked("full"); }));
    CHECK(h.client("full").text("full") == "ok123456789zz");
  }
}

}  // namespace weft::integration
