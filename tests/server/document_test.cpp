// document_test.cpp — server/documents/document.hpp: joins, catch-up, the commit pipeline, op
// errors.
#include "server/documents/document.hpp"

#include <doctest/doctest.h>

#include "storage/document_loader.hpp"
#include "tests/server/server_test_support.hpp"

namespace weft::server::test {
namespace {

std::string stored_text(TestServer& server, const std::string& doc) {
  auto rga = storage::replay(server.store, doc, UINT64_MAX);
  REQUIRE(rga);
  return rga->text();
}

std::uint64_t log_size(TestServer& server, const std::string& doc) {
  auto log = server.store.read_log(doc, 0, UINT64_MAX);
  REQUIRE(log);
  return log->size();
}

proto::Join resume(const proto::Joined& joined, crdt::VersionVector vv = {}) {
  return proto::Join{joined.doc, joined.epoch, joined.replica, joined.token, std::move(vv)};
}

}  // namespace

TEST_SUITE("Document") {
  TEST_CASE("joining a new document creates it and catches up with an empty snapshot") {
    TestServer server;
    Client& client = server.connect();
    const auto joined = server.join_fresh(client, "doc");
    CHECK(kinds(server.last_frames) == "joined snapshot synced presences");
    CHECK(joined.replica == 1);
    CHECK(joined.epoch >= 1);
    CHECK(joined.epoch < crdt::id_limit);
    CHECK(joined.version.empty());
    CHECK_FALSE(joined.reset);
    const auto synced = only<proto::Synced>(server.last_frames).front();
    CHECK(synced.digest == proto::text_digest(""));
    CHECK(caught_up_text(server.last_frames).empty());
    CHECK(only<proto::Presences>(server.last_frames).front().entries.empty());
  }

  TEST_CASE("ops are acked to their author and relayed to others only once durable") {
    TestServer server;
    Client& a = server.connect();
    Client& b = server.connect();
    const auto ja = server.join_fresh(a, "doc");
    server.join_fresh(b, "doc");
    server.stream.hold_appends = true;
    a.send(proto::Ops{"doc", {insert(ja.replica, 0, 1, crdt::root_id, "hi")}});
    server.settle();
    CHECK(a.take().empty());
    CHECK(b.take().empty());
    server.stream.release_appends();
    server.settle();
    CHECK(only<proto::Ack>(a.take()) == std::vector<proto::Ack>{{"doc", 2}});
    // Exactly the op, relayed once; a digest may follow it (its timing is the digest
    // schedule's, not what this case is about).
    const auto relayed = b.take();
    REQUIRE_FALSE(relayed.empty());
    CHECK(only<proto::Ops>(relayed) ==
          std::vector<proto::Ops>{{"doc", {insert(ja.replica, 0, 1, crdt::root_id, "hi")}}});
    CHECK(std::holds_alternative<proto::Ops>(relayed.front()));
    for (const auto& digest : only<proto::DigestFrame>(relayed)) {
      CHECK(digest.version == crdt::VersionVector{{ja.replica, 2}});
    }
  }

  TEST_CASE("ops arriving while an append is in flight form the next batch") {
    TestServer server;
    Client& a = server.connect();
    const auto ja = server.join_fresh(a, "doc");
    const auto r = ja.replica;
    server.stream.hold_appends = true;
    a.send(proto::Ops{"doc", {insert(r, 0, 1, crdt::root_id, "a")}});
    server.settle();
    a.send(proto::Ops{"doc", {insert(r, 1, 2, {r, 0}, "b")}});
    a.send(proto::Ops{"doc", {insert(r, 2, 3, {r, 1}, "c")}});
    server.settle();
    CHECK(server.stream.appends == 1);
    server.stream.release_appends();
    server.settle();
    CHECK(server.stream.appends == 2);
    server.stream.release_appends();
    server.settle();
    CHECK(only<proto::Ack>(a.take()) == std::vector<proto::Ack>{{"doc", 1}, {"doc", 3}});
    CHECK(stored_text(server, "doc") == "abc");
  }

  TEST_CASE("a late joiner with the epoch catches up with the ops it lacks") {
    TestServer server;
    Client& a = server.connect();
    const auto ja = server.join_fresh(a, "doc");
    const auto r = ja.replica;
    a.send(proto::Ops{"doc", {insert(r, 0, 1, crdt::root_id, "ab")}});
    a.send(proto::Ops{"doc", {insert(r, 2, 3, {r, 1}, "c")}});
    server.settle();
    Client& b = server.connect();
    // b already holds "ab" (r: next seq 2) and lacks "c".
    const auto jb = server.join(
        b, proto::Join{"doc", ja.epoch, std::nullopt, std::nullopt, crdt::VersionVector{{r, 2}}});
    CHECK(kinds(server.last_frames) == "joined ops synced presences");
    CHECK(only<proto::Ops>(server.last_frames).front().ops ==
          std::vector<crdt::Op>{insert(r, 2, 3, {r, 1}, "c")});
    CHECK(jb.version == crdt::VersionVector{{r, 3}});
    CHECK(jb.replica != r);
  }

  TEST_CASE("a fresh joiner of a large document gets it as snapshot chunks") {
    ServerConfig config = test_config();
    config.limits.max_frame_bytes = 4096;
    TestServer server(config);
    Client& a = server.connect();
    const auto r = server.join_fresh(a, "doc").replica;
    const std::string text(10000, 'x');
    a.send(proto::Ops{"doc", {insert(r, 0, 1, crdt::root_id, text)}});
    server.settle();
    Client& b = server.connect();
    server.join_fresh(b, "doc");
    const auto chunks = only<proto::SnapshotChunk>(server.last_frames);
    CHECK(chunks.size() > 2);
    for (const auto& chunk : chunks) CHECK(chunk.bytes.size() <= 2048);
    CHECK(caught_up_text(server.last_frames) == text);
  }

  TEST_CASE("a rejoin with the replica's token keeps the replica") {
    TestServer server;
    Client& a = server.connect();
    const auto first = server.join_fresh(a, "doc");
    server.close(a);
    server.settle();
    Client& again = server.connect();
    const auto second = server.join(again, resume(first));
    CHECK(second.replica == first.replica);
    CHECK(second.token == first.token);
    CHECK_FALSE(second.reset);
  }

  TEST_CASE("a rejoin with a wrong token gets a new replica") {
    TestServer server;
    Client& a = server.connect();
    const auto first = server.join_fresh(a, "doc");
    server.close(a);
    server.settle();
    Client& again = server.connect();
    proto::Join join = resume(first);
    join.token->at(0) ^= 1;
    const auto second = server.join(again, join);
    CHECK(second.replica != first.replica);
    CHECK(second.token != first.token);
  }

  TEST_CASE("the replica table keeps at most its limit, evicting the oldest unused (#13)") {
    ServerConfig config = test_config();
    config.max_replicas_per_document = 3;
    TestServer server(config);
    Client& keeper = server.connect();
    const auto kept = server.join_fresh(keeper, "doc");
    std::vector<proto::Joined> passers;
    for (int i = 0; i < 10; ++i) {
      Client& passer = server.connect();
      passers.push_back(server.join_fresh(passer, "doc"));
      server.close(passer);
      server.settle();
    }
    const auto replicas = [&] {
      const auto loaded = server.store.load("doc");
      REQUIRE(loaded);
      std::string out;
      for (const auto& entry : loaded->meta.replicas) {
        out += std::to_string(entry.replica - kept.replica) + " ";
      }
      return out;
    };
    // The member's replica stays; of the others the newest ones (as offsets from the member's).
    CHECK(replicas() == "0 9 10 ");
    // An evicted replica's token no longer resumes it; a kept one does.
    Client& old = server.connect();
    const auto refused = server.join(old, resume(passers.front()));
    CHECK(refused.replica == kept.replica + 11);
    server.close(keeper);
    server.settle();
    Client& back = server.connect();
    CHECK(server.join(back, resume(kept)).replica == kept.replica);
    CHECK(replicas() == "0 10 11 ");
  }

  TEST_CASE("resuming a replica held by a live member takes it over") {
    TestServer server;
    Client& a = server.connect();
    const auto first = server.join_fresh(a, "doc");
    Client& b = server.connect();
    server.join(b, resume(first));
    CHECK(kinds(a.take()) == "error:replica_taken_over");
    // a is no longer a member: its ops are refused.
    a.send(proto::Ops{"doc", {insert(first.replica, 0, 1, crdt::root_id, "x")}});
    server.settle();
    CHECK(kinds(a.take()) == "error:not_joined");
    CHECK(server.stream.appends == 0);
  }

  TEST_CASE("a join from another epoch is reset and gets a snapshot") {
    TestServer server;
    Client& a = server.connect();
    const auto ja = server.join_fresh(a, "doc");
    a.send(proto::Ops{"doc", {insert(ja.replica, 0, 1, crdt::root_id, "abc")}});
    server.settle();
    Client& b = server.connect();
    const auto jb = server.join(b, proto::Join{"doc", ja.epoch + 1, ja.replica, ja.token,
                                               crdt::VersionVector{{ja.replica, 1}}});
    CHECK(jb.reset);
    CHECK(jb.replica != ja.replica);
    CHECK(kinds(server.last_frames) == "joined snapshot synced presences");
    CHECK(caught_up_text(server.last_frames) == "abc");
  }

  TEST_CASE("an op under another replica gets replica_mismatch and changes nothing") {
    TestServer server;
    Client& a = server.connect();
    const auto ja = server.join_fresh(a, "doc");
    a.send(proto::Ops{"doc", {insert(ja.replica + 5, 0, 1, crdt::root_id, "x")}});
    server.settle();
    const auto frames = a.take();
    CHECK(kinds(frames) == "error:replica_mismatch");
    const auto error = only<proto::Error>(frames).front();
    CHECK(error.op == crdt::Id{ja.replica + 5, 0});
    CHECK(error.doc == "doc");
    CHECK(server.stream.appends == 0);
  }

  TEST_CASE("a rejected op is named in an error and the frame's other ops still apply") {
    TestServer server;
    Client& a = server.connect();
    Client& b = server.connect();
    const auto ra = server.join_fresh(a, "doc").replica;
    const auto rb = server.join_fresh(b, "doc").replica;
    b.send(proto::Ops{"doc", {insert(rb, 0, 10, crdt::root_id, "B")}});
    server.settle();
    a.take();
    a.send(proto::Ops{"doc",
                      {insert(ra, 0, 1, crdt::root_id, "a"),
                       insert(ra, 1, 5, {rb, 0}, "x"),  // lamport not above its parent's
                       insert(ra, 1, 2, {ra, 0}, "c")}});
    server.settle();
    const auto frames = a.take();
    CHECK(kinds(frames) == "error:heap_violation ack");
    const auto error = only<proto::Error>(frames).front();
    CHECK(error.code == 100 + static_cast<std::uint64_t>(crdt::Errc::heap_violation));
    CHECK(error.op == crdt::Id{ra, 1});
    CHECK(stored_text(server, "doc") == "Bac");
  }

  TEST_CASE("a duplicate op is acked again and not stored twice") {
    TestServer server;
    Client& a = server.connect();
    const auto r = server.join_fresh(a, "doc").replica;
    const proto::Ops ops{"doc", {insert(r, 0, 1, crdt::root_id, "xy")}};
    a.send(ops);
    server.settle();
    a.send(ops);
    server.settle();
    CHECK(only<proto::Ack>(a.take()) == std::vector<proto::Ack>{{"doc", 2}, {"doc", 2}});
    CHECK(log_size(server, "doc") == 1);
  }

  TEST_CASE("an op waiting for another's op is acked when that op releases it, not before (#14)") {
    TestServer server;
    Client& a = server.connect();
    Client& b = server.connect();
    const auto ra = server.join_fresh(a, "doc").replica;
    const auto rb = server.join_fresh(b, "doc").replica;
    a.send(proto::Ops{"doc", {insert(ra, 0, 2, {rb, 0}, "a")}});
    server.settle();
    CHECK(only<proto::Ack>(a.take()).empty());  // waiting: no ack (and no ack 0)
    CHECK(server.stream.appends == 0);
    server.stream.hold_appends = true;
    b.send(proto::Ops{"doc", {insert(rb, 0, 1, crdt::root_id, "b")}});
    server.settle();
    CHECK(only<proto::Ack>(a.take()).empty());  // released, but not durable yet
    server.stream.release_appends();
    server.settle();
    const auto frames = a.take();
    CHECK(kinds(frames).starts_with("ack ops"));
    CHECK(only<proto::Ack>(frames) == std::vector<proto::Ack>{{"doc", 1}});
    CHECK(only<proto::Ack>(b.take()) == std::vector<proto::Ack>{{"doc", 1}});
    CHECK(stored_text(server, "doc") == "ba");
  }

  TEST_CASE("an op refused when another's op releases it gets an error naming it (#14)") {
    TestServer server;
    Client& a = server.connect();
    Client& b = server.connect();
    const auto ra = server.join_fresh(a, "doc").replica;
    const auto rb = server.join_fresh(b, "doc").replica;
    a.send(proto::Ops{"doc", {insert(ra, 0, 1, {rb, 0}, "a")}});
    server.settle();
    CHECK(only<proto::Ack>(a.take()).empty());
    b.send(proto::Ops{"doc", {insert(rb, 0, 4, crdt::root_id, "b")}});  // above a's lamport
    server.settle();
    const auto frames = a.take();
    CHECK(kinds(frames).starts_with("error:heap_violation ops"));
    const auto errors = only<proto::Error>(frames);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].op == crdt::Id{ra, 0});
    CHECK(errors[0].doc == "doc");
    CHECK(only<proto::Ack>(frames).empty());
    CHECK(kinds(b.take()).starts_with("ack"));
    CHECK(stored_text(server, "doc") == "b");
  }

  TEST_CASE("relayed ops from one author are merged into runs") {
    TestServer server;
    Client& a = server.connect();
    Client& b = server.connect();
    const auto r = server.join_fresh(a, "doc").replica;
    server.join_fresh(b, "doc");
    server.stream.hold_appends = true;
    a.send(proto::Ops{"doc", {insert(r, 0, 1, crdt::root_id, "a")}});
    server.settle();
    a.send(proto::Ops{"doc", {insert(r, 1, 2, {r, 0}, "b")}});
    a.send(proto::Ops{"doc", {insert(r, 2, 3, {r, 1}, "c")}});
    server.settle();
    server.stream.release_appends();
    server.settle();
    server.stream.release_appends();
    server.settle();
    const auto relayed = only<proto::Ops>(b.take());
    REQUIRE(relayed.size() == 2);
    CHECK(relayed[1].ops == std::vector<crdt::Op>{insert(r, 1, 2, {r, 0}, "bc")});
  }

  TEST_CASE("a digest after a commit matches the digest of the server's text") {
    ServerConfig config = test_config();
    config.limits.digest_interval_ms = 0;
    TestServer server(config);
    Client& a = server.connect();
    const auto r = server.join_fresh(a, "doc").replica;
    a.send(proto::Ops{"doc", {insert(r, 0, 1, crdt::root_id, "héllo")}});
    server.settle();
    const auto digests = only<proto::DigestFrame>(a.take());
    REQUIRE(digests.size() == 1);
    CHECK(digests[0].digest == proto::text_digest("héllo"));
    CHECK(digests[0].version == crdt::VersionVector{{r, 5}});
  }
}

}  // namespace weft::server::test
