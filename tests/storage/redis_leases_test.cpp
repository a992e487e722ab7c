// redis_leases_test.cpp — RedisLeases on a real redis-server: who gets a document's lease, renewing
// and releasing it, fencing tokens that only grow (across expiry, release and restarts, and above
// a fence RedisStore set), the split-brain guarantee with RedisStore, Redis down, and a race.
#include "storage/redis_leases.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "storage/redis_keys.hpp"
#include "storage/redis_pool.hpp"
#include "storage/redis_store.hpp"
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
using std::chrono::milliseconds;

constexpr milliseconds long_ttl{10'000};
constexpr milliseconds short_ttl{200};
constexpr milliseconds past_short_ttl{350};

std::unique_ptr<RedisLeases> open_leases(const RedisServer& server, RedisPoolOptions options = {}) {
  auto opened = RedisLeases::open(server.url(), options);
  REQUIRE_MESSAGE(opened, weft::testing::error_message(opened));
  return std::move(*opened);
}

std::unique_ptr<RedisStore> open_store(const RedisServer& server) {
  auto opened = RedisStore::open(server.url());
  REQUIRE_MESSAGE(opened, weft::testing::error_message(opened));
  return std::move(*opened);
}

template <class T>
Errc code_of(const Result<T>& result) {
  REQUIRE_FALSE(result.has_value());
  REQUIRE(result.error().code.category() == category());
  return static_cast<Errc>(result.error().code.value());
}

LeaseGrant granted(RedisLeases& leases, std::string_view doc, std::string_view node,
                   milliseconds ttl = long_ttl) {
  auto grant = leases.acquire(doc, node, ttl);
  REQUIRE_MESSAGE(grant, weft::testing::error_message(grant));
  REQUIRE(grant->granted);
  CHECK(grant->holder == node);
  return *grant;
}

std::vector<proto::OpRecord> edits(EditingDocument& doc, int n) {
  std::vector<proto::OpRecord> out;
  for (int i = 0; i < n; ++i) out.push_back(doc.edit());
  return out;
}

}  // namespace

