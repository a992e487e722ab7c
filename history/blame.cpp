// blame.cpp — one pass over the elements of the version, joining neighbours into runs.
#include "history/blame.hpp"

namespace weft::history {

std::vector<BlameRun> blame(const HistoryIndex& index, std::uint64_t at, std::uint64_t from,
                            std::uint64_t to) {
  const auto& rows = index.records();
  std::vector<BlameRun> runs;
  std::uint64_t pos = 0;
  for (const Element& e : index.elements()) {
    if (pos >= to) break;
    if (!e.is_visible_at(at)) continue;
    if (pos++ < from) continue;
    const RecordRow& origin = rows[e.ins];
    BlameRun* current = runs.empty() ? nullptr : &runs.back();
    const bool extends =
        current != nullptr && current->replica == origin.replica &&
        (e.ins == current->last_op || origin.ordinal == rows[current->last_op].ordinal + 1);
    if (!extends) {
      BlameRun run;
      run.from = pos - 1;
      run.user = origin.user;
      run.replica = origin.replica;
      run.first_op = e.ins;
      run.first_us = origin.time_us;
      runs.push_back(std::move(run));
      current = &runs.back();
    }
    current->to = pos;
    current->last_op = e.ins;
    current->last_us = origin.time_us;
    append_utf8(current->text, e.ch);
  }
  return runs;
}

}  // namespace weft::history
