// versions_api_test.cpp — named versions, the text of a version, restore, and titles and q in the
// list (docs/http-api.md, "Named versions", "POST /api/docs/{id}/restore", "GET /api/docs"),
// against the real binary.
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/server/test_keys.hpp"

namespace weft::integration {
namespace {

using nlohmann::json;

json parsed(const HttpReply& reply) {
  INFO("body: " << reply.body);
  json body = json::parse(reply.body, nullptr, false);
  REQUIRE_FALSE(body.is_discarded());
  return body;
}

std::string error_code(const HttpReply& reply) {
  return parsed(reply)["error"]["code"].get<std::string>();
}

HttpReply get(Harness& h, const std::string& target) {
  return http_request(h.server.port(), "GET", target);
}

HttpReply post(Harness& h, const std::string& target, const json& body) {
  return http_request(h.server.port(), "POST", target, body.dump());
}

HttpReply name_version(Harness& h, const std::string& doc, const json& body) {
  return post(h, "/api/docs/" + doc + "/versions", body);
}

// Types `text` at `pos` of `doc` and waits for its ack: one more log record.
void type(Harness& h, client::Session& s, const std::string& doc, std::uint64_t pos,
          const std::string& text) {
  REQUIRE(s.local_insert(doc, pos, text).has_value());
  REQUIRE(h.wait_until([&] { return s.acked(doc); }));
}

void erase(Harness& h, client::Session& s, const std::string& doc, std::uint64_t pos,
           std::uint64_t len) {
  REQUIRE(s.local_delete(doc, pos, len).has_value());
  REQUIRE(h.wait_until([&] { return s.acked(doc); }));
}

std::uint64_t ops_of(Harness& h, const std::string& doc) {
  return parsed(get(h, "/api/docs/" + doc))["ops"].get<std::uint64_t>();
}

}  // namespace

TEST_SUITE("integration: named versions and restore") {
  TEST_CASE("versions are named, listed by at and name, and deleted") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client("notes");
    type(h, a, "notes", 0, "one");
    type(h, a, "notes", 3, " two");
    const HttpReply made =
        name_version(h, "notes", {{"name", "draft"}, {"at", 1}, {"user", "ana"}});
    REQUIRE(made.status == 201);
    const json draft = parsed(made);
    CHECK(draft["name"] == "draft");
    CHECK(draft["at"] == 1);
    CHECK(draft["user"] == "ana");
    CHECK(draft["created_us"].get<std::int64_t>() > 0);
    REQUIRE(name_version(h, "notes", {{"name", "final ü/1"}}).status == 201);  // at: the current
    REQUIRE(name_version(h, "notes", {{"name", "a start"}, {"at", 1}}).status == 201);
    const json listed = parsed(get(h, "/api/docs/notes/versions"))["versions"];
    REQUIRE(listed.size() == 3);
    CHECK(listed[0]["name"] == "a start");
    CHECK(listed[1]["name"] == "draft");
    CHECK(listed[2]["name"] == "final ü/1");
    CHECK(listed[2]["at"] == 2);
    CHECK(listed[2]["user"] == "");

    const json text = parsed(get(h, "/api/docs/notes/text?version=draft"));
    CHECK(text["text"] == "one");
    CHECK(text["at"] == 1);
    CHECK(text["ops"] == 2);
    CHECK(parsed(get(h, "/api/docs/notes/text?version=final%20%C3%BC%2F1"))["text"] == "one two");

    const HttpReply gone =
        http_request(h.server.port(), "DELETE", "/api/docs/notes/versions/final%20%C3%BC%2F1");
    REQUIRE(gone.status == 200);
    CHECK(parsed(gone) == json{{"name", "final ü/1"}, {"deleted", true}});
    CHECK(parsed(get(h, "/api/docs/notes/versions"))["versions"].size() == 2);
  }

  TEST_CASE("naming a version with a name the document has is 409 already_exists") {
    Harness h;
    REQUIRE(post(h, "/api/docs", {{"id", "d"}, {"text", "x"}}).status == 201);
    REQUIRE(name_version(h, "d", {{"name", "v"}}).status == 201);
    const HttpReply again = name_version(h, "d", {{"name", "v"}, {"at", 0}});
    CHECK(again.status == 409);
    CHECK(error_code(again) == "already_exists");
  }

