// api_reply.hpp — the JSON answers of the HTTP API (docs/http-api.md, "Errors") and its query
// parameters, for the endpoint files beside http_api.cpp.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>

#include "storage/document_store.hpp"

namespace weft::server::api {

using ApiResponse = boost::beast::http::response<boost::beast::http::string_body>;

// `body` as the answer, with the API's headers.
[[nodiscard]] ApiResponse json_answer(
    const nlohmann::json& body, boost::beast::http::status status = boost::beast::http::status::ok);
// `body`, already JSON, as the answer (for large answers written without a JSON tree).
[[nodiscard]] ApiResponse raw_json_answer(std::string body);
// Appends `text` (valid UTF-8) to `out` as a JSON string, quotes included.
void append_json_string(std::string& out, std::string_view text);
// {"error": {"code": code, "message": message}}.
[[nodiscard]] ApiResponse error_answer(boost::beast::http::status status, std::string_view code,
                                       std::string message);
// 404 not_found for document `id`, or 500 store_error.
[[nodiscard]] ApiResponse store_error_answer(const storage::StoreError& e, std::string_view id);

// The raw value of query parameter `name` in `target` (no percent-decoding), or nullopt.
[[nodiscard]] std::optional<std::string_view> query_param(std::string_view target,
                                                          std::string_view name);
// A decimal count without sign (nullopt for anything else, or on overflow).
[[nodiscard]] std::optional<std::uint64_t> parse_unsigned(std::string_view text);
// A decimal integer, optionally negative (nullopt for anything else, or on overflow).
[[nodiscard]] std::optional<std::int64_t> parse_signed(std::string_view text);

}  // namespace weft::server::api
