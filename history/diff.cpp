// diff.cpp — one pass over every element, classified by its visibility in the two versions.
#include "history/diff.hpp"

namespace weft::history {

std::vector<DiffSegment> diff(const HistoryIndex& index, std::uint64_t from, std::uint64_t to) {
  const auto& rows = index.records();
  const bool forward = from <= to;
  std::vector<DiffSegment> segments;
  for (const Element& e : index.elements()) {
    const bool in_from = e.is_visible_at(from);
    const bool in_to = e.is_visible_at(to);
    if (!in_from && !in_to) continue;
    DiffSegment next;
    if (in_from && in_to) {
      next.kind = SegmentKind::keep;
    } else if (in_from) {
      next.kind = SegmentKind::erase;
      next.user = rows[forward ? e.del : e.ins].user;
    } else {
      next.kind = SegmentKind::insert;
      next.user = rows[forward ? e.ins : e.del].user;
    }
    if (segments.empty() || segments.back().kind != next.kind ||
        segments.back().user != next.user) {
      segments.push_back(std::move(next));
    }
    append_utf8(segments.back().text, e.ch);
  }
  return segments;
}

}  // namespace weft::history
