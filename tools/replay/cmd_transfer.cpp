// cmd_transfer.cpp — export (JSON log or editing trace) and import (from an editing trace).
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "bench/trace.hpp"
#include "crdt/utf8.hpp"
#include "storage/snapshot_policy.hpp"
#include "tools/replay/commands.hpp"
#include "tools/replay/format.hpp"
#include "tools/replay/json_log.hpp"

namespace weft::replay {
namespace {

constexpr std::size_t append_batch = 4096;  // records per durable append during import

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One txn per record that changed the text: its splices as [pos, del, text] patches.
std::string trace_txn(const proto::OpRecord& record, const Step& step) {
  std::string out = "{\"time\":\"" + format_time(record.server_time_us) + "\",\"patches\":[";
  for (std::size_t i = 0; i < step.splices.size(); ++i) {
    const Splice& s = step.splices[i];
    const auto del = crdt::utf8::count_code_points(s.deleted).value_or(0);
    out.append(i == 0 ? "[" : ",[").append(std::to_string(s.pos)).append(1, ',');
    out.append(std::to_string(del)).append(1, ',');
    append_json_string(out, s.inserted);
    out.append(1, ']');
  }
  return out.append("]}");
}

// Walks the whole log, writing the JSON log or the editing trace to `out`.
int write_export(Context& ctx, const std::string& doc, bool trace, std::FILE* out) {
  auto loaded = ctx.store.load(doc);
  if (!loaded) return report(loaded.error());
  Walker walker;
  bool first = true;
  const auto put = [&](const std::string& text) { std::fputs(text.c_str(), out); };
  put(trace ? std::string{"{\"startContent\":\"\",\"txns\":[\n"} : log_header(loaded->meta));
  auto walked = for_each_record(ctx, doc, 0, loaded->next_index, [&](const auto& record) {
    if (!trace) {
      put((first ? "" : ",\n") + log_record(record));
      first = false;
      return true;
    }
    const Step step = walker.apply(record);
    if (step.splices.empty()) return true;
    put((first ? "" : ",\n") + trace_txn(record, step));
    first = false;
    return true;
  });
  if (!walked) return report(walked.error());
  if (trace) {
    std::string end = "\n],\n\"endContent\":";
    append_json_string(end, walker.rga().text());
    put(end + "}\n");
  } else {
    put(log_footer());
  }
  if (std::fflush(out) != 0 || std::ferror(out) != 0) {
    std::fprintf(stderr, "weft-replay: export: write failed\n");
    return exit_failed;
  }
  return exit_ok;
}

}  // namespace

int cmd_export(Context& ctx, const Parsed& parsed) {
  const std::string format = parsed.get("--format").value_or("");
  if (format != "json" && format != "trace") {
    return usage_error("export needs --format json or --format trace", parsed.spec);
  }
  if (auto count = op_count(ctx, parsed.args[0]); !count) return report(count.error());
  const auto path = parsed.get("--output");
  if (!path) return write_export(ctx, parsed.args[0], format == "trace", stdout);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{std::fopen(path->c_str(), "wb"),
                                                       &std::fclose};
  if (!file) {
    std::fprintf(stderr, "weft-replay: cannot write %s\n", path->c_str());
    return exit_failed;
  }
  return write_export(ctx, parsed.args[0], format == "trace", file.get());
}

int cmd_import(Context& ctx, const Parsed& parsed) {
  const std::string& path = parsed.args[0];
  const std::string& doc = parsed.args[1];
  const std::string user = parsed.get("--user").value_or("import");
  const auto replica = index_option(parsed, "--replica", 1);
  storage::SnapshotPolicy policy;
  const auto every = index_option(parsed, "--snapshot-every", policy.every_ops);
  if (!replica || !every) return exit_usage;
  policy.every_ops = *every;
  if (*every == 0) policy.every_seconds = 0;
  if (*replica == 0 || *replica >= crdt::id_limit) {
    return usage_error("--replica needs 1 <= R < 2^53", parsed.spec);
  }
  if (!storage::is_valid_document_id(doc)) {
    return usage_error("bad document id '" + doc + "': 1..128 bytes of [A-Za-z0-9._~-]",
                       parsed.spec);
  }
  auto trace = bench::load_trace(path);
  if (!trace) {
    std::fprintf(stderr, "weft-replay: %s\n", trace.error().message.c_str());
    return exit_failed;
  }
  if (trace->kind != bench::TraceKind::sequential) {
    std::fprintf(stderr, "weft-replay: %s is a concurrent trace; import takes sequential ones\n",
                 path.c_str());
    return exit_failed;
  }
  std::uint64_t total = 0;
  for (const bench::Patch& p : trace->patches)
    total += (p.del > 0 ? 1 : 0) + (p.ins.empty() ? 0 : 1);

  // Times end now, 1 ms apart.
  const std::int64_t start = now_us() - static_cast<std::int64_t>(total) * 1000;
  proto::DocumentMeta meta;
  meta.id = doc;
  meta.created_us = start;
  // Epochs travel in join frames: below 2^53 so JS clients read them exactly, never 0.
  meta.epoch = ((std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32)) %
                (crdt::id_limit - 1)) +
               1;
  meta.replicas.push_back({*replica, user, user, start, {}});
  if (auto created = ctx.store.create(meta); !created) return report(created.error());

