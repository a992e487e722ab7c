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

#include <nlohmann/json.hpp>

#include "proto/records.hpp"
#include "server/api/json_answers.hpp"
#include "server/base/config.hpp"
#include "server/base/connection_ids.hpp"
#include "server/documents/op_stream.hpp"
#include "server/documents/registry.hpp"

namespace weft::server::api {

struct ApiCaller;

// A named version as the API shows it: {"name", "at", "user", "created_us"}.
[[nodiscard]] nlohmann::json named_version_json(const proto::NamedVersion& version);

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
  // Resolves the named version `encoded_name` (as in the target) of `id` and calls found(at);
  // else answers 400 (bad encoding), 404 unknown_version or a store error.
  void resolve(const std::string& id, std::string_view encoded_name,
               std::function<void(std::uint64_t at)> found, Respond respond);
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
