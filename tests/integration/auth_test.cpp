// auth_test.cpp — the authentication matrix against the real binary started with --jwt-secret
// (PROTOCOL.md §13): no token, bad signature, expired, wrong document, read-only, refresh,
// revocation and expiry while connected; RS256/ES256 tokens with --jwt-public-key; and
// development mode without a secret.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
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
#include "tests/integration/raw_client.hpp"
#include "tests/server/test_keys.hpp"

namespace weft::integration {
namespace {

constexpr std::string_view secret = "integration-secret";

using test_keys::now_s;

// An HS256 token for `sub` with the `docs` rights claim; exp when given.
std::string mint(const std::string& sub, const nlohmann::json& docs,
                 std::optional<std::int64_t> exp = std::nullopt, std::string_view key = secret) {
  return test_keys::sign("HS256", key, {sub, docs, std::nullopt, exp, std::nullopt});
}

// The status line of a WebSocket upgrade of `target` with an optional Authorization header.
std::string upgrade(std::uint16_t port, const std::string& target,
                    const std::string& authorization = "") {
  std::string request = "GET " + target +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close, Upgrade\r\n"
                        "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
  const std::string response = raw_http(port, request + "\r\n");
  return response.substr(0, response.find("\r\n"));
}

// A running server with a JWT secret, and sessions that connect with tokens.
struct AuthHarness : Harness {
  AuthHarness() : Harness({"--jwt-secret", std::string(secret)}) {}
};

// A token for `sub` with the `docs` rights claim, signed under `alg` (RS*/ES*) with a private key.
std::string mint_signed(std::string_view alg, const test_keys::KeyPair& key, const std::string& sub,
                        const nlohmann::json& docs) {
  return test_keys::sign(alg, key.private_pem,
                         {sub, docs, std::nullopt, now_s() + 600, std::nullopt});
}

// A server started with --jwt-public-key, the public half of `key`, and nothing else for auth.
struct PublicKeyHarness {
  explicit PublicKeyHarness(const test_keys::KeyPair& key) {
    const std::string file = (server.data_dir().parent_path() / "jwt-public.pem").string();
    std::ofstream{file} << key.public_pem;
    REQUIRE_MESSAGE(server.start({"--jwt-public-key", file}), server.log());
  }

  // The status line of `line` (e.g. "GET /api/docs") on the HTTP API with a Bearer token.
  std::string api(const std::string& line, const std::string& token) {
    const std::string reply =
        raw_http(server.port(), line + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                                    "Authorization: Bearer " + token + "\r\n\r\n");
    return reply.substr(0, reply.find("\r\n"));
  }

