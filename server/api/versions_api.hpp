// versions_api.hpp — the named-version endpoints of the HTTP API and restore (docs/http-api.md,
// "Named versions" and "POST /api/docs/{id}/restore"): list, name and forget versions, the text
// of a named version, and bringing a document back to a version.
//
// Like HttpApi (which routes here, having checked the id and the caller's access), it reads and
// writes durable history through the OpStream only, and asks live documents through their
// strands; `respond` runs once, on any thread. The store enforces unique names and at most
// storage::max_named_versions per document, atomically with the write. A restore is typed by a
// RestoreWriter, a member of the live document.
// Requires: everything passed to the constructor outlives the VersionsApi and every pending call.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "server/api/json_answers.hpp"
#include "server/base/config.hpp"
#include "server/base/connection_ids.hpp"
#include "server/documents/op_stream.hpp"
#include "server/documents/registry.hpp"

namespace weft::server::api {

struct ApiCaller;

class VersionsApi {
 public:
  using Respond = std::function<void(answers::Response)>;

  VersionsApi(const base::ServerConfig& config, documents::Registry& registry,
              documents::OpStream& stream, base::ConnectionIds& connection_ids);

  // GET /api/docs/{id}/versions.
  void list(const std::string& id, Respond respond);
  // POST /api/docs/{id}/versions with {"name": ..., "at": N, "user": ...}.
  void name(const std::string& id, std::string_view body, const ApiCaller& caller, Respond respond);
  // DELETE /api/docs/{id}/versions/{encoded_name}.
  void forget(const std::string& id, std::string_view encoded_name, Respond respond);
  // GET /api/docs/{id}/text?version=NAME (`encoded_name` as in the target).
  void text(const std::string& id, std::string_view encoded_name, Respond respond);
  // POST /api/docs/{id}/restore with {"at": N} or {"version": "NAME"} (and "user").
  void restore(std::string id, std::string_view body, const ApiCaller& caller, Respond respond);

 private:
  // The named version `name` of `id`, or 404 unknown_version / a store error.
  void find(const std::string& id, std::string name,
            std::function<void(const proto::NamedVersion&)> found, Respond respond);
  void restore_to(std::string id, std::uint64_t at, std::string user, Respond respond);

  const base::ServerConfig& config_;
  documents::Registry& registry_;
  documents::OpStream& stream_;
  base::ConnectionIds& connection_ids_;
};

}  // namespace weft::server::api
