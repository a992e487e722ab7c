// document_lifecycle_test.cpp — documents unloading, failing and shutting down
// (server/documents/registry.hpp).
#include <doctest/doctest.h>

#include "server/documents/registry.hpp"
#include "tests/server/server_test_support.hpp"

namespace weft::server::test {
namespace {

std::size_t snapshot_count(TestServer& server, const std::string& doc) {
  auto snapshots = server.store.read_snapshots(doc);
  REQUIRE(snapshots);
  return snapshots->size();
}

}  // namespace

TEST_SUITE("Document lifecycle") {
  TEST_CASE("a document without members unloads after the grace period, snapshot first") {
    ServerConfig config = test_config();
    config.unload_after = std::chrono::milliseconds(0);
    TestServer server(config);
    Client& a = server.connect();
    const auto r = server.join_fresh(a, "doc").replica;
    a.send(proto::Ops{"doc", {insert(r, 0, 1, crdt::root_id, "kept")}});
    server.settle();
    CHECK(server.registry.size() == 1);
    a.send(proto::Leave{"doc"});
    server.settle();
    CHECK(server.registry.size() == 0);
    CHECK(snapshot_count(server, "doc") == 1);
  }

  TEST_CASE("a document reloaded after unloading has the same text") {
    ServerConfig config = test_config();
    config.unload_after = std::chrono::milliseconds(0);
    TestServer server(config);
    Client& a = server.connect();
    const auto first = server.join_fresh(a, "doc");
    const auto r = first.replica;
    a.send(proto::Ops{"doc", {insert(r, 0, 1, crdt::root_id, "kept")}});
    server.settle();
    a.send(proto::Leave{"doc"});
    server.settle();
    REQUIRE(server.registry.size() == 0);
    Client& b = server.connect();
    const auto second = server.join_fresh(b, "doc");
    CHECK(second.epoch == first.epoch);
    CHECK(second.version == crdt::VersionVector{{r, 4}});
    CHECK(only<proto::Synced>(server.last_frames).front().digest == proto::text_digest("kept"));
  }

  TEST_CASE("an append failure drops every member and the next join reloads durable state") {
    TestServer server;
    Client& a = server.connect();
    Client& b = server.connect();
    const auto ja = server.join_fresh(a, "doc");
    server.join_fresh(b, "doc");
    const auto r = ja.replica;
    a.send(proto::Ops{"doc", {insert(r, 0, 1, crdt::root_id, "ab")}});
    server.settle();
    a.take();
    b.take();
    server.stream.fail_appends = true;
    a.send(proto::Ops{"doc", {insert(r, 2, 3, {r, 1}, "c")}});
    server.settle();
    CHECK(kinds(a.take()) == "error:storage_failed");
    CHECK(kinds(b.take()) == "error:storage_failed");
    CHECK(server.registry.size() == 0);

    server.stream.fail_appends = false;
    const auto rejoined =
        server.join(a, proto::Join{"doc", ja.epoch, r, ja.token, crdt::VersionVector{{r, 3}}});
    CHECK(rejoined.replica == r);
    CHECK(rejoined.version == crdt::VersionVector{{r, 2}});
  }

  TEST_CASE("shutdown finishes the commit, writes a snapshot and closes members with going_away") {
    TestServer server;
    Client& a = server.connect();
    const auto r = server.join_fresh(a, "doc").replica;
    server.stream.hold_appends = true;
    a.send(proto::Ops{"doc", {insert(r, 0, 1, crdt::root_id, "bye")}});
    server.settle();
    bool done = false;
    server.registry.shutdown([&done] { done = true; });
    server.settle();
    CHECK_FALSE(done);
    server.stream.release_appends();
    server.settle();
    CHECK(done);
    CHECK(a.take() == std::vector<proto::Frame>{proto::Ack{"doc", 3}});
    CHECK(a.peer->closed_with() == proto::CloseCode::going_away);
    CHECK(snapshot_count(server, "doc") == 1);
  }

  TEST_CASE("shutdown with no documents completes") {
    TestServer server;
    bool done = false;
    server.registry.shutdown([&done] { done = true; });
    server.settle();
    CHECK(done);
  }
}

}  // namespace weft::server::test
