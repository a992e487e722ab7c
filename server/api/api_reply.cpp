// api_reply.cpp — JSON answers and query parameter parsing.
#include "server/api/api_reply.hpp"

#include <charconv>
#include <utility>

#include "server/base/version.hpp"

namespace weft::server::api {
namespace http = boost::beast::http;
using nlohmann::json;

namespace {

ApiResponse answer(std::string body, http::status status) {
  ApiResponse response{status, 11};
  response.set(http::field::server, base::server_name);
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace

ApiResponse json_answer(const json& body, http::status status) {
  return answer(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", status);
}

ApiResponse raw_json_answer(std::string body) { return answer(std::move(body), http::status::ok); }

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      out += "\\u00";
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

ApiResponse error_answer(http::status status, std::string_view code, std::string message) {
  json body;
  body["error"] = {{"code", code}, {"message", std::move(message)}};
  return json_answer(body, status);
}

ApiResponse store_error_answer(const storage::StoreError& e, std::string_view id) {
  if (e.code == storage::Errc::not_found) {
    return error_answer(http::status::not_found, "not_found", "no document " + std::string(id));
  }
  return error_answer(http::status::internal_server_error, "store_error", e.message);
}

std::optional<std::string_view> query_param(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::int64_t> parse_signed(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace weft::server::api
