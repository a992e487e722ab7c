// redis_store.cpp — RedisStore: opening (URL, persistence check, scripts) and the writes.
#include "storage/redis_store.hpp"

#include <array>
#include <random>
#include <utility>

#include "storage/record_format.hpp"
#include "storage/redis_eval.hpp"
#include "storage/redis_keys.hpp"

namespace weft::storage {

namespace {

using redis_script::Id;

// The Errc named by a script's refusal `WEFT <code> <message>`.
Errc refusal_code(std::string_view code) {
  if (code == "not_found") return Errc::not_found;
  if (code == "already_exists") return Errc::already_exists;
  if (code == "index_gap") return Errc::index_gap;
  if (code == "fenced") return Errc::fenced;
  if (code == "version_exists") return Errc::version_exists;
  if (code == "too_many_versions") return Errc::too_many_versions;
  if (code == "unknown_version") return Errc::unknown_version;
  return Errc::io_error;
}

StoreError reply_error(std::string_view doc, const std::string& text) {
  constexpr std::string_view prefix = "WEFT ";
  if (text.starts_with(prefix)) {
    const std::string_view rest = std::string_view(text).substr(prefix.size());
    const auto space = rest.find(' ');
    const std::string_view code = rest.substr(0, space);
    const std::string_view message = space == std::string_view::npos ? "" : rest.substr(space + 1);
    const Errc errc = refusal_code(code);
    if (errc == Errc::not_found) return {make_error_code(errc), format::describe(doc)};
    if (errc == Errc::already_exists) return {make_error_code(errc), format::describe(doc)};
    return {make_error_code(errc), format::describe(doc) + ": " + std::string(message)};
  }
  return {make_error_code(Errc::io_error), format::describe(doc) + ": redis: " + text};
}

std::string random_generation() {
  std::random_device device;
  const std::uint64_t value = (std::uint64_t{device()} << 32) | device();
  return std::to_string(value);
}

std::string config_value(const RedisReply& reply) {
  if (reply.type == RedisReply::Type::array && reply.elements.size() == 2) {
    return reply.elements[1].str;
  }
  return {};
}

}  // namespace

RedisStore::RedisStore(const RedisEndpoint& endpoint, Options options)
    : options_(options), pool_(endpoint, options.pool) {}

Result<std::unique_ptr<RedisStore>> RedisStore::open(std::string_view url, Options options) {
  auto endpoint = parse_redis_url(url);
  if (!endpoint) return tl::unexpected(std::move(endpoint.error()));
  std::unique_ptr<RedisStore> store(new RedisStore(*endpoint, options));
  if (auto ok = store->check_durability(); !ok) return tl::unexpected(std::move(ok.error()));
  auto connection = store->pool_.acquire();
  if (!connection) return tl::unexpected(std::move(connection.error()));
  std::array<std::string_view, redis_script::count> sources{};
  for (std::size_t i = 0; i < redis_script::count; ++i) {
    sources.at(i) = redis_script::source(static_cast<Id>(i));
  }
  auto scripts = load_scripts(*connection, *endpoint, sources);
  if (!scripts) return tl::unexpected(std::move(scripts.error()));
  store->scripts_ = std::move(*scripts);
  return store;
}

Result<void> RedisStore::check_durability() {
  const std::string where = "redis " + pool_.endpoint().describe();
  auto connection = pool_.acquire();
  if (!connection) return tl::unexpected(std::move(connection.error()));
  const std::vector<RedisPool::Command> commands{{"CONFIG", "GET", "appendonly"},
                                                 {"CONFIG", "GET", "appendfsync"}};
  auto replies = connection->pipeline(commands);
  if (!replies) return tl::unexpected(std::move(replies.error()));
  const std::string appendonly = config_value((*replies)[0]);
  const std::string appendfsync = config_value((*replies)[1]);
  const bool aof_always = appendonly == "yes" && appendfsync == "always";
  const std::string setting =
      (*replies)[0].is_error()
          ? "persistence unknown (CONFIG GET refused: " + (*replies)[0].str + ")"
          : "appendonly " + appendonly + ", appendfsync " + appendfsync;
  if (!aof_always && options_.replicas == 0) {
    if (options_.durability != Options::Durability::relaxed) {
      return format::error(Errc::io_error,
                           where + " does not make every write durable (" + setting +
                               "): run it with appendonly yes and appendfsync always, wait for "
                               "replicas, or accept relaxed durability");
    }
    durability_note_ = "relaxed: " + setting + "; acknowledged writes may be lost if Redis dies";
    durable_ = false;
    return {};
  }
  durability_note_ = setting;
  if (options_.replicas > 0) {
    durability_note_ +=
        "; each write waits for " + std::to_string(options_.replicas) + " replica(s)";
  }
  return {};
}

Result<RedisReply> RedisStore::eval(RedisPool::Connection& connection, std::string_view doc,
                                    Id script, const std::vector<std::string>& keys,
                                    const std::vector<std::string>& args) {
  auto reply = eval_script(connection, scripts_.at(static_cast<std::size_t>(script)), keys, args);
  if (!reply) {
    return format::error(Errc::io_error, format::describe(doc) + ": " + reply.error().message);
  }
  if (reply->is_error()) return tl::unexpected(reply_error(doc, reply->str));
  return reply;
}

Result<RedisReply> RedisStore::write(std::string_view doc, Id script,
                                     const std::vector<std::string>& keys,
                                     std::vector<std::string> args) {
  auto reply = write_once(doc, script, keys, std::move(args));
  // Only io_error says something about Redis; a refusal (index_gap, fenced, ...) is the
  // document's.
  const bool failed = !reply && reply.error().code == Errc::io_error;
  const std::lock_guard lock(health_mu_);
  if (failed) {
    ++health_.write_failures;
    health_.writable = false;
    health_.reason = reply.error().message;
  } else {
    health_.writable = true;
    health_.reason.clear();
  }
  return reply;
}

StoreHealth RedisStore::health() const {
  const std::lock_guard lock(health_mu_);
  return health_;
}

Result<RedisReply> RedisStore::write_once(std::string_view doc, Id script,
                                          const std::vector<std::string>& keys,
                                          std::vector<std::string> args) {
  args.insert(args.begin(), std::to_string(token_of(doc)));
  auto connection = pool_.acquire();
  if (!connection) {
    return format::error(Errc::io_error, format::describe(doc) + ": " + connection.error().message);
  }
  auto reply = eval(*connection, doc, script, keys, args);
  if (!reply || options_.replicas == 0) return reply;
  const std::string timeout = std::to_string(options_.replica_timeout.count());
  auto waited = connection->run({"WAIT", std::to_string(options_.replicas), timeout});
  if (!waited) {
    return format::error(Errc::io_error, format::describe(doc) + ": " + waited.error().message);
  }
  if (waited->type != RedisReply::Type::integer ||
      waited->integer < static_cast<std::int64_t>(options_.replicas)) {
    return format::error(Errc::io_error,
                         format::describe(doc) + ": the write reached " +
                             std::to_string(waited->integer) + " of " +
                             std::to_string(options_.replicas) + " replicas within " + timeout +
                             " ms (it is on the primary and may or may not survive a failover)" +
                             (waited->is_error() ? ": " + waited->str : ""));
  }
  return reply;
}

std::uint64_t RedisStore::token_of(std::string_view doc) {
  const std::lock_guard lock(fences_mu_);
  const auto it = fences_.find(std::string(doc));
  return it == fences_.end() ? 0 : it->second;
}

Result<void> RedisStore::set_fence(std::string_view doc, std::uint64_t token) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  auto connection = pool_.acquire();
  if (!connection) {
    return format::error(Errc::io_error, format::describe(doc) + ": " + connection.error().message);
  }
  auto raised =
      eval(*connection, doc, Id::set_fence, {redis_keys::head(doc)}, {std::to_string(token)});
  if (!raised) return tl::unexpected(std::move(raised.error()));
  const std::lock_guard lock(fences_mu_);
  std::uint64_t& held = fences_[std::string(doc)];
  held = std::max(held, token);
  return {};
}

