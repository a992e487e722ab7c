// history.cpp — what the commands share: error reporting and walks over a document's log.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include "tools/replay/commands.hpp"
#include "tools/replay/format.hpp"

namespace weft::replay {
namespace {

constexpr std::uint64_t chunk = 16384;

storage::StoreError replica_error(std::string_view doc, std::uint64_t index,
                                  const std::error_code& ec) {
  return {storage::make_error_code(storage::Errc::corrupt),
          "document '" + std::string{doc} + "': snapshot at log index " + std::to_string(index) +
              " does not load: " + ec.message()};
}

// A record the replica did not apply: every state after it would be wrong, so walks stop there.
storage::StoreError unapplied_error(std::string_view doc, std::uint64_t index,
                                    const crdt::ApplyResult& result) {
  const std::string why = result.status == crdt::ApplyStatus::buffered
                              ? "it depends on an op that is not in the log before it"
                              : "the op is rejected: " + result.error.message();
  return {storage::make_error_code(storage::Errc::corrupt),
          "document '" + std::string{doc} + "': log record " + std::to_string(index) +
              " cannot be applied: " + why};
}

}  // namespace

int report(const storage::StoreError& error) {
  const std::string why = error.code.message();
  if (error.message.find(why) == std::string::npos) {
    std::fprintf(stderr, "weft-replay: %s: %s\n", error.message.c_str(), why.c_str());
  } else {
    std::fprintf(stderr, "weft-replay: %s\n", error.message.c_str());
  }
  if (error.code == storage::Errc::not_found || error.code == storage::Errc::bad_document_id) {
    return exit_unknown_document;
  }
  if (error.code == storage::Errc::corrupt) return exit_damaged;
  return exit_failed;
}

std::optional<std::uint64_t> index_option(const Parsed& parsed, std::string_view name,
                                          std::uint64_t fallback) {
  const auto value = parsed.get(name);
  if (!value) return fallback;
  const auto index = parse_index(*value);
  if (!index) {
    usage_error(std::string{name} + " needs a non-negative integer, not '" + *value + "'",
                parsed.spec);
  }
  return index;
}

storage::Result<std::uint64_t> op_count(const Context& ctx, std::string_view doc) {
  auto loaded = ctx.store.load(doc);
  if (!loaded) return tl::unexpected(std::move(loaded.error()));
  return loaded->next_index;
}

storage::Result<void> for_each_record(const Context& ctx, std::string_view doc, std::uint64_t from,
                                      std::uint64_t to,
                                      const std::function<bool(const proto::OpRecord&)>& visit) {
  for (std::uint64_t at = from; at < to;) {
    const std::uint64_t end = std::min(to, at + chunk);
    auto records = ctx.store.read_log(doc, at, end);
    if (!records) return tl::unexpected(std::move(records.error()));
    if (records->empty()) break;
    for (const proto::OpRecord& record : *records) {
      if (!visit(record)) return {};
    }
    at += records->size();
  }
  return {};
}

storage::Result<Walker> walker_at(const Context& ctx, std::string_view doc, std::uint64_t first) {
  Walker walker;
  if (ctx.use_snapshots && first > 0) {
    auto snapshots = ctx.store.read_snapshots(doc);
    if (!snapshots) return tl::unexpected(std::move(snapshots.error()));
    const proto::SnapshotRecord* best = nullptr;
    for (const proto::SnapshotRecord& s : *snapshots) {
      if (s.log_index <= first && (best == nullptr || s.log_index > best->log_index)) best = &s;
    }
    if (best != nullptr) {
      auto from = Walker::from_snapshot(*best);
      if (!from) return tl::unexpected(replica_error(doc, best->log_index, from.error()));
      walker = std::move(*from);
    }
  }
  std::optional<storage::StoreError> refused;
  auto replayed =
      for_each_record(ctx, doc, walker.next_index(), first, [&](const proto::OpRecord& record) {
        const crdt::ApplyResult result = walker.skip(record);
        if (result.status == crdt::ApplyStatus::applied ||
            result.status == crdt::ApplyStatus::duplicate) {
          return true;
        }
        refused = unapplied_error(doc, record.index, result);
        return false;
      });
  if (!replayed) return tl::unexpected(std::move(replayed.error()));
  if (refused) return tl::unexpected(std::move(*refused));
  return walker;
}

}  // namespace weft::replay
