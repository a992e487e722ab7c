// http_api.hpp — the JSON HTTP API under /api/ (docs/http-api.md): list, create, inspect and
// delete documents, export their logs, read their history (history_api.hpp), and name and
// restore versions (versions_api.hpp); the list is document_list.hpp.
//
// HttpApi takes a parsed request and answers through a callback; it never touches sockets, so
// HttpSession owns the transport. Durable history is read and written through the OpStream only
// (the one path to the store, which the cluster replaces), and live documents are asked through
// their strands: `respond` therefore runs on some other thread, and the caller posts the response
// back to its own strand. Creation and deletion go through the live document when there is one,
// so a live document and the store never disagree: initial text is typed by a server-side member
// (ApiWriter), and a delete ends the live document's memberships before the store forgets it.
//
// Log exports are streamed (log_export.hpp): `stream` gets the response's head and the body to
// pull; at most config.resources.max_concurrent_exports run at once, more are answered 503 with
// Retry-After.
//
// Errors: {"error": {"code": "not_found", "message": "..."}} with 400, 404, 405, 409, 413, 500,
// 503.
// Requires: everything passed to the constructor outlives the HttpApi and every pending call.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <prometheus/counter.h>

#include "server/api/export_slots.hpp"
#include "server/api/history_api.hpp"
#include "server/api/log_export.hpp"
#include "server/api/versions_api.hpp"
#include "server/base/config.hpp"
#include "server/base/connection_ids.hpp"
#include "server/documents/op_stream.hpp"
#include "server/documents/registry.hpp"

namespace weft::server::api {

// Who is calling: the hook for authentication (base/principal.hpp). `may(doc, write)` says whether
// the caller may read (write false) or change (write true) document `doc`; documents it may not
// read are answered 404, as if they did not exist, and left out of lists. Default: allow everything
// (development mode). The HTTP session builds one from the request's token once the API is
// behind authentication.
struct ApiCaller {
  std::function<bool(std::string_view doc, bool write)> may = [](std::string_view, bool) {
    return true;
  };
  // The token's `sub` with authentication; nullopt without (development mode), where a request
  // may name its user in its body (`"user"`).
  std::optional<std::string> user;
};

class HttpApi {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  using Respond = std::function<void(Response)>;
  // A streamed answer: `head` (status and headers; its body is empty) and the body's pieces.
  using Stream = std::function<void(Response head, std::shared_ptr<LogExport> body)>;

  // The largest request body the API accepts (POST /api/docs with initial text).
  static constexpr std::size_t body_limit = 8 * 1024 * 1024;
  static constexpr std::size_t default_page = 100;
  static constexpr std::size_t max_page = 1000;

  // `stream` is the one `registry`'s documents persist through. Requires: all outlive the HttpApi.
  // `refused` (may be null) counts exports answered 503.
  HttpApi(const base::ServerConfig& config, documents::Registry& registry,
          documents::OpStream& stream, base::ConnectionIds& connection_ids,
          prometheus::Counter* refused = nullptr);

  // True for the targets this API serves (the path starts with /api/).
  [[nodiscard]] static bool serves(std::string_view target);

  // Answers `request`: `respond` or `stream` runs exactly once, on any thread. Requires:
  // serves(target).
  void handle(const Request& request, const ApiCaller& caller, Respond respond, Stream stream);

 private:
  void create(const Request& request, const ApiCaller& caller, Respond respond);
  void describe(std::string id, Respond respond);
  void remove(std::string id, Respond respond);
  void export_log(std::string id, Respond respond, Stream stream);
  void type_initial_text(std::string id, std::uint64_t epoch, std::string text, Respond respond);

  const base::ServerConfig& config_;
  documents::Registry& registry_;
  documents::OpStream& stream_;
  base::ConnectionIds& connection_ids_;
  prometheus::Counter* const refused_;
  ExportSlots exports_;
  HistoryApi history_;    // text, history, blame, diff
  VersionsApi versions_;  // named versions and restore (versions_api.hpp)
};

}  // namespace weft::server::api
