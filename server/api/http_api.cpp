// http_api.cpp — HttpApi: routing, JSON bodies and errors, and each endpoint's store calls (on
// the blocking executor) and document calls (on the document's strand).
#include "server/api/http_api.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "server/api/api_writer.hpp"
#include "server/api/document_list.hpp"
#include "server/api/json_answers.hpp"
#include "server/api/request_parts.hpp"
#include "server/base/clock.hpp"
#include "server/base/version.hpp"
#include "server/documents/document.hpp"
#include "server/documents/replica_table.hpp"
#include "storage/bounded_json.hpp"
#include "storage/document_loader.hpp"
#include "storage/json_log.hpp"

namespace weft::server::api {
namespace http = boost::beast::http;
using nlohmann::json;

namespace {

using answers::error;
using answers::not_found;
using answers::ok;
using answers::store_error;

HttpApi::Response method_not_allowed(std::string_view allow) {
  auto response = error(http::status::method_not_allowed, "method_not_allowed",
                        "allowed: " + std::string(allow));
  response.set(http::field::allow, allow);
  return response;
}

// 16 random hex digits: ids for POST /api/docs without one.
std::string random_id() {
  std::random_device device;
  std::uniform_int_distribution<std::uint64_t> dist;
  const std::uint64_t value = dist(device);
  static constexpr char hex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = hex[(value >> (4 * i)) & 0xF];
  return id;
}

json version_json(const crdt::VersionVector& vv) {
  json out = json::object();
  for (const auto& entry : vv.entries()) out[std::to_string(entry.replica)] = entry.next_seq;
  return out;
}

}  // namespace

HttpApi::HttpApi(const base::ServerConfig& config, documents::Registry& registry,
                 documents::OpStream& stream, base::ConnectionIds& connection_ids,
                 prometheus::Counter* refused)
    : config_(config),
      registry_(registry),
      stream_(stream),
      connection_ids_(connection_ids),
      refused_(refused),
      exports_(config.resources.max_concurrent_exports),
      history_(stream),
      versions_(config, registry, stream, connection_ids) {}

bool HttpApi::serves(std::string_view target) { return target.starts_with("/api/"); }

void HttpApi::handle(const Request& request, const ApiCaller& caller, Respond respond,
                     Stream stream) {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find_first_of("?#"));
  const http::verb method = request.method();
  if (path == "/api/docs" || path == "/api/docs/") {
    if (method == http::verb::get) {
      return list_documents(stream_, target, caller, default_page, max_page, std::move(respond));
    }
    if (method == http::verb::post) return create(request, caller, std::move(respond));
    return respond(method_not_allowed("GET, POST"));
  }
  constexpr std::string_view prefix = "/api/docs/";
  if (!path.starts_with(prefix)) {
    return respond(error(http::status::not_found, "not_found", "no such endpoint"));
  }
  std::string_view rest = path.substr(prefix.size());
  const auto slash = rest.find('/');
  const std::string id{rest.substr(0, slash)};
  const std::string_view sub =
      slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  const bool versions = sub == "/versions" || sub.starts_with("/versions/");
  if (sub != "" && sub != "/log" && sub != "/restore" && !versions && !HistoryApi::serves(sub)) {
    return respond(error(http::status::not_found, "not_found", "no such endpoint"));
  }
  if (!storage::is_valid_document_id(id)) {
    return respond(error(http::status::bad_request, "bad_document_id",
                         "document ids are 1..128 bytes of [A-Za-z0-9._~-]"));
  }
  const bool write = method == http::verb::delete_ || method == http::verb::post;
  if (!caller.may(id, false) || (write && !caller.may(id, true))) {
    // Without read access the document is as good as absent (PROTOCOL.md §13).
    return respond(caller.may(id, false)
                       ? error(http::status::forbidden, "forbidden", "no write access to " + id)
                       : not_found(id));
  }
  if (sub.empty()) {
    if (method == http::verb::get) return describe(id, std::move(respond));
    if (method == http::verb::delete_) return remove(id, std::move(respond));
    return respond(method_not_allowed("GET, DELETE"));
  }
  if (sub == "/versions") {
    if (method == http::verb::get) return versions_.list(id, std::move(respond));
    if (method == http::verb::post) {
      return versions_.name(id, request.body(), caller, std::move(respond));
    }
    return respond(method_not_allowed("GET, POST"));
  }
  if (versions) {
    if (method != http::verb::delete_) return respond(method_not_allowed("DELETE"));
    return versions_.forget(id, sub.substr(std::string_view("/versions/").size()),
                            std::move(respond));
  }
  if (sub == "/restore") {
    if (method != http::verb::post) return respond(method_not_allowed("POST"));
    return versions_.restore(id, request.body(), caller, std::move(respond));
  }
  if (method != http::verb::get) return respond(method_not_allowed("GET"));
  if (const auto version = query_value(target, "version"); sub == "/text" && version) {
    if (query_value(target, "at") || query_value(target, "time")) {
      return respond(error(http::status::bad_request, "bad_request",
                           "give at most one of at, time and version"));
    }
    return versions_.resolve(
        id, *version, [this, id, respond](std::uint64_t at) { history_.text_at(id, at, respond); },
        respond);
  }
  if (sub == "/log") return export_log(id, std::move(respond), std::move(stream));
  history_.handle(id, sub, request, std::move(respond));
}

