// cmd_blame.cpp — blame: which op (and so which user and replica) wrote each surviving character.
#include <cinttypes>
#include <cstdio>
#include <map>
#include <string>
#include <variant>

#include "tools/replay/commands.hpp"
#include "tools/replay/format.hpp"

namespace weft::replay {
namespace {

struct Origin {
  std::uint64_t len = 0;  // elements the insert made: (replica, seq) .. (replica, seq + len - 1)
  std::uint64_t index = 0;
  std::string user;
};

// A stretch of positions typed in one go: one replica, ops in order without gaps.
struct Stretch {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;  // exclusive
  crdt::ReplicaId replica = 0;
  const Origin* first = nullptr;
  const Origin* last = nullptr;
};

}  // namespace

int cmd_blame(Context& ctx, const Parsed& parsed) {
  const std::string& doc = parsed.args[0];
  const auto at = index_option(parsed, "--at", UINT64_MAX - 1);
  if (!at) return exit_usage;
  auto count = op_count(ctx, doc);
  if (!count) return report(count.error());
  const std::uint64_t upto = *count == 0 ? 0 : std::min(*count, *at + 1);

  std::map<crdt::Id, Origin> origins;  // by the first element id of each insert
  auto scanned = for_each_record(ctx, doc, 0, upto, [&](const proto::OpRecord& r) {
    if (const auto* ins = std::get_if<crdt::InsertOp>(&r.op)) {
      origins[{ins->replica, ins->seq}] = {crdt::op_len(r.op), r.index, r.user_id};
    }
    return true;
  });
  if (!scanned) return report(scanned.error());
  auto walker = walker_at(ctx, doc, upto);
  if (!walker) return report(walker.error());

  const Origin unknown{0, 0, "?"};
  Output out{true, ctx.allow_pager};
  const auto emit = [&](const Stretch& s) {
    char head[200];
    const auto span = [](std::uint64_t a, std::uint64_t b) {
      return a == b ? std::to_string(a) : std::to_string(a) + "-" + std::to_string(b);
    };
    std::snprintf(head, sizeof head, "%-15s ops %-15s %-12s r%-4" PRIu64 " ",
                  span(s.begin, s.end - 1).c_str(), span(s.first->index, s.last->index).c_str(),
                  s.first->user.c_str(), s.replica);
    const std::string preview =
        walker->text().substr(s.begin, std::min<std::uint64_t>(s.end - s.begin, 41));
    std::string line = head;
    line.append(1, '"').append(escape_preview(preview, 40)).append(1, '"');
    out.line(line);
  };
  std::optional<Stretch> current;
  std::uint64_t pos = 0;
  for (const crdt::ElementRun& run : walker->rga().runs()) {
    if (run.deleted) continue;
    auto it = origins.end();
    for (std::uint64_t k = 0; k < run.len; ++k, ++pos) {
      const crdt::Id id{run.replica, run.seq + k};
      if (it == origins.end() || it->first.replica != id.replica ||
          id.seq >= it->first.seq + it->second.len) {
        it = origins.upper_bound(id);
        if (it != origins.begin()) --it;
        if (it != origins.end() &&
            (it->first.replica != id.replica || id.seq >= it->first.seq + it->second.len)) {
          it = origins.end();
        }
      }
      const Origin* origin = it == origins.end() ? &unknown : &it->second;
      const bool extends = current && current->replica == id.replica &&
                           (origin == current->last || origin->index == current->last->index + 1);
      if (!extends) {
        if (current) emit(*current);
        current = Stretch{pos, pos, id.replica, origin, origin};
      }
      current->end = pos + 1;
      current->last = origin;
    }
  }
  if (current) emit(*current);
  return exit_ok;
}

}  // namespace weft::replay