TEST_SUITE("RedisLeases") {
  TEST_CASE("the first node gets the lease with a token; a second node is refused") {
    RedisServer server;
    auto leases = open_leases(server);
    const LeaseGrant a = granted(*leases, "doc-a", "node-a");
    CHECK(a.token >= 1);
    CHECK(a.remaining == long_ttl);

    const auto b = leases->acquire("doc-a", "node-b", long_ttl);
    REQUIRE_MESSAGE(b, weft::testing::error_message(b));
    CHECK_FALSE(b->granted);
    CHECK(b->token == 0);
    CHECK(b->holder == "node-a");
    CHECK(b->remaining > milliseconds{0});
    CHECK(b->remaining <= long_ttl);
    CHECK(leases->holder("doc-a").value() == std::optional<std::string>{"node-a"});
    CHECK(leases->holder("doc-b").value() == std::nullopt);
  }

  TEST_CASE("the holder's acquire again keeps its token and resets the TTL") {
    RedisServer server;
    auto leases = open_leases(server);
    const LeaseGrant first = granted(*leases, "doc-a", "node-a", short_ttl);
    const LeaseGrant again = granted(*leases, "doc-a", "node-a", long_ttl);
    CHECK(again.token == first.token);
    CHECK(again.remaining == long_ttl);
    std::this_thread::sleep_for(past_short_ttl);  // past the first TTL, within the second
    CHECK(leases->holder("doc-a").value() == std::optional<std::string>{"node-a"});
  }

  TEST_CASE("renew keeps the lease past its original TTL") {
    RedisServer server;
    auto leases = open_leases(server);
    const LeaseGrant a = granted(*leases, "doc-a", "node-a", short_ttl);
    const milliseconds renewed_ttl{1000};  // each renewal leaves room for a slow machine
    for (int i = 0; i < 4; ++i) {
      const auto renewed = leases->renew("doc-a", "node-a", a.token, renewed_ttl);
      REQUIRE_MESSAGE(renewed, weft::testing::error_message(renewed));
      CHECK(*renewed);
      std::this_thread::sleep_for(short_ttl / 2);
    }
    CHECK(leases->holder("doc-a").value() == std::optional<std::string>{"node-a"});
    CHECK_FALSE(leases->acquire("doc-a", "node-b", short_ttl).value().granted);
  }

  TEST_CASE("renew by a non-holder or with a stale token returns false and changes nothing") {
    RedisServer server;
    auto leases = open_leases(server);
    const LeaseGrant a = granted(*leases, "doc-a", "node-a", short_ttl);
    CHECK_FALSE(leases->renew("doc-a", "node-b", a.token, long_ttl).value());
    CHECK_FALSE(leases->renew("doc-a", "node-a", a.token + 1, long_ttl).value());
    CHECK_FALSE(leases->renew("doc-a", "node-a", a.token - 1, long_ttl).value());
    std::this_thread::sleep_for(past_short_ttl);  // none of them extended A's lease
    CHECK(leases->holder("doc-a").value() == std::nullopt);
    CHECK_FALSE(leases->renew("doc-a", "node-a", a.token, long_ttl).value());  // expired: lost

    const LeaseGrant b = granted(*leases, "doc-a", "node-b");
    CHECK_FALSE(leases->renew("doc-a", "node-a", a.token, long_ttl).value());  // taken: lost
    CHECK(leases->renew("doc-a", "node-b", b.token, long_ttl).value());
  }

  TEST_CASE("after the TTL expires another node gets the lease with a larger token") {
    RedisServer server;
    auto leases = open_leases(server);
    const LeaseGrant a = granted(*leases, "doc-a", "node-a", short_ttl);
    std::this_thread::sleep_for(past_short_ttl);
    const LeaseGrant b = granted(*leases, "doc-a", "node-b");
    CHECK(b.token > a.token);
    CHECK(leases->holder("doc-a").value() == std::optional<std::string>{"node-b"});
  }

  TEST_CASE("tokens only grow: after expiry, after release and across a Redis restart") {
    RedisServer server;
    auto leases = open_leases(server);
    std::uint64_t last = granted(*leases, "doc-a", "node-a", short_ttl).token;
    std::this_thread::sleep_for(past_short_ttl);

    const LeaseGrant after_expiry = granted(*leases, "doc-a", "node-a");
    CHECK(after_expiry.token > last);
    last = after_expiry.token;
    REQUIRE(leases->release("doc-a", "node-a", after_expiry.token));

    const LeaseGrant after_release = granted(*leases, "doc-a", "node-a");
    CHECK(after_release.token > last);
    last = after_release.token;
    REQUIRE(leases->release("doc-a", "node-a", after_release.token));

    server.stop();  // SIGTERM; the AOF (fsync always) keeps the counter
    server.start();
    const auto deadline = Clock::now() + std::chrono::seconds{5};
    auto after_restart = leases->acquire("doc-a", "node-b", long_ttl);
    while (!after_restart && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds{20});
      after_restart = leases->acquire("doc-a", "node-b", long_ttl);
    }
    REQUIRE_MESSAGE(after_restart, weft::testing::error_message(after_restart));
    REQUIRE(after_restart->granted);
    CHECK(after_restart->token > last);
  }

  TEST_CASE("a granted token is above the fence a RedisStore set earlier") {
    RedisServer server;
    auto store = open_store(server);
    REQUIRE(store->create(make_meta("doc-a")));
    REQUIRE(store->set_fence("doc-a", 41));
    auto leases = open_leases(server);  // its counter for doc-a does not exist yet
    CHECK(granted(*leases, "doc-a", "node-a").token >= 42);
  }

  TEST_CASE("once the new owner fences with its token, the old owner's writes are refused") {
    RedisServer server;
    auto leases_a = open_leases(server);
    auto leases_b = open_leases(server);
    auto store_a = open_store(server);
    auto store_b = open_store(server);

    const LeaseGrant a = granted(*leases_a, "doc-a", "node-a", short_ttl);
    REQUIRE(store_a->set_fence("doc-a", a.token));
    REQUIRE(store_a->create(make_meta("doc-a")));
    EditingDocument doc(1);
    REQUIRE(store_a->append("doc-a", edits(doc, 2)));

    std::this_thread::sleep_for(past_short_ttl);  // A pauses and its lease expires
    const LeaseGrant b = granted(*leases_b, "doc-a", "node-b");
    REQUIRE(b.token > a.token);
    REQUIRE(store_b->set_fence("doc-a", b.token));

    const std::vector<proto::OpRecord> late = edits(doc, 1);
    CHECK(code_of(store_a->append("doc-a", late)) == Errc::fenced);  // A still thinks it owns it
    CHECK_FALSE(leases_a->renew("doc-a", "node-a", a.token, long_ttl).value());
    CHECK(store_b->append("doc-a", late));
    CHECK(store_b->load("doc-a").value().next_index == 3);
  }

  TEST_CASE("release frees the lease for another node") {
    RedisServer server;
    auto leases = open_leases(server);
    const LeaseGrant a = granted(*leases, "doc-a", "node-a");
    REQUIRE(leases->release("doc-a", "node-a", a.token));
    CHECK(leases->holder("doc-a").value() == std::nullopt);
    CHECK(granted(*leases, "doc-a", "node-b").token > a.token);
    CHECK(leases->release("doc-a", "node-a", a.token));  // no longer ours: not an error
  }

  TEST_CASE("release by a non-holder or with a stale token leaves the lease") {
    RedisServer server;
    auto leases = open_leases(server);
    const LeaseGrant a = granted(*leases, "doc-a", "node-a");
    REQUIRE(leases->release("doc-a", "node-b", a.token));
    REQUIRE(leases->release("doc-a", "node-a", a.token + 1));
    CHECK(leases->holder("doc-a").value() == std::optional<std::string>{"node-a"});
    CHECK(leases->renew("doc-a", "node-a", a.token, long_ttl).value());
  }

  TEST_CASE("bad document and node ids are refused before Redis is asked") {
    RedisServer server;
    auto leases = open_leases(server);
    CHECK(code_of(leases->acquire("doc a", "node-a", long_ttl)) == Errc::bad_document_id);
    CHECK(code_of(leases->holder("")) == Errc::bad_document_id);
    const auto bad_node = leases->acquire("doc-a", "node a", long_ttl);
    CHECK(code_of(bad_node) == Errc::io_error);
    CHECK(bad_node.error().message.find("bad node id") != std::string::npos);
    CHECK(code_of(leases->renew("doc-a", std::string(65, 'n'), 1, long_ttl)) == Errc::io_error);
    CHECK(code_of(leases->release("doc-a", "", 1)) == Errc::io_error);
    CHECK(code_of(leases->acquire("doc-a", "node-a", milliseconds{0})) == Errc::io_error);
    CHECK(RedisLeases::is_valid_node_id(std::string(64, 'n')));
    CHECK(RedisLeases::is_valid_node_id("node-1.eu_west"));
    CHECK(leases->holder("doc-a").value() == std::nullopt);
  }

  TEST_CASE("while Redis is down acquire and renew fail fast with io_error") {
    RedisServer server;
    auto leases = open_leases(server, {.command_timeout = milliseconds{2000}});
    const LeaseGrant a = granted(*leases, "doc-a", "node-a");
    server.kill();
    for (int round = 0; round < 3; ++round) {
      const auto start = Clock::now();
      const auto acquired = leases->acquire("doc-b", "node-a", long_ttl);
      CHECK(code_of(acquired) == Errc::io_error);
      CHECK(acquired.error().message.find("redis 127.0.0.1:") != std::string::npos);
      CHECK(code_of(leases->renew("doc-a", "node-a", a.token, long_ttl)) == Errc::io_error);
      CHECK(code_of(leases->release("doc-a", "node-a", a.token)) == Errc::io_error);
      CHECK(code_of(leases->holder("doc-a")) == Errc::io_error);
      CHECK(Clock::now() - start < std::chrono::seconds{1});
    }
  }

  TEST_CASE("many threads acquiring one document at once: exactly one is granted") {
    RedisServer server;
    auto first = open_leases(server);
    auto second = open_leases(server);
    constexpr int threads = 16;
    std::atomic<bool> go{false};
    std::mutex mu;
    std::vector<std::pair<std::string, Result<LeaseGrant>>> answers;  // guarded by mu
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) {
      pool.emplace_back([&, i] {
        std::string node = "node-";
        node += std::to_string(i);
        while (!go.load()) std::this_thread::yield();
        RedisLeases& leases = i % 2 == 0 ? *first : *second;
        auto answer = leases.acquire("doc-a", node, long_ttl);
        const std::lock_guard lock(mu);
        answers.emplace_back(std::move(node), std::move(answer));
      });
    }
    go = true;
    for (auto& thread : pool) thread.join();

    REQUIRE(answers.size() == threads);
    std::vector<std::string> winners;
    for (const auto& entry : answers) {
      const Result<LeaseGrant>& answer = entry.second;
      REQUIRE_MESSAGE(answer, weft::testing::error_message(answer));
      if (answer->granted) winners.push_back(entry.first);
    }
    REQUIRE(winners.size() == 1);
    for (const auto& entry : answers) CHECK(entry.second->holder == winners.front());
    CHECK(first->holder("doc-a").value() == std::optional<std::string>{winners.front()});
  }
}
