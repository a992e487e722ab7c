// redis_store_test.cpp — what only RedisStore has: the URL, the durability check, fencing, Redis
// restarts and outages, corruption in Redis values, chunking, and many threads on one store. The
// contract it shares with the other stores is in document_store_test.cpp.
#include "storage/redis_store.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "storage/record_format.hpp"
#include "storage/redis_keys.hpp"
#include "storage/redis_pool.hpp"
#include "tests/error_message.hpp"
#include "tests/redis_server.hpp"
#include "tests/storage/store_test_support.hpp"

using namespace weft;
using namespace weft::storage;
using weft::storage::testing::EditingDocument;
using weft::storage::testing::make_meta;
using weft::testing::RedisServer;

namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<RedisStore> open_store(const RedisServer& server, RedisStoreOptions options = {}) {
  auto opened = RedisStore::open(server.url(), options);
  REQUIRE_MESSAGE(opened, weft::testing::error_message(opened));
  return std::move(*opened);
}

template <class T>
Errc code_of(const Result<T>& result) {
  REQUIRE_FALSE(result.has_value());
  REQUIRE(result.error().code.category() == category());
  return static_cast<Errc>(result.error().code.value());
}

std::vector<proto::OpRecord> edits(EditingDocument& doc, int n) {
  std::vector<proto::OpRecord> out;
  for (int i = 0; i < n; ++i) out.push_back(doc.edit());
  return out;
}

proto::NamedVersion named(std::string name, std::uint64_t at) {
  proto::NamedVersion version;
  version.name = std::move(name);
  version.at = at;
  return version;
}

// A raw command on the server, for looking at and damaging what the store wrote.
RedisReply raw(const RedisServer& server, const RedisPool::Command& command) {
  RedisPool pool(parse_redis_url(server.url()).value(), {});
  auto reply = pool.run(command);
  REQUIRE_MESSAGE(reply, weft::testing::error_message(reply));
  return *reply;
}

}  // namespace

