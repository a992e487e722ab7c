// versions_api.cpp — VersionsApi: bodies and names checked, then store calls through the
// OpStream and, for restore, a RestoreWriter on the live document.
#include "server/api/versions_api.hpp"

#include <optional>
#include <utility>

#include "server/api/http_api.hpp"
#include "server/api/request_parts.hpp"
#include "server/api/restore_writer.hpp"
#include "server/base/clock.hpp"
#include "server/documents/document.hpp"
#include "storage/bounded_json.hpp"

namespace weft::server::api {
using answers::bad_request;
using answers::error;
using answers::ok;
using answers::past_the_end;
using answers::Status;
using nlohmann::json;

namespace {

answers::Response bad_name() {
  return bad_request("version names are 1.." + std::to_string(proto::max_version_name_bytes) +
                     " bytes of UTF-8 without control characters");
}

answers::Response unknown_version(std::string_view name) {
  return error(Status::not_found, "unknown_version", "no named version " + std::string(name));
}

// The body as a JSON object (an empty body is {}), or the 400 to answer.
tl::expected<json, answers::Response> parse_body(std::string_view body) {
  if (body.empty()) return json::object();
  auto parsed = storage::parse_untrusted_json(body);
  if (!parsed && storage::json_depth(body) > storage::max_json_depth) {
    return tl::unexpected(bad_request("the body: " + parsed.error()));
  }
  if (!parsed || !parsed->is_object()) {
    return tl::unexpected(bad_request("the body is not a JSON object"));
  }
  return std::move(*parsed);
}

// `at` if present: absent is nullopt; not a non-negative integer is the 400 to answer.
tl::expected<std::optional<std::uint64_t>, answers::Response> at_of(const json& body) {
  const auto it = body.find("at");
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_unsigned()) {
    return tl::unexpected(bad_request("\"at\" must be a number of log records"));
  }
  return it->get<std::uint64_t>();
}

// The token's `sub`; without authentication the body's "user" (default ""). Not a string: 400.
tl::expected<std::string, answers::Response> user_of(const json& body, const ApiCaller& caller) {
  if (caller.user) return *caller.user;
  const auto it = body.find("user");
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) return tl::unexpected(bad_request("\"user\" must be a string"));
  return it->get<std::string>();
}

}  // namespace

json named_version_json(const proto::NamedVersion& v) {
  return {{"name", v.name}, {"at", v.at}, {"user", v.user_id}, {"created_us", v.created_us}};
}

VersionsApi::VersionsApi(const base::ServerConfig& config, documents::Registry& registry,
                         documents::OpStream& stream, base::ConnectionIds& connection_ids)
    : config_(config), registry_(registry), stream_(stream), connection_ids_(connection_ids) {}

void VersionsApi::list(const std::string& id, Respond respond) {
  stream_.read_versions(id, [id, respond = std::move(respond)](auto versions) {
    if (!versions) return respond(answers::store_error(versions.error(), id));
    json items = json::array();
    for (const proto::NamedVersion& v : *versions) items.push_back(named_version_json(v));
    respond(ok({{"versions", std::move(items)}}));
  });
}

void VersionsApi::name(const std::string& id, std::string_view body, const ApiCaller& caller,
                       Respond respond) {
  auto parsed = parse_body(body);
  if (!parsed) return respond(std::move(parsed.error()));
  const auto name_field = parsed->find("name");
  if (name_field == parsed->end() || !name_field->is_string()) {
    return respond(bad_request("\"name\" must be a string"));
  }
  proto::NamedVersion version;
  version.name = name_field->get<std::string>();
  if (!proto::is_valid_version_name(version.name)) return respond(bad_name());
  auto at = at_of(*parsed);
  if (!at) return respond(std::move(at.error()));
  auto user = user_of(*parsed, caller);
  if (!user) return respond(std::move(user.error()));
  version.user_id = std::move(*user);
  stream_.read_head(id, [this, id, version = std::move(version), at = *at,
                         respond = std::move(respond)](auto head) mutable {
    if (!head) return respond(answers::store_error(head.error(), id));
    const std::uint64_t ops = head->next_index;
    version.at = at.value_or(ops);
    if (version.at > ops) return respond(past_the_end("at", version.at, ops));
    version.created_us = base::now_us();
    stream_.put_version(
        id, version, [id, version, respond = std::move(respond)](storage::Result<void> put) {
          if (put) return respond(ok(named_version_json(version), Status::created));
          const std::error_code code = put.error().code;
          if (code == storage::Errc::version_exists) {
            return respond(error(Status::conflict, "already_exists",
                                 id + " already has a version " + version.name));
          }
          if (code == storage::Errc::too_many_versions) {
            return respond(error(Status::conflict, "too_many_versions", put.error().message));
          }
          if (code == storage::Errc::index_gap) {
            return respond(error(Status::bad_request, "out_of_range", put.error().message));
          }
          respond(answers::store_error(put.error(), id));
        });
  });
}