Result<void> RedisStore::create(const proto::DocumentMeta& meta) {
  if (!is_valid_document_id(meta.id)) {
    return format::error(Errc::bad_document_id, format::describe(meta.id) + ": bad id");
  }
  auto done = write(meta.id, Id::create, {redis_keys::head(meta.id), redis_keys::documents()},
                    {format::seal(proto::encode(meta)), random_generation(), meta.id});
  if (!done) return tl::unexpected(std::move(done.error()));
  return {};
}

Result<void> RedisStore::update_meta(const proto::DocumentMeta& meta) {
  if (!is_valid_document_id(meta.id)) {
    return format::error(Errc::bad_document_id, format::describe(meta.id) + ": bad id");
  }
  auto done =
      write(meta.id, Id::update_meta, {redis_keys::head(meta.id)}, {format::seal(encode(meta))});
  if (!done) return tl::unexpected(std::move(done.error()));
  return {};
}

Result<void> RedisStore::append(std::string_view doc, std::span<const proto::OpRecord> records) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  if (records.empty()) {
    // Nothing to write; answer whether the document exists, as an append would.
    auto read = read_log(doc, 0, 0);
    if (!read) return tl::unexpected(std::move(read.error()));
    return {};
  }
  const std::uint64_t first = records.front().index;
  std::vector<std::string> args{std::to_string(first)};
  args.reserve(records.size() + 1);
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].index != first + i) {
      return format::error(Errc::index_gap, format::describe(doc) + ": records not dense at " +
                                                std::to_string(records[i].index));
    }
    args.push_back(format::seal(proto::encode(records[i])));
  }
  auto done =
      write(doc, Id::append, {redis_keys::head(doc), redis_keys::log(doc)}, std::move(args));
  if (!done) return tl::unexpected(std::move(done.error()));
  if (done->elements.size() == 2) {
    compact_log(doc, static_cast<std::uint64_t>(done->elements[0].integer),
                static_cast<std::uint64_t>(done->elements[1].integer));
  }
  return {};
}