void HttpApi::create(const Request& request, const ApiCaller& caller, Respond respond) {
  json body = json::object();
  if (!request.body().empty()) {
    auto parsed = storage::parse_untrusted_json(request.body());
    if (!parsed && storage::json_depth(request.body()) > storage::max_json_depth) {
      return respond(answers::bad_request("the body: " + parsed.error()));
    }
    if (!parsed || !parsed->is_object()) {
      return respond(answers::bad_request("the body is not a JSON object"));
    }
    body = std::move(*parsed);
  }
  const auto id_field = body.find("id");
  const auto text_field = body.find("text");
  if ((id_field != body.end() && !id_field->is_string() && !id_field->is_null()) ||
      (text_field != body.end() && !text_field->is_string() && !text_field->is_null())) {
    return respond(error(http::status::bad_request, "bad_request",
                         "\"id\" and \"text\" must be strings when given"));
  }
  std::string id =
      id_field != body.end() && id_field->is_string() ? id_field->get<std::string>() : random_id();
  std::string text = text_field != body.end() && text_field->is_string()
                         ? text_field->get<std::string>()
                         : std::string();
  if (!storage::is_valid_document_id(id)) {
    return respond(error(http::status::bad_request, "bad_document_id",
                         "document ids are 1..128 bytes of [A-Za-z0-9._~-]"));
  }
  if (!caller.may(id, true)) {
    return respond(error(http::status::forbidden, "forbidden", "no write access to " + id));
  }
  proto::DocumentMeta meta;
  meta.id = id;
  meta.created_us = base::now_us();
  meta.epoch = documents::random_epoch();
  stream_.create(meta, [this, id = std::move(id), epoch = meta.epoch, text = std::move(text),
                        respond = std::move(respond)](storage::Result<void> created) mutable {
    if (!created) {
      if (created.error().code == storage::Errc::already_exists) {
        return respond(error(http::status::conflict, "already_exists", id + " already exists"));
      }
      return respond(store_error(created.error(), id));
    }
    if (text.empty()) return respond(ok({{"id", id}, {"epoch", epoch}}, http::status::created));
    type_initial_text(std::move(id), epoch, std::move(text), std::move(respond));
  });
}

// The document exists (just created, empty): a server member types the text, so that a live
// document (someone may have joined meanwhile) and the store agree.
void HttpApi::type_initial_text(std::string id, std::uint64_t epoch, std::string text,
                                Respond respond) {
  auto document = registry_.acquire(id);
  ApiWriter::start(std::move(document), connection_ids_.next(), std::move(text),
                   config_.limits.max_run,
                   [id, epoch, respond = std::move(respond)](const std::string& failure) {
                     if (!failure.empty()) {
                       return respond(error(http::status::internal_server_error,
                                            "initial_text_failed", failure));
                     }
                     respond(ok({{"id", id}, {"epoch", epoch}}, http::status::created));
                   });
}

void HttpApi::describe(std::string id, Respond respond) {
  stream_.load(id, [this, id, respond = std::move(respond)](auto loaded) {
    if (!loaded) return respond(store_error(loaded.error(), id));
    auto rga = storage::materialize(*loaded);
    if (!rga) return respond(store_error(rga.error(), id));
    std::string text = rga->text();
    json body{{"id", id},
              {"epoch", loaded->meta.epoch},
              {"created_us", loaded->meta.created_us},
              {"text", text},
              {"length", rga->length()},
              {"bytes", text.size()},
              {"ops", loaded->next_index},
              {"version", version_json(rga->version())},
              {"members_online", 0}};
    auto document = registry_.find(id);
    if (!document) return respond(ok(body));
    document->members_online([body = std::move(body), respond](std::size_t members) mutable {
      body["members_online"] = members;
      respond(ok(body));
    });
  });
}

void HttpApi::remove(std::string id, Respond respond) {
  auto answer = [id, respond = std::move(respond)](storage::Result<void> removed) {
    if (!removed) return respond(store_error(removed.error(), id));
    respond(ok({{"id", id}, {"deleted", true}}));
  };
  // A live document ends its memberships and waits for its writes before it is removed.
  if (auto document = registry_.find(id)) return document->remove(std::move(answer));
  stream_.remove(std::move(id), std::move(answer));
}

void HttpApi::export_log(std::string id, Respond respond, Stream stream) {
  std::optional<ExportSlots::Slot> slot = exports_.acquire();
  if (!slot) {
    if (refused_ != nullptr) refused_->Increment();
    auto busy = error(http::status::service_unavailable, "too_many_exports",
                      "at most " + std::to_string(config_.resources.max_concurrent_exports) +
                          " log exports run at once: retry later");
    busy.set(http::field::retry_after, "1");
    return respond(std::move(busy));
  }
  // Only the metadata is kept from the load; the records are read a page at a time.
  stream_.load(id, [this, id, slot = std::make_shared<ExportSlots::Slot>(std::move(*slot)),
                    respond = std::move(respond), stream = std::move(stream)](auto loaded) {
    if (!loaded) return respond(store_error(loaded.error(), id));
    Response head{http::status::ok, 11};
    head.set(http::field::server, base::server_name);
    head.set(http::field::content_type, "application/json");
    head.set(http::field::cache_control, "no-store");
    stream(std::move(head),
           std::make_shared<LogExport>(stream_, std::move(loaded->meta), std::move(*slot)));
  });
}

}  // namespace weft::server::api
