// cmd_inspect.cpp — list, info and text: what the documents are and what they say.
#include <cinttypes>
#include <cstdio>
#include <string>

#include "tools/replay/commands.hpp"
#include "tools/replay/format.hpp"

namespace weft::replay {
namespace {

template <class... A>
std::string printf_string(const char* format, A... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

}  // namespace

int cmd_list(Context& ctx, const Parsed& /*parsed*/) {
  auto docs = ctx.store.list();
  if (!docs) return report(docs.error());
  Output out{true, ctx.allow_pager};
  out.line(printf_string("%-32s %10s %12s  %s", "DOCUMENT", "OPS", "BYTES", "LAST CHANGE (UTC)"));
  for (const storage::DocumentSummary& d : *docs) {
    out.line(printf_string("%-32s %10" PRIu64 " %12" PRIu64 "  %s", d.id.c_str(), d.op_count,
                           d.bytes, format_time(d.last_change_us).c_str()));
  }
  return exit_ok;
}

int cmd_info(Context& ctx, const Parsed& parsed) {
  const std::string& doc = parsed.args[0];
  auto loaded = ctx.store.load(doc);
  if (!loaded) return report(loaded.error());
  auto snapshots = ctx.store.read_snapshots(doc);
  if (!snapshots) return report(snapshots.error());
  auto walker = walker_at(ctx, doc, loaded->next_index);
  if (!walker) return report(walker.error());
  const proto::DocumentMeta& meta = loaded->meta;
  Output out{true, ctx.allow_pager};
  out.line("document   " + meta.id);
  out.line("created    " + format_time(meta.created_us));
  out.line(printf_string("epoch      %016" PRIx64, meta.epoch));
  out.line(printf_string("algorithm  %" PRIu32, meta.algo));
  out.line(printf_string("ops        %" PRIu64, loaded->next_index));
  out.line(printf_string("length     %" PRIu64 " code points", walker->rga().length()));
  out.line(printf_string("clock      %" PRIu64, walker->rga().clock()));
  out.line("replicas");
  for (const proto::ReplicaEntry& r : meta.replicas) {
    out.line(printf_string("  %-8" PRIu64 " user %-16s %-20s first seen %s", r.replica,
                           quote(r.user_id).c_str(), quote(r.display_name).c_str(),
                           format_time(r.first_seen_us).c_str()));
  }
  out.line("version vector");
  const crdt::VersionVector version = walker->rga().version();
  for (const auto& e : version.entries()) {
    out.line(printf_string("  %-8" PRIu64 " next seq %" PRIu64, e.replica, e.next_seq));
  }
  out.line(printf_string("snapshots  %zu", snapshots->size()));
  for (const proto::SnapshotRecord& s : *snapshots) {
    out.line(printf_string("  at op %-10" PRIu64 " created %s  %zu runs, %zu bytes of text",
                           s.log_index, format_time(s.created_us).c_str(), s.state.runs.size(),
                           s.state.text.size()));
  }
  return exit_ok;
}

int cmd_text(Context& ctx, const Parsed& parsed) {
  const std::string& doc = parsed.args[0];
  if (parsed.has("--at") && parsed.has("--time")) {
    return usage_error("text takes --at or --time, not both", parsed.spec);
  }
  const auto at = index_option(parsed, "--at", 0);
  if (!at) return exit_usage;
  const auto time = parsed.get("--time");
  const auto t = time ? parse_time(*time) : std::optional<std::int64_t>{0};
  if (!t) return usage_error("--time needs ISO 8601 UTC or microseconds: " + *time, parsed.spec);
  auto count = op_count(ctx, doc);
  if (!count) return report(count.error());
  std::uint64_t upto = *count;  // records [0, upto) applied
  if (parsed.has("--at")) {
    if (*at >= *count) {
      std::fprintf(stderr, "weft-replay: document '%s' has %" PRIu64 " ops (0..%" PRIu64 ")\n",
                   doc.c_str(), *count, *count == 0 ? 0 : *count - 1);
      return exit_usage;
    }
    upto = *at + 1;
  } else if (time) {
    // Server times grow with the index, so the state at T is a prefix of the log.
    upto = 0;
    auto scanned = for_each_record(ctx, doc, 0, *count, [&](const proto::OpRecord& r) {
      if (r.server_time_us > *t) return false;
      upto = r.index + 1;
      return true;
    });
    if (!scanned) return report(scanned.error());
  }
  auto walker = walker_at(ctx, doc, upto);
  if (!walker) return report(walker.error());
  Output out{true, ctx.allow_pager};
  out.write(walker->rga().text());
  return exit_ok;
}

}  // namespace weft::replay