  boost::asio::io_context ioc;
  ServerProcess server;
};

// A session on `h`'s server with `token` writes into "doc" and gets its ack.
void check_writes(PublicKeyHarness& h, const std::string& token) {
  client::SessionOptions options;
  options.token = token;
  client::Session session(h.ioc, options);
  const auto opened = session.open("127.0.0.1", h.server.port());
  REQUIRE_MESSAGE(opened.has_value(), opened.error());
  REQUIRE(session.join("doc").has_value());
  REQUIRE(session.local_insert("doc", 0, "signed").has_value());
  CHECK(client::run_until(
      h.ioc, [&] { return session.acked("doc"); }, 10s));
}

// The errors `session` received with this name, in order.
std::vector<proto::Error> errors_named(const client::Session& session, std::string_view name) {
  std::vector<proto::Error> out;
  for (const auto& error : session.errors()) {
    if (error.name == name) out.push_back(error);
  }
  return out;
}

bool has_error(const client::Session& session, std::string_view name) {
  return !errors_named(session, name).empty();
}

}  // namespace

TEST_SUITE("integration: auth") {
  TEST_CASE("an upgrade without a token is refused with 401") {
    AuthHarness h;
    CHECK(upgrade(h.server.port(), "/ws") == "HTTP/1.1 401 Unauthorized");
  }

  TEST_CASE("a token with a bad signature is refused with 401") {
    AuthHarness h;
    const std::string token = mint("ann", {{"*", "write"}}, std::nullopt, "not-the-secret");
    CHECK(upgrade(h.server.port(), "/ws?token=" + token) == "HTTP/1.1 401 Unauthorized");
    CHECK(upgrade(h.server.port(), "/ws", "Bearer " + token) == "HTTP/1.1 401 Unauthorized");
  }

  TEST_CASE("an expired token is refused with 401") {
    AuthHarness h;
    const std::string token = mint("ann", {{"*", "write"}}, now_s() - 120);
    CHECK(upgrade(h.server.port(), "/ws?token=" + token) == "HTTP/1.1 401 Unauthorized");
  }

  TEST_CASE("the HTTP API needs a token and answers only within its rights") {
    AuthHarness h;
    const auto request = [&](const std::string& line, const std::string& token) {
      std::string text = line + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
      if (!token.empty()) text += "Authorization: Bearer " + token + "\r\n";
      if (line.starts_with("POST")) {
        text += "Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"id\":\"team-a\"}";
      } else {
        text += "\r\n";
      }
      const std::string reply = raw_http(h.server.port(), text);
      return reply.substr(0, reply.find("\r\n"));
    };
    const std::string writer = mint("ann", {{"team-*", "write"}}, now_s() + 600);
    const std::string reader = mint("bob", {{"team-*", "read"}}, now_s() + 600);
    CHECK(request("GET /api/docs", "") == "HTTP/1.1 401 Unauthorized");
    CHECK(request("POST /api/docs", reader) == "HTTP/1.1 403 Forbidden");
    CHECK(request("POST /api/docs", writer) == "HTTP/1.1 201 Created");
    CHECK(request("GET /api/docs/team-a", reader) == "HTTP/1.1 200 OK");
    CHECK(request("GET /api/docs/team-a", mint("eve", {{"other", "write"}}, now_s() + 600)) ==
          "HTTP/1.1 404 Not Found");
  }

  TEST_CASE("a valid token upgrades, as a query parameter or a Bearer header") {
    AuthHarness h;
    const std::string token = mint("ann", {{"*", "write"}}, now_s() + 600);
    CHECK(upgrade(h.server.port(), "/ws?token=" + token) == "HTTP/1.1 101 Switching Protocols");
    CHECK(upgrade(h.server.port(), "/ws", "Bearer " + token) == "HTTP/1.1 101 Switching Protocols");
  }

  TEST_CASE("/healthz says auth is jwt") {
    AuthHarness h;
    const std::string response =
        raw_http(h.server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(response.find(R"("auth":"jwt")") != std::string::npos);
  }

  TEST_CASE("a document the token does not cover is access_denied, as one that does not exist") {
    AuthHarness h;
    client::Session& ann = h.client_with_token(mint("ann", {{"*", "write"}}));
    REQUIRE(ann.join("plan").has_value());
    REQUIRE(ann.local_insert("plan", 0, "secret plan").has_value());
    REQUIRE(h.wait_until([&] { return ann.acked("plan"); }));

    client::Session& eve = h.client_with_token(mint("eve", {{"eve-*", "write"}}));
    const auto existing = eve.join("plan");
    const auto missing = eve.join("no-such-doc");
    REQUIRE_FALSE(existing.has_value());
    REQUIRE_FALSE(missing.has_value());
    const auto denied = errors_named(eve, "access_denied");
    REQUIRE(denied.size() == 2);
    CHECK(denied[0].code == denied[1].code);
    CHECK(denied[0].message == denied[1].message);
    CHECK(eve.text("plan").empty());
  }

  TEST_CASE("a read-only member receives ops and sends presence; its ops get read_only") {
    AuthHarness h;
    client::Session& ann = h.client_with_token(mint("ann", {{"doc", "write"}}));
    client::Session& rex = h.client_with_token(mint("rex", {{"doc", "read"}}));
    REQUIRE(ann.join("doc").has_value());
    REQUIRE(rex.join("doc").has_value());
    REQUIRE(ann.local_insert("doc", 0, "hello").has_value());
    CHECK(h.wait_until([&] { return rex.text("doc") == "hello"; }));

    proto::PresenceState state;
    state.name = "rex";
    rex.set_presence("doc", state);
    const crdt::ReplicaId rex_id = rex.doc("doc")->replica;
    CHECK(h.wait_until([&] { return ann.doc("doc")->presences.contains(rex_id); }));

    REQUIRE(rex.local_insert("doc", 0, "X").has_value());
    REQUIRE(h.wait_until([&] { return has_error(rex, "read_only"); }));
    CHECK(errors_named(rex, "read_only").front().op.has_value());
    // The document handled rex's op before ann's next one: had it been applied, ann would see it.
    REQUIRE(ann.local_insert("doc", 5, "!").has_value());
    REQUIRE(h.wait_until([&] { return ann.acked("doc"); }));
    CHECK(ann.text("doc") == "hello!");
  }

  TEST_CASE("precedence rule 5: read_only comes before the per-op errors, once per frame") {
    AuthHarness h;
    client::Session& ann = h.client_with_token(mint("ann", {{"doc", "write"}}));
    client::Session& rex = h.client_with_token(mint("rex", {{"doc", "read"}}));
    REQUIRE(ann.join("doc").has_value());  // a read-only join does not create the document
    REQUIRE(rex.join("doc").has_value());
    // An op of replica 0 and an empty op: one read_only naming the first, nothing per op.
    rex.send_frame(proto::Ops{"doc",
                              {crdt::InsertOp{0, 0, 1, crdt::root_id, "x"},
                               crdt::InsertOp{rex.doc("doc")->replica, 0, 1, crdt::root_id, ""}}});
    REQUIRE(h.wait_until([&] { return has_error(rex, "read_only"); }));
    h.pump(200ms);
    CHECK(rex.errors().size() == 1);
    CHECK(errors_named(rex, "read_only").front().op == crdt::Id{0, 0});
  }

  TEST_CASE("a refresh to wider rights lets a read-only member write") {
    AuthHarness h;
    client::Session& ann = h.client_with_token(mint("ann", {{"doc", "write"}}));
    client::Session& rex = h.client_with_token(mint("rex", {{"doc", "read"}}));
    REQUIRE(ann.join("doc").has_value());
    REQUIRE(rex.join("doc").has_value());
    const std::int64_t exp = now_s() + 900;
    const auto refreshed = rex.refresh(mint("rex", {{"doc", "write"}}, exp));
    REQUIRE_MESSAGE(refreshed.has_value(), refreshed.error());
    CHECK(*refreshed == static_cast<std::uint64_t>(exp));
    REQUIRE(rex.local_insert("doc", 0, "mine").has_value());
    CHECK(h.wait_until([&] { return rex.acked("doc") && ann.text("doc") == "mine"; }));
    CHECK_FALSE(has_error(rex, "read_only"));
  }

  TEST_CASE("a refresh with a bad token is unauthorized and changes nothing") {
    AuthHarness h;
    client::Session& ann = h.client_with_token(mint("ann", {{"doc", "write"}}));
    REQUIRE(ann.join("doc").has_value());
    const auto refused = ann.refresh(mint("ann", {{"*", "write"}}, std::nullopt, "wrong"));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().find("unauthorized") != std::string::npos);
    REQUIRE(ann.local_insert("doc", 0, "still").has_value());
    CHECK(h.wait_until([&] { return ann.acked("doc"); }));
  }

  TEST_CASE("a refresh that drops a document revokes it: access_revoked, no more ops relayed") {
    AuthHarness h;
    client::Session& ann = h.client_with_token(mint("ann", {{"doc", "write"}}));
    client::Session& bob = h.client_with_token(mint("bob", {{"doc", "write"}, {"other", "write"}}));
    REQUIRE(ann.join("doc").has_value());
    REQUIRE(bob.join("doc").has_value());
    REQUIRE(ann.local_insert("doc", 0, "before").has_value());
    REQUIRE(h.wait_until([&] { return bob.text("doc") == "before"; }));

    const std::string narrower = mint("bob", {{"other", "write"}});
    REQUIRE(bob.refresh(narrower).has_value());
    REQUIRE(h.wait_until([&] { return has_error(bob, "access_revoked"); }));
    CHECK(errors_named(bob, "access_revoked").front().doc == "doc");
    const std::size_t frames_at_revocation = bob.received().size();

    REQUIRE(ann.local_insert("doc", 6, " after").has_value());
    REQUIRE(h.wait_until([&] { return ann.acked("doc"); }));
    // The document sent any relay to bob before ann's ack; a frame bob asks for now comes later.
    REQUIRE(bob.refresh(narrower).has_value());
    for (std::size_t i = frames_at_revocation; i < bob.received().size(); ++i) {
      CHECK_FALSE(std::holds_alternative<proto::Ops>(bob.received()[i]));
    }
    CHECK(bob.text("doc") == "before");
    CHECK_FALSE(bob.join("doc").has_value());  // and it cannot come back
  }

  TEST_CASE("a token that expires while connected ends the memberships with token_expired") {
    AuthHarness h;
    client::Session& ann = h.client_with_token(mint("ann", {{"doc", "write"}}, now_s() + 2));
    REQUIRE(ann.join("doc").has_value());
    CHECK(h.wait_until([&] { return has_error(ann, "token_expired"); }, 15s));
    CHECK(ann.connected());
    CHECK_FALSE(ann.live("doc"));
    // A fresh token over the same connection, and the document again.
    REQUIRE(ann.refresh(mint("ann", {{"doc", "write"}}, now_s() + 600)).has_value());
    CHECK(ann.join("doc").has_value());
  }

  TEST_CASE("with an RSA --jwt-public-key, RS256 tokens work and another key's get 401") {
    const test_keys::KeyPair key = test_keys::rsa();
    PublicKeyHarness h(key);
    const std::string token = mint_signed("RS256", key, "ann", {{"*", "write"}});
    check_writes(h, token);
    CHECK(h.api("GET /api/docs/doc", token) == "HTTP/1.1 200 OK");
    const std::string forged = mint_signed("RS256", test_keys::rsa(), "ann", {{"*", "write"}});
    CHECK(upgrade(h.server.port(), "/ws", "Bearer " + forged) == "HTTP/1.1 401 Unauthorized");
    CHECK(h.api("GET /api/docs", forged) == "HTTP/1.1 401 Unauthorized");
    // Algorithm confusion: the public key's PEM as an HS256 secret.
    const std::string confused = mint("ann", {{"*", "write"}}, now_s() + 600, key.public_pem);
    CHECK(upgrade(h.server.port(), "/ws", "Bearer " + confused) == "HTTP/1.1 401 Unauthorized");
    CHECK(h.api("GET /api/docs", confused) == "HTTP/1.1 401 Unauthorized");
    const std::string health =
        raw_http(h.server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(health.find(R"("auth":"jwt")") != std::string::npos);
    CHECK(h.server.log().find("development mode") == std::string::npos);
  }

  TEST_CASE("with an EC --jwt-public-key, ES256 tokens work and another key's get 401") {
    const test_keys::KeyPair key = test_keys::ec();
    PublicKeyHarness h(key);
    const std::string token = mint_signed("ES256", key, "ann", {{"*", "write"}});
    check_writes(h, token);
    CHECK(h.api("GET /api/docs/doc", token) == "HTTP/1.1 200 OK");
    const std::string forged = mint_signed("ES256", test_keys::ec(), "ann", {{"*", "write"}});
    CHECK(upgrade(h.server.port(), "/ws?token=" + forged) == "HTTP/1.1 401 Unauthorized");
    CHECK(h.api("GET /api/docs", forged) == "HTTP/1.1 401 Unauthorized");
  }

  TEST_CASE("a --jwt-public-key file that is not a public key stops the server with exit 64") {
    ServerProcess server;  // for its temporary directory; never started
    const std::filesystem::path dir = server.data_dir().parent_path();
    const std::string file = (dir / "not-a-key.pem").string();
    std::ofstream{file} << test_keys::rsa().private_pem;
    const std::string log = (dir / "stderr.txt").string();
    const std::string command = std::string(WEFT_SERVER_BIN) + " --listen 127.0.0.1:0 --data " +
                                server.data_dir().string() + " --jwt-public-key " + file +
                                " >/dev/null 2>" + log;
    const int status = std::system(command.c_str());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 64);
    std::ifstream in(log);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_MESSAGE(text.find("--jwt-public-key: " + file + ": no public key") != std::string::npos,
                  text);
  }

  TEST_CASE("development mode: no secret, /healthz says auth none, clients need no token") {
    Harness h;
    const std::string response =
        raw_http(h.server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(response.find(R"("auth":"none")") != std::string::npos);
    CHECK(h.server.log().find("development mode: no authentication") != std::string::npos);
    client::Session& ann = h.client("doc");
    REQUIRE(ann.local_insert("doc", 0, "free").has_value());
    CHECK(h.wait_until([&] { return ann.acked("doc"); }));
  }
}

}  // namespace weft::integration
