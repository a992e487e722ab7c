// bounded_json.cpp — the nesting scan and the bounded parse.
#include "storage/bounded_json.hpp"

#include <exception>

namespace weft::storage {

std::size_t json_depth(std::string_view text) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
      if (depth > deepest) deepest = depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

tl::expected<nlohmann::json, std::string> parse_untrusted_json(std::string_view text,
                                                               std::size_t max_depth) {
  if (json_depth(text) > max_depth) {
    return tl::unexpected("JSON nested deeper than " + std::to_string(max_depth) + " levels");
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    // nlohmann's parse_error says where: "[json.exception.parse_error.101] parse error at ...".
    std::string what = e.what();
    if (const auto at = what.find("] "); what.starts_with("[json.exception.") && at != what.npos) {
      what.erase(0, at + 2);
    }
    return tl::unexpected("not JSON: " + what);
  }
}

}  // namespace weft::storage