  TEST_CASE("bad names, bodies and encodings are 400") {
    Harness h;
    REQUIRE(post(h, "/api/docs", {{"id", "d"}, {"text", "x"}}).status == 201);
    for (const json& body :
         {json{{"name", ""}}, json{{"name", std::string(201, 'a')}}, json{{"name", "tab\there"}},
          json{{"name", 5}}, json::object(), json{{"name", "ok"}, {"at", -1}},
          json{{"name", "ok"}, {"at", "3"}}, json{{"name", "ok"}, {"user", 7}}}) {
      INFO(body.dump());
      const HttpReply reply = name_version(h, "d", body);
      CHECK(reply.status == 400);
      CHECK(error_code(reply) == "bad_request");
    }
    CHECK(http_request(h.server.port(), "POST", "/api/docs/d/versions", "[1]").status == 400);
    CHECK(http_request(h.server.port(), "DELETE", "/api/docs/d/versions/bad%zz").status == 400);
    CHECK(http_request(h.server.port(), "DELETE", "/api/docs/d/versions/bad%2").status == 400);
    CHECK(get(h, "/api/docs/d/text?version=%G1").status == 400);
    CHECK(http_request(h.server.port(), "PUT", "/api/docs/d/versions").status == 405);
  }

  TEST_CASE("an unknown version is 404 unknown_version on text and delete") {
    Harness h;
    REQUIRE(post(h, "/api/docs", {{"id", "d"}, {"text", "x"}}).status == 201);
    const HttpReply text = get(h, "/api/docs/d/text?version=nope");
    CHECK(text.status == 404);
    CHECK(error_code(text) == "unknown_version");
    const HttpReply removed = http_request(h.server.port(), "DELETE", "/api/docs/d/versions/nope");
    CHECK(removed.status == 404);
    CHECK(error_code(removed) == "unknown_version");
    const HttpReply restore = post(h, "/api/docs/d/restore", {{"version", "nope"}});
    CHECK(restore.status == 404);
    CHECK(error_code(restore) == "unknown_version");
    CHECK(error_code(get(h, "/api/docs/nodoc/versions")) == "not_found");
  }

  TEST_CASE("at past the end of the log is 400 out_of_range") {
    Harness h;
    REQUIRE(post(h, "/api/docs", {{"id", "d"}, {"text", "x"}}).status == 201);
    const HttpReply named = name_version(h, "d", {{"name", "late"}, {"at", 2}});
    CHECK(named.status == 400);
    CHECK(error_code(named) == "out_of_range");
    CHECK(parsed(named)["error"]["message"] == "at 2 is past the end of the log (1 ops)");
    const HttpReply restore = post(h, "/api/docs/d/restore", {{"at", 5}});
    CHECK(restore.status == 400);
    CHECK(error_code(restore) == "out_of_range");
    CHECK(name_version(h, "d", {{"name", "end"}, {"at", 1}}).status == 201);
  }

  TEST_CASE("a read-only token is 403 on naming, deleting a name and restoring") {
    constexpr std::string_view secret = "versions-secret";
    Harness h({"--jwt-secret", std::string(secret)});
    const auto token = [&](const std::string& sub, const std::string& right) {
      return test_keys::sign(
          "HS256", secret,
          {sub, json{{"*", right}}, std::nullopt, test_keys::now_s() + 600, std::nullopt});
    };
    const std::string writer = "?token=" + token("ana", "write");
    const std::string reader = "?token=" + token("bo", "read");
    REQUIRE(post(h, "/api/docs" + writer, {{"id", "d"}, {"text", "x"}}).status == 201);
    const HttpReply made = post(h, "/api/docs/d/versions" + writer, {{"name", "v"}, {"user", "x"}});
    REQUIRE(made.status == 201);
    CHECK(parsed(made)["user"] == "ana");  // the token's sub, not the body's
    CHECK(error_code(post(h, "/api/docs/d/versions" + reader, {{"name", "w"}})) == "forbidden");
    CHECK(http_request(h.server.port(), "DELETE", "/api/docs/d/versions/v" + reader).status == 403);
    CHECK(error_code(post(h, "/api/docs/d/restore" + reader, {{"at", 0}})) == "forbidden");
    CHECK(get(h, "/api/docs/d/versions" + reader).status == 200);
    CHECK(get(h, "/api/docs/d/text" + reader + "&version=v").status == 200);
    CHECK(get(h, "/api/docs/d/versions").status == 401);
  }

