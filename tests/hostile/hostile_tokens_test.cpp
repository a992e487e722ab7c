// hostile_tokens_test.cpp — hostile input (issue 13): oversized and deeply nested tokens,
// out-of-range claims, deeply nested JSON in the HTTP API and weft-replay imports.
//
// Tokens are signed by hand (test_keys::sign_raw: HMAC-SHA256 over the raw JSON text we choose),
// so that a case can sign what a JWT library would refuse to build: a payload nested 300,000 levels
// deep, an `exp` of -1 or 1e12.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <doctest/doctest.h>
#include <sys/wait.h>

#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/raw_client.hpp"
#include "tests/server/test_keys.hpp"
#include "tests/temp_dir.hpp"

namespace weft::integration {
namespace {

constexpr std::string_view secret = "hostile-secret";

// A compact HS256 JWT whose payload is exactly `payload_json`, signed with `key`.
std::string sign_raw(const std::string& payload_json, std::string_view key = secret) {
  return test_keys::sign_raw(payload_json, key);
}

using test_keys::now_s;

// A token for `sub` with write on every document; `exp_json` is the exp claim's raw JSON text
// (none when empty).
std::string token_for(const std::string& sub, const std::string& exp_json = "",
                      const std::string& rights = R"({"*":"write"})") {
  std::string payload = R"({"sub":")" + sub + R"(","docs":)" + rights;
  if (!exp_json.empty()) payload += R"(,"exp":)" + exp_json;
  return sign_raw(payload + "}");
}

// `depth` levels of arrays: "[[[...]]]".
std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// The status line of `method target` on the API with `token` as a Bearer token.
std::string api_status(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& token) {
  const std::string reply =
      raw_http(port, method + " " + target +
                         " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                         "Authorization: Bearer " +
                         token + "\r\nContent-Length: 0\r\n\r\n");
  return reply.substr(0, reply.find("\r\n"));
}

// The WebSocket upgrade's response (status line and body) with `token` as a Bearer token.
std::string upgrade(std::uint16_t port, const std::string& token) {
  return raw_http(port,
                  "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close, Upgrade\r\n"
                  "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " +
                      token + "\r\n\r\n");
}

// A server with the HS256 secret, and sessions that connect with tokens.
struct TokenHarness : Harness {
  TokenHarness() : Harness({"--jwt-secret", std::string(secret)}) {}
};

bool has_error(const client::Session& session, const std::string& name) {
  for (const auto& error : session.errors()) {
    if (error.name == name) return true;
  }
  return false;
}

// ann writes `text` at the start of "doc" and bob, a member too, sees it.
void check_still_editing(TokenHarness& h, client::Session& ann, client::Session& bob,
                         const std::string& text) {
  REQUIRE(ann.local_insert("doc", 0, text).has_value());
  CHECK(h.wait_until([&] { return ann.acked("doc") && bob.text("doc") == ann.text("doc"); }));
  CHECK(h.server.running());
}

struct ReplayRun {
  int status = -1;  // the wait status of weft-replay
  std::string err;
};

// weft-replay --log `log` text doc, its stderr kept.
ReplayRun replay_log(const std::filesystem::path& log) {
  const std::filesystem::path err = log.string() + ".err";
  const std::string command = std::string("'") + WEFT_REPLAY_BIN + "' --no-pager --log '" +
                              log.string() + "' text doc >/dev/null 2>'" + err.string() + "'";
  ReplayRun run;
  run.status = std::system(command.c_str());
  std::ifstream in(err);
  std::ostringstream text;
  text << in.rdbuf();
  run.err = text.str();
  return run;
}

}  // namespace

TEST_SUITE("hostile: tokens") {
  TEST_CASE("a refresh with a ~900 KiB deeply nested token is refused; everyone keeps editing") {
    TokenHarness h;
    client::Session& ann = h.client_with_token(token_for("ann"));
    client::Session& rex = h.client_with_token(token_for("rex", "", R"({"doc":"read"})"));
    REQUIRE(ann.join("doc").has_value());
    REQUIRE(rex.join("doc").has_value());
    // Any member may send it, a read-only one too; the signature is even valid.
    const std::string hostile = sign_raw(R"({"sub":"rex","x":)" + nested(340'000) + "}");
    REQUIRE(hostile.size() > 900'000);
    REQUIRE(hostile.size() < (1U << 20) - 16);  // fits in one frame
    const auto refused = rex.refresh(hostile);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().find("unauthorized") != std::string::npos);
    CHECK(refused.error().find("larger than 8192 bytes") != std::string::npos);
    check_still_editing(h, ann, rex, "still here");
    client::Session& late = h.client_with_token(token_for("late"));
    CHECK(late.join("doc").has_value());
  }

  TEST_CASE("a refresh with a validly signed token over 8 KiB is refused, the old one stays") {
    TokenHarness h;
    client::Session& ann = h.client_with_token(token_for("ann"));
    client::Session& bob = h.client_with_token(token_for("bob"));
    REQUIRE(ann.join("doc").has_value());
    REQUIRE(bob.join("doc").has_value());
    const std::string large =
        sign_raw(R"({"sub":"ann","docs":{"*":"write"},"name":")" + std::string(6200, 'a') + "\"}");
    REQUIRE(large.size() > 8192);
    const auto refused = ann.refresh(large);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().find("larger than 8192 bytes") != std::string::npos);
    check_still_editing(h, ann, bob, "old token");
  }

  TEST_CASE("a badly signed token is a bad signature whatever its payload holds") {
    TokenHarness h;
    client::Session& ann = h.client_with_token(token_for("ann"));
    REQUIRE(ann.join("doc").has_value());
    // Deeply nested and not even JSON: only a verifier that parsed it would say so.
    const std::string forged =
        sign_raw(R"({"sub":"ann","x":)" + std::string(3000, '['), "another-secret");
    REQUIRE(forged.size() < 8192);
    const auto refused = ann.refresh(forged);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().find("bad signature") != std::string::npos);
    CHECK(upgrade(h.server.port(), forged).find("unauthorized: bad signature") !=
          std::string::npos);
    REQUIRE(ann.local_insert("doc", 0, "x").has_value());
    CHECK(h.wait_until([&] { return ann.acked("doc"); }));
  }

