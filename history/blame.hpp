// blame.hpp — who wrote each character of a version, in runs (docs/http-api.md, blame).
//
// A run is a maximal stretch of positions inserted by one replica in records that follow one
// another in that replica's typing: the same record, or that replica's next record (weft-replay
// blame's rule, counted among the replica's own records so that another user's records in between
// do not split it).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "history/history_index.hpp"

namespace weft::history {

struct BlameRun {
  std::uint64_t from = 0;
  std::uint64_t to = 0;  // exclusive
  std::string text;
  std::uint32_t user = 0;  // HistoryIndex::user()
  crdt::ReplicaId replica = 0;
  std::uint64_t first_op = 0;  // record that inserted the first character
  std::uint64_t last_op = 0;   // ... and the last
  std::int64_t first_us = 0;
  std::int64_t last_us = 0;
};

// The runs covering positions [from, to) of version `at`, exactly.
// Requires: at <= index.ops(), from <= to <= index.length_at(at).
[[nodiscard]] std::vector<BlameRun> blame(const HistoryIndex& index, std::uint64_t at,
                                          std::uint64_t from, std::uint64_t to);

}  // namespace weft::history
