// bounded_json_test.cpp — storage/bounded_json.hpp: the nesting scan and the bounded parse that
// tokens, HTTP API bodies and imported logs go through (issue 13).
#include "storage/bounded_json.hpp"

#include <string>

#include <doctest/doctest.h>

namespace weft::storage {
namespace {

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_SUITE("bounded JSON") {
  TEST_CASE("depth counts arrays and objects, not brackets inside strings") {
    CHECK(json_depth("1") == 0);
    CHECK(json_depth(R"("[[[{{{")") == 0);
    CHECK(json_depth("[]") == 1);
    CHECK(json_depth(R"({"a":[1,{"b":[]}],"c":{}})") == 4);
    CHECK(json_depth(R"(["\"[[[", "\\", [{}]])") == 3);
    CHECK(json_depth(nested(100'000)) == 100'000);
  }

  TEST_CASE("unbalanced input counts at least as deep as a parser gets") {
    CHECK(json_depth(std::string(1000, '{')) == 1000);
    CHECK(json_depth("]]]]][[") == 2);
  }

  TEST_CASE("JSON up to the limit parses; deeper is refused before parsing, naming the limit") {
    const auto at_limit = parse_untrusted_json(nested(max_json_depth));
    REQUIRE(at_limit.has_value());
    CHECK(at_limit->is_array());
    const auto deeper = parse_untrusted_json(nested(max_json_depth + 1));
    REQUIRE_FALSE(deeper.has_value());
    CHECK(deeper.error() == "JSON nested deeper than 64 levels");
    // 900 KiB of nesting, the size of the refresh that crashed the server.
    const auto huge = parse_untrusted_json(R"({"x":)" + nested(460'000) + "}");
    REQUIRE_FALSE(huge.has_value());
    CHECK(huge.error() == "JSON nested deeper than 64 levels");
    CHECK(parse_untrusted_json(nested(3), 2).error() == "JSON nested deeper than 2 levels");
  }

  TEST_CASE("what is not JSON is an error that says where, never an exception") {
    for (const char* text : {"", "{", "[1,]", R"({"a":1}x)", "nul", "{\"a\":\"\x01\"}"}) {
      CAPTURE(text);
      const auto parsed = parse_untrusted_json(text);
      REQUIRE_FALSE(parsed.has_value());
      CHECK(parsed.error().starts_with("not JSON: "));
      CHECK(parsed.error().find("json.exception") == std::string::npos);
    }
    const auto ok = parse_untrusted_json(R"({"a":[1,"[",{"b":null}]})");
    REQUIRE(ok.has_value());
    CHECK(ok->at("a").at(1) == "[");
  }
}

}  // namespace weft::storage
