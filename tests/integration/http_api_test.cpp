// http_api_test.cpp — the JSON HTTP API (docs/http-api.md) of the real binary: every endpoint,
// its errors, pagination, and a delete while a client is editing.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "storage/json_log.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"

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

HttpReply create(Harness& h, const json& body) {
  return http_request(h.server.port(), "POST", "/api/docs", body.dump());
}

}  // namespace

TEST_SUITE("integration: HTTP API") {
  TEST_CASE("POST creates a document with its initial text, GET shows it") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    const HttpReply made = create(h, {{"id", "notes"}, {"text", "hello wörld"}});
    REQUIRE(made.status == 201);
    CHECK(made.content_type == "application/json");
    const json created = parsed(made);
    CHECK(created["id"] == "notes");
    const json doc = parsed(http_request(h.server.port(), "GET", "/api/docs/notes"));
    CHECK(doc["text"] == "hello wörld");
    CHECK(doc["length"] == 11);
    CHECK(doc["bytes"] == 12);
    CHECK(doc["ops"] == 1);
    CHECK(doc["epoch"] == created["epoch"]);
    CHECK(doc["members_online"] == 0);
    CHECK(doc["version"].size() == 1);
    // A client joining afterwards sees the same text.
    CHECK(h.client("notes").text("notes") == "hello wörld");
  }

  TEST_CASE("POST of an existing id is 409") {
    Harness h;
    REQUIRE(create(h, {{"id", "twice"}}).status == 201);
    const HttpReply again = create(h, {{"id", "twice"}, {"text", "x"}});
    CHECK(again.status == 409);
    CHECK(error_code(again) == "already_exists");
  }

  TEST_CASE("POST without an id generates one") {
    Harness h;
    const HttpReply made = create(h, json::object());
    REQUIRE(made.status == 201);
    const std::string id = parsed(made)["id"].get<std::string>();
    CHECK(id.size() == 16);
    CHECK(http_request(h.server.port(), "GET", "/api/docs/" + id).status == 200);
  }

  TEST_CASE("POST with a bad body or id is 400") {
    Harness h;
    const HttpReply not_json = http_request(h.server.port(), "POST", "/api/docs", "{nope");
    CHECK(not_json.status == 400);
    CHECK(error_code(not_json) == "bad_request");
    CHECK(create(h, {{"id", 5}}).status == 400);
    const HttpReply bad_id = create(h, {{"id", "no spaces"}});
    CHECK(bad_id.status == 400);
    CHECK(error_code(bad_id) == "bad_document_id");
  }

  TEST_CASE("POST accepts initial text above the old 64 KiB limit, and 413 above 8 MiB") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    const std::string big(2 * 1024 * 1024, 'x');
    REQUIRE(create(h, {{"id", "big"}, {"text", big}}).status == 201);
    CHECK(parsed(http_request(h.server.port(), "GET", "/api/docs/big"))["length"] == big.size());
    const std::string huge(9 * 1024 * 1024, 'y');
    CHECK(create(h, {{"id", "huge"}, {"text", huge}}).status == 413);
  }

  TEST_CASE("GET /api/docs lists documents by id, a page at a time") {
    Harness h;
    for (const char* id : {"c", "a", "b"}) REQUIRE(create(h, {{"id", id}}).status == 201);
    const json first = parsed(http_request(h.server.port(), "GET", "/api/docs?limit=2"));
    REQUIRE(first["documents"].size() == 2);
    CHECK(first["documents"][0]["id"] == "a");
    CHECK(first["documents"][1]["id"] == "b");
    CHECK(first["next"] == "b");
    const json second = parsed(http_request(h.server.port(), "GET", "/api/docs?limit=2&after=b"));
    REQUIRE(second["documents"].size() == 1);
    CHECK(second["documents"][0]["id"] == "c");
    CHECK(second["next"].is_null());
    const json all = parsed(http_request(h.server.port(), "GET", "/api/docs"));
    CHECK(all["documents"].size() == 3);
    CHECK(http_request(h.server.port(), "GET", "/api/docs?limit=0").status == 400);
  }

  TEST_CASE("an unknown document is 404 with a JSON error") {
    Harness h;
    for (const char* suffix : {"", "/log", "/text"}) {
      const HttpReply reply =
          http_request(h.server.port(), "GET", std::string("/api/docs/missing") + suffix);
      CHECK(reply.status == 404);
      CHECK(error_code(reply) == "not_found");
    }
    CHECK(http_request(h.server.port(), "DELETE", "/api/docs/missing").status == 404);
    CHECK(http_request(h.server.port(), "GET", "/api/nothing").status == 404);
  }

  TEST_CASE("a wrong method is 405 with Allow") {
    Harness h;
    const HttpReply put = http_request(h.server.port(), "PUT", "/api/docs/x");
    CHECK(put.status == 405);
    CHECK(put.allow == "GET, DELETE");
    CHECK(error_code(put) == "method_not_allowed");
    CHECK(http_request(h.server.port(), "DELETE", "/api/docs").allow == "GET, POST");
    CHECK(http_request(h.server.port(), "POST", "/api/docs/x/log").status == 405);
  }

  TEST_CASE("GET members_online counts the clients in the document") {
    Harness h;
    client::Session& a = h.client("live");
    REQUIRE(a.local_insert("live", 0, "typed").has_value());
    REQUIRE(h.wait_until([&] { return a.acked("live"); }));
    const json doc = parsed(http_request(h.server.port(), "GET", "/api/docs/live"));
    CHECK(doc["text"] == "typed");
    CHECK(doc["members_online"] == 1);
  }

  TEST_CASE("GET /log exports the weft-replay format") {
    Harness h;
    client::Session& a = h.client("story");
    REQUIRE(a.local_insert("story", 0, "ab").has_value());
    REQUIRE(h.wait_until([&] { return a.acked("story"); }));
    REQUIRE(a.local_delete("story", 0, 1).has_value());
    REQUIRE(h.wait_until([&] { return a.acked("story"); }));
    const HttpReply reply = http_request(h.server.port(), "GET", "/api/docs/story/log");
    REQUIRE(reply.status == 200);
    const json log = parsed(reply);
    CHECK(log["format"] == "weft-log");
    CHECK(log["meta"]["id"] == "story");
    REQUIRE(log["records"].size() == 2);
    CHECK(log["records"][0]["type"] == "insert");
    CHECK(log["records"][0]["text"] == "ab");
    CHECK(log["records"][1]["type"] == "delete");
    // weft-replay reads it back (the same storage/json_log code writes and reads it).
    const auto path = h.server.data_dir().parent_path() / "export.json";
    std::ofstream(path) << reply.body;
    const auto file = storage::read_log_file(path.string());
    REQUIRE_MESSAGE(file.has_value(), file.error());
    CHECK(file->meta.id == "story");
    CHECK(file->records.size() == 2);
  }

  TEST_CASE("GET /text?at=N is the text after the first N records, and past the end 400") {
    Harness h;
    client::Session& a = h.client("steps");
    REQUIRE(a.local_insert("steps", 0, "one").has_value());
    REQUIRE(h.wait_until([&] { return a.acked("steps"); }));
    REQUIRE(a.local_insert("steps", 3, " two").has_value());
    REQUIRE(h.wait_until([&] { return a.acked("steps"); }));
    const auto at = [&](const std::string& query) {
      return parsed(http_request(h.server.port(), "GET", "/api/docs/steps/text" + query));
    };
    CHECK(at("?at=0")["text"] == "");
    CHECK(at("?at=1")["text"] == "one");
    CHECK(at("?at=2")["text"] == "one two");
    CHECK(at("")["text"] == "one two");
    const HttpReply past = http_request(h.server.port(), "GET", "/api/docs/steps/text?at=99");
    CHECK(past.status == 400);
    CHECK(error_code(past) == "out_of_range");
    CHECK(http_request(h.server.port(), "GET", "/api/docs/steps/text?at=x").status == 400);
  }

  TEST_CASE("DELETE tells a connected client, which rejoins into a new epoch") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client("gone");
    REQUIRE(a.local_insert("gone", 0, "old text").has_value());
    REQUIRE(h.wait_until([&] { return a.acked("gone"); }));
    const auto old_epoch = a.doc("gone")->epoch;
    const HttpReply deleted = http_request(h.server.port(), "DELETE", "/api/docs/gone");
    REQUIRE(deleted.status == 200);
    CHECK(parsed(deleted)["deleted"] == true);
    REQUIRE(h.wait_until([&] {
      return a.doc("gone")->resets == 1 && a.doc("gone")->phase == client::DocPhase::live;
    }));
    CHECK(a.doc("gone")->epoch != old_epoch);
    CHECK(a.text("gone").empty());
    const json doc = parsed(http_request(h.server.port(), "GET", "/api/docs/gone"));
    CHECK(doc["epoch"] == *a.doc("gone")->epoch);
    CHECK(doc["ops"] == 0);
  }

  TEST_CASE("DELETE of an unloaded document removes it from the store") {
    Harness h;
    REQUIRE(create(h, {{"id", "stored"}, {"text", "x"}}).status == 201);
    REQUIRE(http_request(h.server.port(), "DELETE", "/api/docs/stored").status == 200);
    CHECK(http_request(h.server.port(), "GET", "/api/docs/stored").status == 404);
  }
}

}  // namespace weft::integration
