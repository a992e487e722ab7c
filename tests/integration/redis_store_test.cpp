// redis_store_test.cpp — weft-server with --redis: the documents live in a real redis-server
// (storage::RedisStore), acknowledged ops survive the server's death and Redis's restart, and a
// Redis that does not make writes durable is refused unless the operator relaxes it.
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/redis_server.hpp"

namespace weft::integration {
namespace {

using testing::RedisServer;

std::vector<std::string> on_redis(const RedisServer& redis) { return {"--redis", redis.url()}; }

std::string healthz(const Harness& h) {
  return http_request(h.server.port(), "GET", "/healthz").body;
}

}  // namespace

TEST_SUITE("integration: the server on Redis") {
  TEST_CASE("every acknowledged op is in Redis after the server is killed and restarted") {
    RedisServer redis;
    Harness h(on_redis(redis));
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client("shared");
    client::Session& b = h.client("shared");
    type_together(h, a, b, "shared", 7, 60);
    REQUIRE(h.wait_until([&] {
      return a.acked("shared") && b.acked("shared") && a.text("shared") == b.text("shared");
    }));
    const std::string acked_text = a.text("shared");
    h.server.kill();

    REQUIRE(h.server.start(on_redis(redis)));
    CHECK(h.client("shared").text("shared") == acked_text);
    // Nothing went to the data directory: Redis is the only store.
    CHECK_FALSE(std::filesystem::exists(h.server.data_dir()));
  }

  TEST_CASE("the ready line and /healthz name Redis and the node") {
    RedisServer redis;
    Harness h({"--redis", redis.url(), "--node-id", "node-a"});
    CHECK(h.server.ready_line().find("(redis " + redis.url() + ", node node-a, ") !=
          std::string::npos);
    const std::string health = healthz(h);
    CHECK(health.find(R"("backend":"redis")") != std::string::npos);
    CHECK(health.find(R"("node":"node-a")") != std::string::npos);
    CHECK(health.find("durability") == std::string::npos);
  }

  TEST_CASE("a Redis that does not fsync every write is refused at startup") {
    RedisServer redis{{"--appendonly", "no", "--save", ""}};
    testing::ServerProcess server;
    CHECK_FALSE(server.start(on_redis(redis)));
    CHECK(server.log().find("does not make every write durable (appendonly no") !=
          std::string::npos);
  }

  TEST_CASE("--redis-durability relaxed runs on it, and /healthz and the log say so") {
    RedisServer redis{{"--appendonly", "no", "--save", ""}};
    Harness h({"--redis", redis.url(), "--redis-durability", "relaxed"});
    CHECK(healthz(h).find(R"("durability":"relaxed")") != std::string::npos);
    CHECK(h.server.log().find("WARNING: --redis-durability relaxed") != std::string::npos);
    client::Session& a = h.client("loose");
    REQUIRE(a.local_insert("loose", 0, "still works").has_value());
    CHECK(h.wait_until([&] { return a.acked("loose"); }));
  }

  TEST_CASE("while Redis is down nothing is acknowledged; once it is back editing resumes") {
    RedisServer redis;
    Harness h(on_redis(redis));
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client("outage");
    REQUIRE(a.local_insert("outage", 0, "before ").has_value());
    REQUIRE(h.wait_until([&] { return a.acked("outage"); }));

    redis.stop();
    REQUIRE(a.local_insert("outage", 7, "during").has_value());
    h.pump(1500ms);
    CHECK_FALSE(a.acked("outage"));
    CHECK(h.server.running());
    CHECK(h.wait_until(
        [&] { return healthz(h).find(R"("status":"degraded")") != std::string::npos; }, 5s));

    redis.start();
    REQUIRE(h.wait_until([&] { return a.acked("outage"); }, 20s));
    CHECK(
        h.wait_until([&] { return healthz(h).find(R"("status":"ok")") != std::string::npos; }, 5s));
    h.server.kill();
    REQUIRE(h.server.start(on_redis(redis)));
    CHECK(h.client("outage").text("outage") == "before during");
  }
}

}  // namespace weft::integration
