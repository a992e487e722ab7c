// diff.hpp — what changed between two versions, as keep/delete/insert segments in document order
// (docs/http-api.md, diff).
//
// Keep and insert segments joined are the text of `to`; keep and delete segments joined are the
// text of `from`. Neighbouring segments of the same kind and user are one. `user` is who inserted
// (insert) or deleted (delete) the characters going forward; when from > to, what insert shows
// was deleted and what delete shows was inserted, and `user` says who did that.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "history/history_index.hpp"

namespace weft::history {

enum class SegmentKind : std::uint8_t { keep, erase, insert };

struct DiffSegment {
  SegmentKind kind = SegmentKind::keep;
  std::string text;
  std::uint32_t user = never;  // HistoryIndex::user(); never for keep
};

// Requires: from, to <= index.ops().
[[nodiscard]] std::vector<DiffSegment> diff(const HistoryIndex& index, std::uint64_t from,
                                            std::uint64_t to);

}  // namespace weft::history