  TEST_CASE("a token that expires in the year 3000 is accepted and does not expire now") {
    TokenHarness h;
    const std::string token = token_for("ann", "32503680000");  // 3000-01-01T00:00:00Z
    CHECK(api_status(h.server.port(), "GET", "/api/docs", token) == "HTTP/1.1 200 OK");
    client::Session& ann = h.client_with_token(token);
    REQUIRE(ann.join("doc").has_value());
    REQUIRE(ann.local_insert("doc", 0, "far future").has_value());
    CHECK(h.wait_until([&] { return ann.acked("doc"); }));
    const auto refreshed = ann.refresh(token_for("ann", "253402300799"));  // the last second
    REQUIRE_MESSAGE(refreshed.has_value(), refreshed.error());
    CHECK(*refreshed == 253402300799U);
    // A frame answered after the expiry timer was armed: no token_expired came before it.
    REQUIRE(ann.refresh(token).has_value());
    CHECK_FALSE(has_error(ann, "token_expired"));
    CHECK(ann.live("doc"));
  }

  TEST_CASE("exp, nbf and iat out of range or not integers get 401, on DELETE too") {
    TokenHarness h;
    const std::string good = token_for("ann", std::to_string(now_s() + 600));
    const std::string created = raw_http(h.server.port(),
                                         "POST /api/docs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                         "Connection: close\r\nAuthorization: Bearer " +
                                             good +
                                             "\r\nContent-Type: application/json\r\n"
                                             "Content-Length: 12\r\n\r\n{\"id\":\"doc\"}");
    REQUIRE(created.starts_with("HTTP/1.1 201"));
    const std::vector<std::string> claims = {
        R"("exp":-1)",
        R"("exp":-9223372036854775808)",
        R"("exp":253402300800)",  // 10000-01-01
        R"("exp":1000000000000)",
        R"("exp":18446744073709551615)",
        R"("exp":4102444800.5)",
        R"("exp":"4102444800")",
        R"("exp":1e12)",
        R"("exp":null)",
        R"("nbf":-1)",
        R"("nbf":253402300800)",
        R"("iat":-5)",
        R"("iat":true)",
    };
    for (const std::string& claim : claims) {
      CAPTURE(claim);
      const std::string token = sign_raw(R"({"sub":"mallory","docs":{"*":"write"},)" + claim + "}");
      CHECK(api_status(h.server.port(), "DELETE", "/api/docs/doc", token) ==
            "HTTP/1.1 401 Unauthorized");
      CHECK(api_status(h.server.port(), "GET", "/api/docs/doc", token) ==
            "HTTP/1.1 401 Unauthorized");
      CHECK(upgrade(h.server.port(), token).starts_with("HTTP/1.1 401"));
    }
    CHECK(upgrade(h.server.port(), token_for("x", "-1")).find("the exp claim is out of range") !=
          std::string::npos);
    CHECK(api_status(h.server.port(), "GET", "/api/docs/doc", good) == "HTTP/1.1 200 OK");
  }

  TEST_CASE("a deeply nested JSON body is refused with 400 naming the limit") {
    Harness h;  // development mode
    for (const std::string& body : {"{\"id\":\"doc\",\"text\":" + nested(200'000) + "}",
                                    nested(100), "{\"id\":" + std::string(300'000, '{')}) {
      const HttpReply reply = http_request(h.server.port(), "POST", "/api/docs", body);
      CHECK(reply.status == 400);
      CHECK(reply.body.find("nested deeper than 64 levels") != std::string::npos);
    }
    CHECK(
        http_request(h.server.port(), "POST", "/api/docs", R"({"id":"doc","text":"ok"})").status ==
        201);
    CHECK(h.server.running());
  }
}

TEST_SUITE("hostile: JSON logs") {
  TEST_CASE("weft-replay --log of deeply nested JSON exits non-zero naming the limit") {
    const testing::TempDir dir("weft-hostile-log");
    const std::vector<std::string> files = {
        R"({"format":"weft-log","version":1,"meta":)" + nested(300'000) + R"(,"records":[]})",
        R"({"format":"weft-log","version":1,"meta":{"id":"doc"},"records":[)" +
            std::string(500'000, '{'),
    };
    for (std::size_t i = 0; i < files.size(); ++i) {
      CAPTURE(i);
      const std::filesystem::path log = dir.path() / ("deep" + std::to_string(i) + ".json");
      std::ofstream{log} << files[i];
      const ReplayRun run = replay_log(log);
      REQUIRE(WIFEXITED(run.status));
      CHECK(WEXITSTATUS(run.status) == 3);  // damaged data (tools/README.md)
      CHECK(run.err.find("JSON nested deeper than 64 levels") != std::string::npos);
    }
  }
}

}  // namespace weft::integration