void VersionsApi::forget(const std::string& id, std::string_view encoded_name, Respond respond) {
  std::optional<std::string> name = percent_decode(encoded_name);
  if (!name) return respond(bad_request("the version name is not percent-encoded correctly"));
  stream_.remove_version(
      id, *name, [id, name = *name, respond = std::move(respond)](storage::Result<void> removed) {
        if (!removed && removed.error().code == storage::Errc::unknown_version) {
          return respond(unknown_version(name));
        }
        if (!removed) return respond(answers::store_error(removed.error(), id));
        respond(ok({{"name", name}, {"deleted", true}}));
      });
}

void VersionsApi::find(const std::string& id, std::string name,
                       std::function<void(const proto::NamedVersion&)> found, Respond respond) {
  stream_.read_versions(id, [id, name = std::move(name), found = std::move(found),
                             respond = std::move(respond)](auto versions) {
    if (!versions) return respond(answers::store_error(versions.error(), id));
    for (const proto::NamedVersion& v : *versions) {
      if (v.name == name) return found(v);
    }
    respond(unknown_version(name));
  });
}

void VersionsApi::resolve(const std::string& id, std::string_view encoded_name,
                          std::function<void(std::uint64_t at)> found, Respond respond) {
  std::optional<std::string> name = percent_decode(encoded_name);
  if (!name) return respond(bad_request("the version name is not percent-encoded correctly"));
  find(
      id, std::move(*name),
      [found = std::move(found)](const proto::NamedVersion& version) { found(version.at); },
      std::move(respond));
}

void VersionsApi::restore(std::string id, std::string_view body, const ApiCaller& caller,
                          Respond respond) {
  auto parsed = parse_body(body);
  if (!parsed) return respond(std::move(parsed.error()));
  auto at = at_of(*parsed);
  if (!at) return respond(std::move(at.error()));
  const auto version_field = parsed->find("version");
  const bool has_version = version_field != parsed->end() && !version_field->is_null();
  if (has_version == at->has_value()) {
    return respond(bad_request("restore takes exactly one of \"at\" and \"version\""));
  }
  if (has_version && !version_field->is_string()) {
    return respond(bad_request("\"version\" must be a string"));
  }
  auto user = user_of(*parsed, caller);
  if (!user) return respond(std::move(user.error()));
  if (!has_version) return restore_to(std::move(id), **at, std::move(*user), std::move(respond));
  auto found = [this, id, user = std::move(*user), respond](const proto::NamedVersion& version) {
    restore_to(id, version.at, user, respond);
  };
  find(id, version_field->get<std::string>(), std::move(found), std::move(respond));
}

void VersionsApi::restore_to(std::string id, std::uint64_t at, std::string user, Respond respond) {
  stream_.read_head(id, [this, id, at, user = std::move(user),
                         respond = std::move(respond)](auto head) mutable {
    if (!head) return respond(answers::store_error(head.error(), id));
    if (at > head->next_index) return respond(past_the_end("at", at, head->next_index));
    stream_.replay(
        id, at,
        [this, id, at, user = std::move(user), respond = std::move(respond)](auto target) mutable {
          if (!target) return respond(answers::store_error(target.error(), id));
          std::string text = target->text();
          RestoreWriter::start(
              registry_.acquire(id), connection_ids_.next(), std::move(user), std::move(*target),
              config_.limits.max_run,
              [this, id, at, text = std::move(text),
               respond = std::move(respond)](const RestoreWriter::Outcome& outcome) {
                if (!outcome.error.empty()) {
                  return respond(
                      error(Status::internal_server_error, "restore_failed", outcome.error));
                }
                // The log's length once the restore is durable (later records may
                // count too).
                stream_.read_head(id, [id, at, text, outcome, respond](auto after) {
                  if (!after) return respond(answers::store_error(after.error(), id));
                  respond(ok({{"id", id},
                              {"at", at},
                              {"ops", after->next_index},
                              {"inserted", outcome.inserted},
                              {"deleted", outcome.deleted},
                              {"text", text}}));
                });
              });
        });
  });
}

}  // namespace weft::server::api
