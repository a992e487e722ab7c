// bounded_json_fuzz.cpp — bytes to parse_untrusted_json (storage/bounded_json.hpp), the one way
// untrusted JSON is parsed: tokens, HTTP API bodies, weft-replay --log files (issue 13).
//
// Checks: no crash however deep the input (no recursion before the limit), no exception; input
// deeper than the limit is refused with the limit's message; input within it parses exactly when
// nlohmann accepts it; what parses is no deeper than the scan said, and dumps to text that parses
// back to an equal value. The first byte also picks a small second limit, checked the same way.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "storage/bounded_json.hpp"

namespace {

[[noreturn]] void fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "FUZZ FAILURE: %s\ninput (%zu bytes): %.*s\n", what, text.size(),
               static_cast<int>(std::min<std::size_t>(text.size(), 2000)), text.data());
  std::abort();
}

void check(std::string_view text, std::size_t limit) {
  using namespace weft::storage;
  const std::size_t depth = json_depth(text);
  const auto parsed = parse_untrusted_json(text, limit);
  if (depth > limit) {
    if (parsed) fail("input deeper than the limit parsed", text);
    if (parsed.error() != "JSON nested deeper than " + std::to_string(limit) + " levels") {
      fail("a refusal for depth that does not name the limit", text);
    }
    return;
  }
  if (parsed.has_value() != nlohmann::json::accept(text)) {
    fail("parse_untrusted_json and nlohmann disagree on valid JSON", text);
  }
  if (!parsed) {
    if (!parsed.error().starts_with("not JSON: ")) fail("a refusal that does not say why", text);
    return;
  }
  const std::string dumped = parsed->dump();
  if (json_depth(dumped) > depth) fail("the value is deeper than the scan said", text);
  const auto again = parse_untrusted_json(dumped, limit);
  if (!again || *again != *parsed) fail("the dump does not parse back to the same value", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  check(text, weft::storage::max_json_depth);
  check(text, data[0] % 8);
  return 0;
}
