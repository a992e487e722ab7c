// json_answers.cpp — JSON bodies with the API's headers.
#include "server/api/json_answers.hpp"

#include <string>
#include <utility>

#include <boost/beast/http/field.hpp>

#include "server/base/version.hpp"

namespace weft::server::api::answers {
namespace http = boost::beast::http;
using nlohmann::json;

namespace {

Response answer(std::string body, Status status) {
  Response response{status, 11};
  response.set(http::field::server, base::server_name);
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace

Response ok(const json& body, Status status) {
  return answer(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", status);
}

Response raw(std::string body) { return answer(std::move(body), Status::ok); }

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

Response error(Status status, std::string_view code, std::string message) {
  json body;
  body["error"] = {{"code", code}, {"message", std::move(message)}};
  return ok(body, status);
}

Response not_found(std::string_view id) {
  return error(Status::not_found, "not_found", "no document " + std::string(id));
}

Response bad_request(std::string message) {
  return error(Status::bad_request, "bad_request", std::move(message));
}

Response past_the_end(std::string_view name, std::uint64_t at, std::uint64_t ops) {
  return error(Status::bad_request, "out_of_range",
               std::string(name) + " " + std::to_string(at) + " is past the end of the log (" +
                   std::to_string(ops) + " ops)");
}

Response store_error(const storage::StoreError& e, std::string_view id) {
  if (e.code == storage::Errc::not_found) return not_found(id);
  return error(Status::internal_server_error, "store_error", e.message);
}

}  // namespace weft::server::api::answers
