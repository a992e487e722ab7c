// json_answers.cpp — JSON bodies with the API's headers.
#include "server/api/json_answers.hpp"

#include <utility>

#include <boost/beast/http/field.hpp>

#include "server/base/version.hpp"

namespace weft::server::api::answers {
namespace http = boost::beast::http;
using nlohmann::json;

Response ok(const json& body, Status status) {
  Response response{status, 11};
  response.set(http::field::server, base::server_name);
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  response.prepare_payload();
  return response;
}

Response error(Status status, std::string_view code, std::string message) {
  json body;
  body["error"] = {{"code", code}, {"message", std::move(message)}};
  return ok(body, status);
}

Response not_found(std::string_view id) {
  return error(Status::not_found, "not_found", "no document " + std::string(id));
}

Response store_error(const storage::StoreError& e, std::string_view id) {
  if (e.code == storage::Errc::not_found) return not_found(id);
  return error(Status::internal_server_error, "store_error", e.message);
}

}  // namespace weft::server::api::answers