  TEST_CASE("versions survive a server restart") {
    Harness h;
    REQUIRE(post(h, "/api/docs", {{"id", "d"}, {"text", "kept"}}).status == 201);
    REQUIRE(name_version(h, "d", {{"name", "v1"}, {"user", "ana"}}).status == 201);
    CHECK(h.server.stop().clean());
    REQUIRE(h.server.start());
    const json listed = parsed(get(h, "/api/docs/d/versions"))["versions"];
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["name"] == "v1");
    CHECK(listed[0]["user"] == "ana");
    CHECK(parsed(get(h, "/api/docs/d/text?version=v1"))["text"] == "kept");
  }

  TEST_CASE("deleting the document deletes its versions") {
    Harness h;
    REQUIRE(post(h, "/api/docs", {{"id", "d"}, {"text", "x"}}).status == 201);
    REQUIRE(name_version(h, "d", {{"name", "v1"}}).status == 201);
    REQUIRE(http_request(h.server.port(), "DELETE", "/api/docs/d").status == 200);
    CHECK(get(h, "/api/docs/d/versions").status == 404);
    REQUIRE(post(h, "/api/docs", {{"id", "d"}}).status == 201);
    CHECK(parsed(get(h, "/api/docs/d/versions"))["versions"].empty());
  }

  TEST_CASE("restore brings two live clients to the version while one of them types") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client("doc");
    client::Session& b = h.client("doc");
    type(h, a, "doc", 0, "hello world");
    REQUIRE(name_version(h, "doc", {{"name", "greeting"}}).status == 201);
    erase(h, a, "doc", 0, 6);         // "world"
    type(h, a, "doc", 5, ", again");  // "world, again"
    REQUIRE(h.wait_until([&] { return same_text({&a, &b}, "doc"); }));

    // b types while the restore runs; its edit is concurrent and kept.
    REQUIRE(b.local_insert("doc", 0, ">").has_value());
    const HttpReply restored = post(h, "/api/docs/doc/restore", {{"version", "greeting"}});
    REQUIRE(restored.status == 200);
    const json answer = parsed(restored);
    CHECK(answer["at"] == 1);
    CHECK(answer["text"] == "hello world");
    CHECK(answer["inserted"] == 6);
    // b's ">" reached the document before the restore (deleted with the rest) or after (kept).
    const bool typed_first = answer["deleted"] == 8;
    CHECK(answer["deleted"] == (typed_first ? 8 : 7));
    std::string text;
    REQUIRE(h.wait_until([&] {
      text = a.text("doc");
      return b.acked("doc") && same_text({&a, &b}, "doc") &&
             parsed(get(h, "/api/docs/doc"))["text"] == text;
    }));
    CHECK(text == (typed_first ? "hello world" : "hello >world"));
  }

  TEST_CASE("restore to the current text writes no op") {
    Harness h;
    client::Session& a = h.client("same");
    type(h, a, "same", 0, "abc");
    erase(h, a, "same", 1, 1);
    const std::uint64_t ops = ops_of(h, "same");
    const json answer = parsed(post(h, "/api/docs/same/restore", {{"at", ops}}));
    CHECK(answer["inserted"] == 0);
    CHECK(answer["deleted"] == 0);
    CHECK(answer["ops"] == ops);
    CHECK(answer["text"] == "ac");
    CHECK(ops_of(h, "same") == ops);
    const json twice = parsed(post(h, "/api/docs/same/restore", {{"at", 1}, {"user", "ana"}}));
    CHECK(twice["text"] == "abc");
    CHECK(twice["inserted"] == 1);
    CHECK(ops_of(h, "same") == ops + 1);
    CHECK(error_code(post(h, "/api/docs/same/restore", {{"at", 1}, {"version", "x"}})) ==
          "bad_request");
    CHECK(error_code(post(h, "/api/docs/same/restore", json::object())) == "bad_request");
  }

  TEST_CASE("the list shows titles and lengths, and q finds ids and titles") {
    Harness h;
    REQUIRE(
        post(h, "/api/docs", {{"id", "alpha"}, {"text", "Meeting notes\nsecond line"}}).status ==
        201);
    REQUIRE(post(h, "/api/docs", {{"id", "beta"}, {"text", std::string(100, 'x')}}).status == 201);
    REQUIRE(post(h, "/api/docs", {{"id", "gamma"}}).status == 201);
    const json all = parsed(get(h, "/api/docs"))["documents"];
    REQUIRE(all.size() == 3);
    CHECK(all[0]["title"] == "Meeting notes");
    CHECK(all[0]["length"] == 25);
    CHECK(all[1]["title"] == std::string(80, 'x'));
    CHECK(all[1]["length"] == 100);
    CHECK(all[2]["title"] == "");
    CHECK(all[2]["length"] == 0);

    const json meeting = parsed(get(h, "/api/docs?q=MEETING%20N"));
    REQUIRE(meeting["documents"].size() == 1);
    CHECK(meeting["documents"][0]["id"] == "alpha");
    CHECK(meeting["next"].is_null());
    const json by_id = parsed(get(h, "/api/docs?q=Amm"));
    REQUIRE(by_id["documents"].size() == 1);
    CHECK(by_id["documents"][0]["id"] == "gamma");
    const json paged = parsed(get(h, "/api/docs?q=a&limit=1"));
    REQUIRE(paged["documents"].size() == 1);
    CHECK(paged["next"] == "alpha");
    CHECK(parsed(get(h, "/api/docs?q=zzz"))["documents"].empty());
    CHECK(get(h, "/api/docs?q=").status == 400);
    CHECK(get(h, "/api/docs?q=" + std::string(201, 'a')).status == 400);
    CHECK(get(h, "/api/docs?q=%4").status == 400);
  }
}

}  // namespace weft::integration
