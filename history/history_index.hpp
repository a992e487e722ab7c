// history_index.hpp — HistoryIndex: one document's whole history, kept so that every history read
// (text at a version, timeline, blame, diff) is one pass over arrays instead of a replay.
//
// It holds the latest replica, every element ever inserted with the log record that inserted it
// and the first one that deleted it, and a compact row per record. RGA never reorders elements,
// so the latest replica's element order is the document order of every version: version N is the
// elements with ins < N and (del == never or del >= N), in that order.
//
// Invariants:
//   1. Records [0, ops()) were applied in log order; extend() continues at ops().
//   2. Every element of the replica has ins < ops(); del is the first record that named it.
//   3. elements() lists every element of the replica, in document order.
// Not thread-safe: HistoryCache hands one index to one reader at a time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crdt/rga.hpp"
#include "proto/records.hpp"
#include "storage/document_store.hpp"

namespace weft::history {

inline constexpr std::uint32_t never = UINT32_MAX;

// One log record, as history needs it.
struct RecordRow {
  std::int64_t time_us = 0;
  std::uint32_t user = 0;       // index into HistoryIndex::user()
  crdt::ReplicaId replica = 0;  // the op's author
  std::uint32_t ordinal = 0;    // this record's place among its replica's records
  std::uint32_t inserted = 0;   // code points its insert carried
  std::uint32_t deleted = 0;    // code points its delete named
};

// One element (code point) ever inserted.
struct Element {
  char32_t ch = 0;
  std::uint32_t ins = never;  // the record that inserted it
  std::uint32_t del = never;  // the first record that deleted it, or never
  [[nodiscard]] bool is_visible_at(std::uint64_t version) const {
    return ins < version && (del == never || del >= version);
  }
};

class HistoryIndex {
 public:
  // Logs longer than this are refused (indexes are 32-bit).
  static constexpr std::uint64_t max_records = never - 1;

  explicit HistoryIndex(std::string doc = {}) : doc_(std::move(doc)) {}

  // Applies records ops(), ops() + 1, ...: Errc::corrupt if one does not continue the log or does
  // not integrate (nothing of the failing record is kept, but the index must then be dropped).
  [[nodiscard]] storage::Result<void> extend(std::span<const proto::OpRecord> records);

  [[nodiscard]] std::uint64_t ops() const { return rows_.size(); }
  [[nodiscard]] const std::vector<RecordRow>& records() const { return rows_; }
  [[nodiscard]] const std::string& user(std::uint32_t id) const { return users_[id]; }
  [[nodiscard]] std::size_t user_count() const { return users_.size(); }

  // Every element, in document order. Rebuilt on the first call after extend().
  [[nodiscard]] const std::vector<Element>& elements() const;

  // The longest version whose records all have server time <= t.
  [[nodiscard]] std::uint64_t version_at_time(std::int64_t t) const;
  // The text of version n (UTF-8). Requires: n <= ops().
  [[nodiscard]] std::string text_at(std::uint64_t n) const;
  // Code points of version n. Requires: n <= ops().
  [[nodiscard]] std::uint64_t length_at(std::uint64_t n) const;

  // Approximate heap bytes held.
  [[nodiscard]] std::size_t memory_bytes() const;

 private:
  // A replica's units (inserted elements and the seqs its deletes used) by seq - base.
  struct ReplicaUnits {
    crdt::Seq base = 0;
    std::vector<Element> units;
    std::uint32_t records = 0;
  };

  [[nodiscard]] storage::Result<void> apply(const proto::OpRecord& record);
  // The units of `replica` covering seq .. seq + len - 1, grown as needed; nullptr if that would
  // exceed the sanity bound.
  [[nodiscard]] Element* units(crdt::ReplicaId replica, crdt::Seq seq, std::uint64_t len);
  [[nodiscard]] std::uint32_t intern(const std::string& user);

  std::string doc_;
  crdt::Rga rga_;
  std::vector<RecordRow> rows_;
  std::vector<std::int64_t> max_time_;  // running maximum of rows_[..i].time_us
  std::vector<std::string> users_;
  std::unordered_map<std::string, std::uint32_t> user_ids_;
  std::unordered_map<crdt::ReplicaId, ReplicaUnits> replicas_;
  mutable std::vector<Element> elements_;
  mutable bool elements_stale_ = false;
};

// Appends code point `cp` to `out` as UTF-8.
void append_utf8(std::string& out, char32_t cp);

}  // namespace weft::history