  crdt::Rga rga{*replica};
  std::vector<proto::OpRecord> pending;
  std::uint64_t next = 0;
  std::uint64_t snapshots = 0;
  std::uint64_t since_snapshot = 0;
  auto last_snapshot = std::chrono::steady_clock::now();
  const auto flush = [&]() -> storage::Result<void> {
    if (pending.empty()) return {};
    auto appended = ctx.store.append(doc, pending);
    pending.clear();
    return appended;
  };
  const auto add = [&](crdt::Op op) -> storage::Result<void> {
    const std::int64_t time = start + static_cast<std::int64_t>(next) * 1000;
    pending.push_back({next++, time, user, std::move(op)});
    ++since_snapshot;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_snapshot).count();
    if (policy.due(since_snapshot, seconds)) {
      if (auto flushed = flush(); !flushed) return flushed;
      auto written = ctx.store.write_snapshot(doc, {1, next, time, rga.snapshot()});
      if (!written) return written;
      ++snapshots;
      since_snapshot = 0;
      last_snapshot = std::chrono::steady_clock::now();
    }
    return pending.size() >= append_batch ? flush() : storage::Result<void>{};
  };
  std::string failure;
  storage::Result<void> written;
  for (std::size_t i = 0; i < trace->patches.size() && written && failure.empty(); ++i) {
    const bench::Patch& p = trace->patches[i];
    if (p.del > 0) {
      auto op = rga.local_delete(p.pos, p.del);
      if (!op) failure = "patch " + std::to_string(i) + ": delete: " + op.error().message();
      if (op) written = add(std::move(*op));
    }
    if (!p.ins.empty() && written && failure.empty()) {
      auto op = rga.local_insert(p.pos, p.ins);
      if (!op) failure = "patch " + std::to_string(i) + ": insert: " + op.error().message();
      if (op) written = add(std::move(*op));
    }
  }
  if (written && failure.empty()) written = flush();
  if (!written || !failure.empty()) {
    (void)ctx.store.remove(doc);
    if (!written) return report(written.error());
    std::fprintf(stderr, "weft-replay: %s: %s (nothing imported)\n", path.c_str(), failure.c_str());
    return exit_failed;
  }
  std::printf("imported %s: %zu patches as %" PRIu64 " ops into '%s' (%" PRIu64
              " snapshots written), %" PRIu64 " code points%s\n",
              trace->name.c_str(), trace->patches.size(), next, doc.c_str(), snapshots,
              rga.length(),
              rga.text() == trace->end_content ? "" : " (NOT the trace's endContent)");
  return exit_ok;
}

}  // namespace weft::replay
