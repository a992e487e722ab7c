// timeline.hpp — a document's log split into editing sessions, and its authors
// (docs/http-api.md, GET /api/docs/{id}/history).
//
// A session is a run of one user's records in which consecutive records of that user are at most
// `gap` seconds apart; sessions of different users may interleave. While there would be more than
// max_sessions, the gap doubles (until it spans the whole log, past which nothing merges more).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "history/history_index.hpp"
#include "proto/records.hpp"

namespace weft::history {

inline constexpr std::size_t max_sessions = 10'000;

struct Session {
  std::uint32_t user = 0;  // HistoryIndex::user()
  std::uint64_t from = 0;  // first record's index
  std::uint64_t to = 0;    // one past the last record's index
  std::uint64_t ops = 0;
  std::int64_t first_us = 0;
  std::int64_t last_us = 0;
  std::uint64_t inserted = 0;
  std::uint64_t deleted = 0;
};

struct Timeline {
  std::uint64_t gap_seconds = 0;  // the gap used (the asked one, doubled while needed)
  std::vector<Session> sessions;  // by from (one record starts at most one session)
};

// Requires: gap_seconds >= 1.
[[nodiscard]] Timeline timeline(const HistoryIndex& index, std::uint64_t gap_seconds);

struct Author {
  std::string user;
  std::string name;  // the display name its newest replica gave ("" if none)
  std::vector<std::uint64_t> replicas;
};

// Every user with a record or a replica, sorted by user id.
[[nodiscard]] std::vector<Author> authors(const proto::DocumentMeta& meta,
                                          const HistoryIndex& index);

}  // namespace weft::history