TEST_SUITE("RedisStore") {
  TEST_CASE("redis URLs name a host, a port and a database") {
    const auto full = parse_redis_url("redis://db.example:6380/3");
    REQUIRE(full);
    CHECK(full->host == "db.example");
    CHECK(full->port == 6380);
    CHECK(full->db == 3);
    const auto bare = parse_redis_url("redis://localhost");
    REQUIRE(bare);
    CHECK(bare->port == 6379);
    CHECK(bare->db == 0);
    const auto v6 = parse_redis_url("redis://[::1]:7000/");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == 7000);
    for (const char* bad : {"http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h/x",
                            "redis://user:pw@h", "redis://[::1"}) {
      CAPTURE(bad);
      CHECK(code_of(parse_redis_url(bad)) == Errc::io_error);
    }
  }

  TEST_CASE("a database number in the URL keeps the documents apart") {
    RedisServer server;
    auto on3 = RedisStore::open(server.url() + "/3");
    REQUIRE_MESSAGE(on3, weft::testing::error_message(on3));
    REQUIRE((*on3)->create(make_meta("doc-a")));
    auto on0 = open_store(server);
    CHECK(code_of(on0->load("doc-a")) == Errc::not_found);
    CHECK((*on3)->load("doc-a"));
    CHECK(code_of(RedisStore::open(server.url() + "/99999")) == Errc::io_error);
  }

  TEST_CASE("open refuses a Redis that does not fsync every write, unless told otherwise") {
    RedisServer server({"--appendonly", "no", "--save", ""});
    const auto strict = RedisStore::open(server.url());
    CHECK(code_of(strict) == Errc::io_error);
    CHECK(strict.error().message.find("appendonly no") != std::string::npos);
    CHECK(strict.error().message.find("appendfsync always") != std::string::npos);

    auto relaxed = open_store(server, {.durability = RedisStoreOptions::Durability::relaxed});
    CHECK(relaxed->durability_note().starts_with("relaxed:"));
    CHECK(relaxed->create(make_meta("doc-a")));

    // Waiting for a replica that does not exist: the write fails after the timeout, clearly.
    auto waiting =
        open_store(server, {.replicas = 1, .replica_timeout = std::chrono::milliseconds{50}});
    const auto created = waiting->create(make_meta("doc-b"));
    CHECK(code_of(created) == Errc::io_error);
    CHECK(created.error().message.find("0 of 1 replicas") != std::string::npos);

    CHECK(code_of(RedisStore::open("redis://127.0.0.1:1")) == Errc::io_error);
  }

  TEST_CASE("with replicas = N, a write is acknowledged once N replicas have it") {
    RedisServer primary({"--appendonly", "no", "--save", ""});
    RedisServer replica({"--appendonly", "no", "--save", "", "--replicaof", "127.0.0.1",
                         std::to_string(primary.port())});
    const auto deadline = Clock::now() + std::chrono::seconds{10};
    while (raw(primary, {"INFO", "replication"}).str.find("state=online") == std::string::npos) {
      REQUIRE(Clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    auto store = open_store(primary, {.replicas = 1});  // durable through the replica
    CHECK(store->durability_note().find("waits for 1 replica") != std::string::npos);
    REQUIRE(store->create(make_meta("doc-a")));
    EditingDocument doc(1);
    REQUIRE(store->append("doc-a", edits(doc, 3)));
    CHECK(raw(replica, {"HGET", redis_keys::head("doc-a"), "next"}).str == "3");

    replica.kill();
    const auto lost = store->append("doc-a", edits(doc, 1));
    CHECK(code_of(lost) == Errc::io_error);
    CHECK(lost.error().message.find("0 of 1 replicas") != std::string::npos);
  }

  TEST_CASE("a writer whose fencing token is below the document's fence writes nothing") {
    RedisServer server;
    auto a = open_store(server);
    auto b = open_store(server);
    REQUIRE(a->set_fence("doc-a", 1));  // a document created later gets the fence
    REQUIRE(a->create(make_meta("doc-a")));
    EditingDocument doc(1);
    REQUIRE(a->append("doc-a", edits(doc, 3)));

    REQUIRE(b->set_fence("doc-a", 2));  // B takes the document over
    const std::vector<proto::OpRecord> late = edits(doc, 2);
    const auto refused = a->append("doc-a", late);
    CHECK(code_of(refused) == Errc::fenced);
    CHECK(refused.error().message.find("doc-a") != std::string::npos);
    CHECK(refused.error().message.find("fenced at 2") != std::string::npos);
    CHECK(code_of(a->update_meta(make_meta("doc-a", 7))) == Errc::fenced);
    CHECK(code_of(a->write_snapshot("doc-a", doc.snapshot())) == Errc::fenced);
    CHECK(code_of(a->remove("doc-a")) == Errc::fenced);
    CHECK(code_of(a->set_fence("doc-a", 1)) == Errc::fenced);
    CHECK(code_of(a->put_version("doc-a", named("v", 1))) == Errc::fenced);
    CHECK(code_of(a->remove_version("doc-a", "v")) == Errc::fenced);
    auto unfenced = open_store(server);
    CHECK(code_of(unfenced->append("doc-a", late)) == Errc::fenced);

    const auto seen = b->load("doc-a");
    REQUIRE(seen);
    CHECK(seen->next_index == 3);
    CHECK(seen->meta == make_meta("doc-a"));
    CHECK_FALSE(seen->snapshot);
    CHECK(b->append("doc-a", late));  // the new owner continues where the log is
    CHECK(b->load("doc-a").value().next_index == 5);
    REQUIRE(a->set_fence("doc-a", 3));  // and A may come back with a newer token
    CHECK(code_of(b->append("doc-a", edits(doc, 1))) == Errc::fenced);
  }

  TEST_CASE("every acknowledged record survives a Redis restart (SIGTERM, then SIGKILL)") {
    RedisServer server;
    auto store = open_store(server, {.chunk_records = 8});
    REQUIRE(store->create(make_meta("doc-a")));
    EditingDocument doc(1, 7);
    for (int i = 0; i < 40; ++i) {
      const proto::OpRecord record = doc.edit();
      REQUIRE(store->append("doc-a", std::span(&record, 1)));
    }
    REQUIRE(store->write_snapshot("doc-a", doc.snapshot()));
    REQUIRE(store->append("doc-a", edits(doc, 5)));
    for (const bool graceful : {true, false}) {
      CAPTURE(graceful);
      if (graceful) {
        server.stop();
      } else {
        server.kill();
      }
      server.start();
      // The same store, at once: its idle connections are found closed and replaced, and its
      // scripts are gone from Redis (NOSCRIPT, then EVAL).
      const auto loaded = store->load("doc-a");
      REQUIRE_MESSAGE(loaded, weft::testing::error_message(loaded));
      CHECK(loaded->next_index == doc.next_index());
      CHECK(store->read_log("doc-a", 0, 1000).value().size() == doc.next_index());
      REQUIRE(store->append("doc-a", edits(doc, 3)));
    }
  }

  TEST_CASE("while Redis is down every call fails fast with io_error; then it works again") {
    RedisServer server;
    auto store = open_store(server, {.pool = {.command_timeout = std::chrono::milliseconds{2000}}});
    REQUIRE(store->create(make_meta("doc-a")));
    EditingDocument doc(1);
    REQUIRE(store->append("doc-a", edits(doc, 3)));
    server.kill();
    for (int round = 0; round < 3; ++round) {
      const auto start = Clock::now();
      const std::vector<proto::OpRecord> more = edits(doc, 1);
      CHECK(code_of(store->append("doc-a", more)) == Errc::io_error);
      CHECK(code_of(store->load("doc-a")) == Errc::io_error);
      CHECK(code_of(store->read_log("doc-a", 0, 10)) == Errc::io_error);
      CHECK(code_of(store->read_snapshots("doc-a")) == Errc::io_error);
      CHECK(code_of(store->list()) == Errc::io_error);
      CHECK(code_of(store->create(make_meta("doc-b"))) == Errc::io_error);
      const auto failed = store->update_meta(make_meta("doc-a"));
      CHECK(code_of(failed) == Errc::io_error);
      CHECK(failed.error().message.find("redis 127.0.0.1:") != std::string::npos);
      CHECK(Clock::now() - start < std::chrono::seconds{1});
    }
    server.start();
    const auto deadline = Clock::now() + std::chrono::seconds{5};
    auto loaded = store->load("doc-a");
    while (!loaded && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
      loaded = store->load("doc-a");
    }
    REQUIRE_MESSAGE(loaded, weft::testing::error_message(loaded));
    CHECK(loaded->next_index == 3);  // the refused appends wrote nothing
    proto::OpRecord next = doc.edit();
    next.index = 3;
    CHECK(store->append("doc-a", std::span(&next, 1)));
  }

  TEST_CASE("a damaged value is corrupt for its document only, naming the index") {
    RedisServer server;
    auto store = open_store(server, {.chunk_records = 4});
    REQUIRE(store->create(make_meta("doc-a")));
    REQUIRE(store->create(make_meta("doc-b")));
    EditingDocument a(1);
    EditingDocument b(2);
    for (int i = 0; i < 12; ++i) {
      REQUIRE(store->append("doc-a", edits(a, 1)));
      REQUIRE(store->append("doc-b", edits(b, 1)));
    }
    // Chunks hold [0, 8) (two of 4 records, written after 8 and 12 records); the list [8, 12).
    CHECK(raw(server, {"ZCARD", redis_keys::chunks("doc-a")}).integer == 2);
    CHECK(raw(server, {"LLEN", redis_keys::log("doc-a")}).integer == 4);
    raw(server, {"LSET", redis_keys::log("doc-a"), "1", "garbage!"});
    const auto loaded = store->load("doc-a");
    CHECK(code_of(loaded) == Errc::corrupt);
    CHECK(loaded.error().message.find("document 'doc-a': log record 9") != std::string::npos);
    CHECK(store->read_log("doc-a", 0, 9).value().size() == 9);
    CHECK(store->load("doc-b").value().next_index == 12);

    const RedisReply chunk = raw(server, {"ZRANGE", redis_keys::chunks("doc-b"), "0", "0"});
    std::string damaged = chunk.elements.at(0).str;
    damaged[6] = static_cast<char>(damaged[6] ^ 0x40);
    raw(server, {"ZREM", redis_keys::chunks("doc-b"), chunk.elements.at(0).str});
    raw(server, {"ZADD", redis_keys::chunks("doc-b"), "0", damaged});
    const auto chunked = store->read_log("doc-b", 2, 3);
    CHECK(code_of(chunked) == Errc::corrupt);
    CHECK(chunked.error().message.find("document 'doc-b': log chunk [0, 4)") != std::string::npos);
    CHECK(store->list().value().size() == 2);
  }

  TEST_CASE("named versions: a damaged value is corrupt naming the version; remove deletes them") {
    RedisServer server;
    auto store = open_store(server);
    REQUIRE(store->create(make_meta("doc-a")));
    EditingDocument a(1);
    REQUIRE(store->append("doc-a", edits(a, 2)));
    REQUIRE(store->put_version("doc-a", named("draft", 1)));
    CHECK(raw(server, {"HLEN", redis_keys::versions("doc-a")}).integer == 1);
    const auto head = store->read_head("doc-a");
    REQUIRE(head);
    CHECK(head->next_index == 2);
    CHECK(head->meta == make_meta("doc-a"));

    raw(server, {"HSET", redis_keys::versions("doc-a"), "draft",
                 format::seal(proto::encode(named("other", 1)))});
    const auto misnamed = store->read_versions("doc-a");
    CHECK(code_of(misnamed) == Errc::corrupt);
    CHECK(misnamed.error().message.find("document 'doc-a': named version 'draft'") !=
          std::string::npos);
    raw(server, {"HSET", redis_keys::versions("doc-a"), "draft", "xx"});
    CHECK(code_of(store->read_versions("doc-a")) == Errc::corrupt);

    REQUIRE(store->remove("doc-a"));
    CHECK(raw(server, {"EXISTS", redis_keys::versions("doc-a")}).integer == 0);
    CHECK(code_of(store->read_versions("doc-a")) == Errc::not_found);
    CHECK(code_of(store->read_head("doc-a")) == Errc::not_found);
  }

  TEST_CASE("many threads append through one store, each to its own document") {
    RedisServer server;
    auto store = open_store(server, {.chunk_records = 16, .pool = {.connections = 3}});
    constexpr int threads = 8;
    constexpr int per_thread = 60;
    std::atomic<int> failures{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
      writers.emplace_back([&, t] {
        const std::string id = "doc-" + std::to_string(t);
        if (!store->create(make_meta(id))) ++failures;
        EditingDocument doc(static_cast<crdt::ReplicaId>(t + 1));
        for (int i = 0; i < per_thread; ++i) {
          if (!store->append(id, edits(doc, 1))) ++failures;
        }
      });
    }
    for (std::thread& w : writers) w.join();
    CHECK(failures == 0);
    const auto listed = store->list();
    REQUIRE(listed);
    CHECK(listed->size() == threads);
    for (const DocumentSummary& summary : *listed) {
      CHECK(summary.op_count == per_thread);
      CHECK(store->read_log(summary.id, 0, 1000).value().size() == per_thread);
    }
  }

  TEST_CASE(
      "two stores racing on one document: each index is taken once, the loser gets index_gap") {
    RedisServer server;
    auto first = open_store(server, {.chunk_records = 8});
    auto second = open_store(server, {.chunk_records = 8});
    REQUIRE(first->create(make_meta("doc-a")));
    constexpr int per_writer = 40;
    std::atomic<int> gaps{0};
    std::atomic<int> failures{0};
    const auto writer = [&](RedisStore& store, crdt::ReplicaId replica) {
      EditingDocument doc(replica);
      for (int i = 0; i < per_writer; ++i) {
        proto::OpRecord record = doc.edit();
        for (;;) {
          const auto log = store.load("doc-a");
          if (!log) {
            ++failures;
            return;
          }
          record.index = log->next_index;
          const auto appended = store.append("doc-a", std::span(&record, 1));
          if (appended) break;
          if (appended.error().code != Errc::index_gap) {
            ++failures;
            return;
          }
          ++gaps;
        }
      }
    };
    std::thread a(writer, std::ref(*first), 1);
    std::thread b(writer, std::ref(*second), 2);
    a.join();
    b.join();
    CHECK(failures == 0);
    const auto log = first->read_log("doc-a", 0, 1000);
    REQUIRE_MESSAGE(log, weft::testing::error_message(log));
    REQUIRE(log->size() == 2 * per_writer);
    for (std::size_t i = 0; i < log->size(); ++i) CHECK((*log)[i].index == i);
  }
}
