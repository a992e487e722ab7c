// document_list.hpp — GET /api/docs (docs/http-api.md): a page of the documents the caller may
// read, sorted by id, each with its title (first line, at most 80 code points) and length, and
// optionally only those whose id or title contains `q` (ASCII case ignored).
//
// The summaries come from one OpStream::list(); titles need each document's text, so only the
// documents on the page, or examined for `q`, are loaded and materialized, one after the other.
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "server/api/json_answers.hpp"
#include "server/documents/op_stream.hpp"

namespace weft::server::api {

struct ApiCaller;

// The first line of `text` (before the first '\n'), cut to `max_code_points`.
[[nodiscard]] std::string title_of(std::string_view text, std::size_t max_code_points = 80);
// Whether `haystack` contains `needle`, ASCII letters compared without case.
[[nodiscard]] bool contains_ignoring_case(std::string_view haystack, std::string_view needle);

// Answers GET /api/docs with `target`'s limit, after and q. `respond` runs once, on any thread.
// Requires: `stream` outlives the call.
void list_documents(documents::OpStream& stream, std::string_view target, const ApiCaller& caller,
                    std::size_t default_page, std::size_t max_page,
                    std::function<void(answers::Response)> respond);

}  // namespace weft::server::api
