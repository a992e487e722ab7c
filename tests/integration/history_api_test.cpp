// history_api_test.cpp — the history reads of the HTTP API (docs/http-api.md, "History") on the
// real binary: text at a version or a time, timeline, blame and diff of a document two users
// typed, their errors, and read access.
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.hpp"
#include "tests/integration/raw_client.hpp"
#include "tests/server/test_keys.hpp"

namespace weft::integration {
namespace {

using nlohmann::json;
constexpr std::string_view secret = "history-secret";

struct Reply {
  int status = 0;
  json body;
};

// A server with a JWT secret where ana ("Ana") and bo ("Bo") typed "notes":
//   record 0: ana types "hello"; record 1: bo types " world" after it; record 2: ana deletes "h".
struct TypedDocument : Harness {
  TypedDocument() : Harness({"--jwt-secret", std::string(secret)}) {
    client::Session& ana = client_with_token(ana_token);
    client::Session& bo = client_with_token(bo_token);
    REQUIRE(ana.join("notes").has_value());
    REQUIRE(ana.local_insert("notes", 0, "hello").has_value());
    REQUIRE(wait_until([&] { return ana.acked("notes"); }));
    REQUIRE(bo.join("notes").has_value());
    REQUIRE(wait_until([&] { return bo.text("notes") == "hello"; }));
    REQUIRE(bo.local_insert("notes", 5, " world").has_value());
    REQUIRE(wait_until([&] { return bo.acked("notes") && ana.text("notes") == "hello world"; }));
    REQUIRE(ana.local_delete("notes", 0, 1).has_value());
    REQUIRE(wait_until([&] { return ana.acked("notes") && bo.text("notes") == "ello world"; }));
  }

