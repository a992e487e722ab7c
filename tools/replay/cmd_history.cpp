// cmd_history.cpp — log and step: the history of a document, op by op.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <variant>

#include "tools/replay/commands.hpp"
#include "tools/replay/format.hpp"

namespace weft::replay {
namespace {

std::string_view status_note(const Step& step) {
  switch (step.status) {
    case crdt::ApplyStatus::applied:
      return step.resynced ? " (integrated with others)" : "";
    case crdt::ApplyStatus::duplicate:
      return " (duplicate: no change)";
    case crdt::ApplyStatus::buffered:
      return " (buffered: waits for an earlier op)";
    case crdt::ApplyStatus::rejected:
      return " (REJECTED)";
  }
  return "";
}

// "    57  2024-05-01T12:34:56.789012Z  alice  r1  insert @12  \"abc\""
std::string log_line(const proto::OpRecord& record, const Step& step) {
  const bool insert = std::holds_alternative<crdt::InsertOp>(record.op);
  std::string text;
  if (insert) {
    text = std::get<crdt::InsertOp>(record.op).text;
  } else {
    for (auto it = step.splices.rbegin(); it != step.splices.rend(); ++it) text += it->deleted;
  }
  char head[160];
  std::snprintf(head, sizeof head, "%8" PRIu64 "  %s  %s  r%" PRIu64 "  %s @", record.index,
                format_time(record.server_time_us).c_str(), record.user_id.c_str(),
                crdt::op_replica(record.op), insert ? "insert" : "delete");
  std::string line = head;
  line += step.positions.empty() ? "-" : format_positions(step.positions);
  line += "  " + quote(text);
  line += status_note(step);
  if (step.status == crdt::ApplyStatus::rejected) line += ": " + step.error.message();
  return line;
}

struct Range {
  std::uint64_t first = 0;
  std::uint64_t end = 0;  // exclusive
};

// --from N / --to M (inclusive; default the whole log), parsed before the store is read so that
// bad arguments are reported as such; nullopt after printing a usage error.
std::optional<Range> range_options(const Parsed& parsed) {
  const auto from = index_option(parsed, "--from", 0);
  const auto to = index_option(parsed, "--to", UINT64_MAX - 1);
  if (!from || !to) return std::nullopt;
  if (*from > *to) {
    usage_error("--from is after --to", parsed.spec);
    return std::nullopt;
  }
  return Range{*from, *to + 1};
}

}  // namespace

int cmd_log(Context& ctx, const Parsed& parsed) {
  const std::string& doc = parsed.args[0];
  auto range = range_options(parsed);
  if (!range) return exit_usage;
  auto count = op_count(ctx, doc);
  if (!count) return report(count.error());
  range->end = std::min(range->end, *count);
  auto walker = walker_at(ctx, doc, range->first);
  if (!walker) return report(walker.error());
  Output out{true, ctx.allow_pager};
  auto walked = for_each_record(ctx, doc, range->first, range->end, [&](const auto& record) {
    out.line(log_line(record, walker->apply(record)));
    return out.ok();
  });
  return walked ? exit_ok : report(walked.error());
}

int cmd_step(Context& ctx, const Parsed& parsed) {
  const std::string& doc = parsed.args[0];
  auto range = range_options(parsed);
  const auto context = index_option(parsed, "--context", 20);
  if (!range || !context) return exit_usage;
  auto count = op_count(ctx, doc);
  if (!count) return report(count.error());
  range->end = std::min(range->end, *count);
  auto walker = walker_at(ctx, doc, range->first);
  if (!walker) return report(walker.error());
  walker->set_context(*context);
  Output out{true, ctx.allow_pager};
  auto walked = for_each_record(ctx, doc, range->first, range->end, [&](const auto& record) {
    const Step step = walker->apply(record);
    out.line(log_line(record, step));
    // Deletes of scattered characters come in descending order; show them top to bottom.
    for (auto it = step.splices.rbegin(); it != step.splices.rend(); ++it) {
      std::string view = "          " + std::to_string(it->pos) + ": ";
      view += escape_preview(it->before, UINT64_MAX);
      if (!it->deleted.empty())
        view.append("[-").append(escape_preview(it->deleted, 200)).append("-]");
      if (!it->inserted.empty())
        view.append("{+").append(escape_preview(it->inserted, 200)).append("+}");
      view += escape_preview(it->after, UINT64_MAX);
      out.line(view);
    }
    return out.ok();
  });
  return walked ? exit_ok : report(walked.error());
}

}  // namespace weft::replay
