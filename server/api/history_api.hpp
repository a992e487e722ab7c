// history_api.hpp — the history reads of the HTTP API (docs/http-api.md, "History"): text at a
// version or a time, the timeline, blame and diff.
//
// Every answer comes from the document's history index (history/history_cache.hpp), brought up to
// date through the OpStream and read on its threads: one pass over the index, never a replay.
// Parameters are checked before the store is asked (400 bad_request); versions and positions past
// the end are 400 out_of_range.
// Requires: the OpStream outlives the HistoryApi and every pending call.
#pragma once
#include <functional>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/api/json_answers.hpp"
#include "server/api/request_parts.hpp"
#include "server/documents/op_stream.hpp"

namespace weft::server::api {

class HistoryApi {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Respond = std::function<void(answers::Response)>;

  static constexpr std::uint64_t default_gap_seconds = 300;
  static constexpr std::uint64_t max_gap_seconds = 86'400;

  explicit HistoryApi(documents::OpStream& stream) : stream_(stream) {}

  // True for the endpoints under /api/docs/{id} it serves: /text, /history, /blame, /diff.
  [[nodiscard]] static bool serves(std::string_view sub);

  // Answers GET /api/docs/{id}{sub}: `respond` runs exactly once, on any thread. Requires:
  // serves(sub), a valid id and read access checked.
  void handle(std::string id, std::string_view sub, const Request& request, Respond respond);
  // Answers with the text of version `at` (GET /api/docs/{id}/text?version=NAME, once the name
  // is resolved): 400 out_of_range past the end of the log.
  void text_at(std::string id, std::uint64_t at, Respond respond);

 private:
  void text(std::string id, const Request& request, Respond respond);
  void timeline(std::string id, const Request& request, Respond respond);
  void blame(const std::string& id, const Request& request, Respond respond);
  void diff(std::string id, const Request& request, Respond respond);

  documents::OpStream& stream_;
};

}  // namespace weft::server::api
