// cmd_inspect.cpp — list, info, text and versions: what the documents are and what they say.
#include <algorithm>
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
  if (int{parsed.has("--at")} + int{parsed.has("--time")} + int{parsed.has("--version")} > 1) {
    return usage_error("text takes one of --at, --time and --version", parsed.spec);
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
  } else if (const auto name = parsed.get("--version")) {
    // A named version's `at` counts records applied: exactly what the walk applies.
    auto versions = ctx.store.read_versions(doc);
    if (!versions) return report(versions.error());
    const auto found = std::find_if(versions->begin(), versions->end(),
                                    [&](const proto::NamedVersion& v) { return v.name == *name; });
    if (found == versions->end()) {
      std::fprintf(stderr, "weft-replay: document '%s' has no version named %s\n", doc.c_str(),
                   quote(*name).c_str());
      return exit_failed;
    }
    if (found->at > *count) {
      std::fprintf(stderr,
                   "weft-replay: document '%s': version %s is at %" PRIu64
                   ", past the end of the log (%" PRIu64 " ops)\n",
                   doc.c_str(), quote(*name).c_str(), found->at, *count);
      return exit_damaged;
    }
    upto = found->at;
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

int cmd_versions(Context& ctx, const Parsed& parsed) {
  const std::string& doc = parsed.args[0];
  auto versions = ctx.store.read_versions(doc);
  if (!versions) return report(versions.error());
  Output out{true, ctx.allow_pager};
  out.line(printf_string("%-32s %10s  %-16s  %s", "NAME", "AT", "USER", "CREATED (UTC)"));
  for (const proto::NamedVersion& v : *versions) {
    // Names are up to 200 bytes (more once quoted): padded, never cut.
    std::string name = quote(v.name);
    if (name.size() < 32) name.resize(32, ' ');
    out.line(name + printf_string(" %10" PRIu64 "  %-16s  %s", v.at, quote(v.user_id).c_str(),
                                  format_time(v.created_us).c_str()));
  }
  return exit_ok;
}

}  // namespace weft::replay