  // GET `target` with `token` (ana's by default).
  Reply get(const std::string& target, const std::string& token = "") {
    const std::string reply =
        raw_http(server.port(),
                 "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                     "Authorization: Bearer " + (token.empty() ? ana_token : token) + "\r\n\r\n");
    Reply out;
    const auto space = reply.find(' ');
    REQUIRE(space != std::string::npos);
    out.status = std::stoi(reply.substr(space + 1, 3));
    const auto body = reply.find("\r\n\r\n");
    REQUIRE(body != std::string::npos);
    INFO("reply: " << reply);
    out.body = json::parse(reply.substr(body + 4), nullptr, false);
    REQUIRE_FALSE(out.body.is_discarded());
    return out;
  }

  // The error code of an answer with `status`.
  std::string error(const std::string& target, int status = 400) {
    const Reply reply = get(target);
    INFO(target << ": " << reply.body.dump());
    CHECK(reply.status == status);
    return reply.body["error"]["code"].get<std::string>();
  }

  const std::string ana_token =
      test_keys::sign("HS256", secret, {"ana", {{"*", "write"}}, "Ana", std::nullopt, {}});
  const std::string bo_token =
      test_keys::sign("HS256", secret, {"bo", {{"*", "write"}}, "Bo", std::nullopt, {}});
};

// Keep and insert texts joined, and keep and delete texts joined.
std::pair<std::string, std::string> rebuilt(const json& segments) {
  std::string to;
  std::string from;
  for (const json& s : segments) {
    if (s["op"] != "delete") to += s["text"].get<std::string>();
    if (s["op"] != "insert") from += s["text"].get<std::string>();
  }
  return {from, to};
}

}  // namespace

TEST_SUITE("integration: history API") {
  TEST_CASE("text at a version is the text after that many records") {
    TypedDocument d;
    CHECK(d.get("/api/docs/notes/text?at=0").body["text"] == "");
    CHECK(d.get("/api/docs/notes/text?at=1").body["text"] == "hello");
    CHECK(d.get("/api/docs/notes/text?at=2").body["text"] == "hello world");
    const Reply now = d.get("/api/docs/notes/text");
    CHECK(now.body["text"] == "ello world");
    CHECK(now.body["at"] == 3);
    CHECK(now.body["ops"] == 3);
  }

  TEST_CASE("text at a time is the version of every record up to that time") {
    TypedDocument d;
    const json doc = d.get("/api/docs/notes").body;
    const auto created = doc["created_us"].get<std::int64_t>();
    const Reply first = d.get("/api/docs/notes/text?time=" + std::to_string(created));
    CHECK(first.status == 200);
    CHECK(first.body["at"] == 0);
    CHECK(first.body["text"] == "");
    const Reply late = d.get("/api/docs/notes/text?time=9000000000000000");
    CHECK(late.body["at"] == 3);
    CHECK(late.body["text"] == "ello world");
  }

  TEST_CASE("a version past the end of the log or a time before creation is out_of_range") {
    TypedDocument d;
    const Reply past = d.get("/api/docs/notes/text?at=4");
    CHECK(past.status == 400);
    CHECK(past.body["error"]["code"] == "out_of_range");
    CHECK(past.body["error"]["message"] == "at 4 is past the end of the log (3 ops)");
    CHECK(d.error("/api/docs/notes/text?time=5") == "out_of_range");
    CHECK(d.error("/api/docs/notes/blame?at=4") == "out_of_range");
    CHECK(d.error("/api/docs/notes/blame?from=3&to=11") == "out_of_range");
    CHECK(d.error("/api/docs/notes/diff?from=0&to=9") == "out_of_range");
    CHECK(d.error("/api/docs/notes/diff?from=9") == "out_of_range");
  }

  TEST_CASE("bad parameters are bad_request") {
    TypedDocument d;
    for (const char* target :
         {"/api/docs/notes/text?at=x", "/api/docs/notes/text?at=-1", "/api/docs/notes/text?time=t",
          "/api/docs/notes/text?at=1&time=1", "/api/docs/notes/history?gap=0",
          "/api/docs/notes/history?gap=86401",
          "/api/docs/notes/history?gap=", "/api/docs/notes/blame?from=2&to=1",
          "/api/docs/notes/blame?to=y", "/api/docs/notes/diff", "/api/docs/notes/diff?from=1&to=z",
          "/api/docs/notes/diff?from=99999999999999999999999"}) {
      CHECK(d.error(target) == "bad_request");
    }
  }

  TEST_CASE("the timeline lists both authors with their names and one session each") {
    TypedDocument d;
    const Reply t = d.get("/api/docs/notes/history");
    REQUIRE(t.status == 200);
    CHECK(t.body["ops"] == 3);
    CHECK(t.body["gap"] == 300);
    CHECK_FALSE(t.body.contains("versions"));
    const json& authors = t.body["authors"];
    REQUIRE(authors.size() == 2);
    CHECK(authors[0]["user"] == "ana");
    // The replica table keeps no display name yet (the server never sets one): "" until it does.
    CHECK(authors[0]["name"].is_string());
    CHECK(authors[0]["replicas"].size() == 1);
    CHECK(authors[1]["user"] == "bo");
    CHECK(authors[1]["name"].is_string());
    const json& sessions = t.body["sessions"];
    REQUIRE(sessions.size() == 2);
    CHECK(sessions[0]["user"] == "ana");
    CHECK(sessions[0]["from"] == 0);
    CHECK(sessions[0]["to"] == 3);
    CHECK(sessions[0]["ops"] == 2);
    CHECK(sessions[0]["inserted"] == 5);
    CHECK(sessions[0]["deleted"] == 1);
    CHECK(sessions[1]["user"] == "bo");
    CHECK(sessions[1]["from"] == 1);
    CHECK(sessions[1]["to"] == 2);
    CHECK(sessions[1]["inserted"] == 6);
    CHECK(sessions[1]["first_us"] <= sessions[1]["last_us"]);
  }

  TEST_CASE("blame names who typed each run") {
    TypedDocument d;
    const Reply b = d.get("/api/docs/notes/blame");
    REQUIRE(b.status == 200);
    CHECK(b.body["at"] == 3);
    CHECK(b.body["from"] == 0);
    CHECK(b.body["to"] == 10);
    const json& runs = b.body["runs"];
    REQUIRE(runs.size() == 2);
    CHECK(runs[0]["text"] == "ello");
    CHECK(runs[0]["user"] == "ana");
    CHECK(runs[0]["first_op"] == 0);
    CHECK(runs[0]["last_op"] == 0);
    CHECK(runs[1]["text"] == " world");
    CHECK(runs[1]["user"] == "bo");
    CHECK(runs[1]["first_op"] == 1);
    CHECK(runs[1]["replica"] != runs[0]["replica"]);
  }

  TEST_CASE("blame runs cover the asked range exactly") {
    TypedDocument d;
    const Reply b = d.get("/api/docs/notes/blame?at=2&from=3&to=8");
    REQUIRE(b.status == 200);
    const json& runs = b.body["runs"];
    REQUIRE(runs.size() == 2);
    CHECK(runs[0]["from"] == 3);
    CHECK(runs[0]["to"] == 5);
    CHECK(runs[0]["text"] == "lo");
    CHECK(runs[1]["from"] == 5);
    CHECK(runs[1]["to"] == 8);
    CHECK(runs[1]["text"] == " wo");
  }

  TEST_CASE("diff segments rebuild both texts, either way round") {
    TypedDocument d;
    const Reply forward = d.get("/api/docs/notes/diff?from=1");
    REQUIRE(forward.status == 200);
    CHECK(forward.body["to"] == 3);
    CHECK(rebuilt(forward.body["segments"]) ==
          std::pair<std::string, std::string>{"hello", "ello world"});
    const json& s = forward.body["segments"];
    REQUIRE(s.size() == 3);
    CHECK(s[0] == json{{"op", "delete"}, {"text", "h"}, {"user", "ana"}});
    CHECK(s[1] == json{{"op", "keep"}, {"text", "ello"}});
    CHECK(s[2] == json{{"op", "insert"}, {"text", " world"}, {"user", "bo"}});
    const Reply backward = d.get("/api/docs/notes/diff?from=3&to=1");
    REQUIRE(backward.status == 200);
    CHECK(rebuilt(backward.body["segments"]) ==
          std::pair<std::string, std::string>{"ello world", "hello"});
    const json& b = backward.body["segments"];
    REQUIRE(b.size() == 3);
    CHECK(b[0] == json{{"op", "insert"}, {"text", "h"}, {"user", "ana"}});
    CHECK(b[2] == json{{"op", "delete"}, {"text", " world"}, {"user", "bo"}});
  }

  TEST_CASE("history reads of a document without read access are 404") {
    TypedDocument d;
    const std::string eve =
        test_keys::sign("HS256", secret, {"eve", {{"other", "write"}}, "Eve", std::nullopt, {}});
    for (const char* target : {"/api/docs/notes/text", "/api/docs/notes/history",
                               "/api/docs/notes/blame", "/api/docs/notes/diff?from=0"}) {
      const Reply reply = d.get(target, eve);
      CHECK(reply.status == 404);
      CHECK(reply.body["error"]["code"] == "not_found");
    }
  }

  TEST_CASE("history follows the log as it grows and a deleted document starts anew") {
    TypedDocument d;
    CHECK(d.get("/api/docs/notes/text").body["text"] == "ello world");
    client::Session& ana = *d.clients.front();
    REQUIRE(ana.local_insert("notes", 10, "!").has_value());
    REQUIRE(d.wait_until([&] { return ana.acked("notes"); }));
    CHECK(d.get("/api/docs/notes/text").body["text"] == "ello world!");
    CHECK(d.get("/api/docs/notes/history").body["ops"] == 4);
    const std::string deleted =
        raw_http(d.server.port(),
                 "DELETE /api/docs/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: "
                 "close\r\nAuthorization: Bearer " +
                     d.ana_token + "\r\n\r\n");
    CHECK(deleted.starts_with("HTTP/1.1 200"));
    // The clients rejoin and may recreate it (a new epoch): never the old history.
    const Reply after = d.get("/api/docs/notes/text");
    if (after.status == 200) {
      CHECK(after.body["text"] == "");
    } else {
      CHECK(after.status == 404);
    }
  }
}

}  // namespace weft::integration