Result<void> RedisStore::write_snapshot(std::string_view doc,
                                        const proto::SnapshotRecord& snapshot) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  auto done = write(doc, Id::snapshot, {redis_keys::head(doc), redis_keys::snaps(doc)},
                    {std::to_string(snapshot.log_index), format::seal(proto::encode(snapshot)),
                     std::to_string(options_.keep_snapshots)});
  if (!done) return tl::unexpected(std::move(done.error()));
  return {};
}

Result<void> RedisStore::remove(std::string_view doc) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  auto done = write(doc, Id::remove,
                    {redis_keys::head(doc), redis_keys::log(doc), redis_keys::chunks(doc),
                     redis_keys::snaps(doc), redis_keys::versions(doc), redis_keys::documents()},
                    {std::string(doc)});
  if (!done) return tl::unexpected(std::move(done.error()));
  return {};
}

Result<void> RedisStore::put_version(std::string_view doc, const proto::NamedVersion& version) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  if (!proto::is_valid_version_name(version.name)) {
    return format::error(Errc::bad_version_name, format::describe(doc) + ": bad version name");
  }
  // The script checks, atomically with the write, what format::check_new_version() checks.
  auto done = write(doc, Id::put_version, {redis_keys::head(doc), redis_keys::versions(doc)},
                    {version.name, std::to_string(version.at), format::seal(proto::encode(version)),
                     std::to_string(max_named_versions)});
  if (!done) return tl::unexpected(std::move(done.error()));
  return {};
}

Result<void> RedisStore::remove_version(std::string_view doc, std::string_view name) {
  if (!is_valid_document_id(doc)) {
    return format::error(Errc::bad_document_id, format::describe(doc) + ": bad id");
  }
  auto done = write(doc, Id::remove_version, {redis_keys::head(doc), redis_keys::versions(doc)},
                    {std::string(name)});
  if (!done) return tl::unexpected(std::move(done.error()));
  return {};
}

}  // namespace weft::storage
