// json_answers.hpp — the API's JSON answers and errors (docs/http-api.md, "Errors"), for every
// endpoint of the API.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>

#include "storage/document_store.hpp"

namespace weft::server::api::answers {

using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Status = boost::beast::http::status;

// `body` as JSON, with the API's headers.
[[nodiscard]] Response ok(const nlohmann::json& body, Status status = Status::ok);
// `body`, already JSON, as a 200 answer (for large answers written without a JSON tree).
[[nodiscard]] Response raw(std::string body);
// Appends `text` (valid UTF-8) to `out` as a JSON string, quotes included.
void append_json_string(std::string& out, std::string_view text);
// {"error": {"code": code, "message": message}}.
[[nodiscard]] Response error(Status status, std::string_view code, std::string message);
[[nodiscard]] Response not_found(std::string_view id);
// 400 bad_request with `message`.
[[nodiscard]] Response bad_request(std::string message);
// 400 out_of_range "NAME AT is past the end of the log (OPS ops)", for a version past the log.
[[nodiscard]] Response past_the_end(std::string_view name, std::uint64_t at, std::uint64_t ops);
// 404 not_found for a missing document, else 500 store_error with the store's message.
[[nodiscard]] Response store_error(const storage::StoreError& e, std::string_view id);

}  // namespace weft::server::api::answers
