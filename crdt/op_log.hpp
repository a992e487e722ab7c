// op_log.hpp — every integrated op unit of a replica, by local version (LV), run-length encoded.
//
// Each inserted element gets the next LV when it is integrated; a delete op's units share one LV
// (its entry's), or none when they continue the replica's previous delete entry, so deletes cost
// LVs by op, never by the (possibly dead or repeated) units they name. LV order is integration
// order, which is causal. The log answers, for any LV: which replica,
// seq and lamport it has, which op made it (its parent, its text or its targets); and for any
// (replica, seq): its LV. It is the source of keys for the content tree and of ops_since().
//
// Invariants (check()):
//   1. Entries are sorted by LV and tile [0, size()) without gaps; an erase entry spans one LV.
//   2. Within an entry, unit k has seq + k and lamport + k; per replica, entries are sorted by seq
//      and do not overlap, and lamports increase with seq. Every erase entry, and every entry that
//      follows one of its replica, is a break (ReplicaInfo::breaks).
//   3. Non-ASCII insert entries hold at most max_utf8_entry code points, so finding a code point's
//      bytes costs O(1) for ASCII entries and a bounded scan otherwise.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crdt/types.hpp"

namespace weft::crdt::detail {

using Lv = std::uint32_t;
inline constexpr Lv no_lv = 0xFFFFFFFFu;
// The log holds fewer LVs than this (Errc::document_too_large beyond).
inline constexpr std::uint64_t max_units = 0xF0000000u;
// Units of one erase entry at most: consecutive deletes of a replica join it up to this many.
inline constexpr std::uint32_t max_erase_entry_units = 0x80000000u;
inline constexpr std::uint32_t max_utf8_entry = 64;

enum class EntryKind : std::uint8_t {
  insert,    // elements of an insert op
  erase,     // units of a delete op
  restored,  // elements loaded from a snapshot: no parent, text only while live
};

struct Entry {
  Seq seq = 0;
  Lamport lamport = 0;
  Lv lv = 0;
  std::uint32_t meta = 0;  // bits 0..27 replica index, 28..29 EntryKind, 30 non-ASCII text
  // insert: parent LV + 1 (0 = ROOT); erase: index of its first target in targets().
  std::uint32_t aux = 0;
  // insert and restored: byte offset of unit 0's text in the text arena (no_lv if none);
  // erase: the entry's number of units (its LV span is 1).
  std::uint32_t text = 0;

  [[nodiscard]] std::uint32_t replica_ix() const { return meta & 0x0FFFFFFFu; }
  [[nodiscard]] EntryKind kind() const { return static_cast<EntryKind>((meta >> 28) & 3u); }
  [[nodiscard]] bool ascii() const { return (meta & (1u << 30)) == 0; }
  [[nodiscard]] bool is_element() const { return kind() != EntryKind::erase; }
  static std::uint32_t make_meta(std::uint32_t replica_ix, EntryKind kind, bool ascii) {
    return replica_ix | (static_cast<std::uint32_t>(kind) << 28) | (ascii ? 0u : 1u << 30);
  }
};
// Replicas per document are limited by the meta bits.
inline constexpr std::uint32_t max_replicas = 0x0FFFFFFFu;

// A range of LVs: the form delete targets take inside the replica.
struct LvRange {
  Lv lv = 0;
  std::uint32_t len = 0;
};

// A stored delete target: LVs [lv, lv + len) walked upward, or downward for a run of backspaces
// (unit j then targets lv + len - 1 - j). The order of units matters: a peer trims a resent
// delete by dropping its first units, so ops_since() must list targets in their original order.
struct StoredTarget {
  Lv lv = 0;
  std::uint32_t len_down = 0;  // bit 31: downward; bits 0..30: length

  static constexpr std::uint32_t down_bit = 0x80000000u;
  [[nodiscard]] std::uint32_t len() const { return len_down & ~down_bit; }
  [[nodiscard]] bool downward() const { return (len_down & down_bit) != 0; }
  // LV of the unit at `index` in target order.
  [[nodiscard]] Lv unit(std::uint32_t index) const {
    return downward() ? lv + len() - 1 - index : lv + index;
  }
};

struct ReplicaInfo {
  ReplicaId id = 0;
  Seq next_seq = 0;
  Lamport last_lamport = 0;
  Seq history_from = 0;  // units below this seq came from a snapshot
  // Entries of this replica, ascending seq, that do not continue the replica's previous entry
  // in both seq and LV. Between two of them the replica's units are gapless in seq and LV, so
  // (replica, seq) -> LV is a binary search plus an addition; a replica that edits alone has one.
  std::vector<std::uint32_t> breaks;
  std::uint32_t last_entry = no_lv;  // its newest entry
};

// Where a (replica, seq) stands.
struct UnitRef {
  enum class State : std::uint8_t { unseen, element, delete_unit } state = State::unseen;
  Lv lv = no_lv;            // element or delete unit in the log
  std::uint32_t entry = 0;  // its entry
};

class OpLog {
 public:
  [[nodiscard]] Lv size() const { return size_; }
  [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }
  [[nodiscard]] const std::vector<StoredTarget>& targets() const { return targets_; }
  // LVs of entry e (1 for an erase entry).
  [[nodiscard]] std::uint32_t entry_len(std::uint32_t e) const {
    return (e + 1 < entries_.size() ? entries_[e + 1].lv : size_) - entries_[e].lv;
  }
  // Op units (seqs) of entry e: its LVs for elements, its delete units for an erase entry.
  [[nodiscard]] std::uint32_t entry_units(std::uint32_t e) const {
    const Entry& entry = entries_[e];
    return entry.kind() == EntryKind::erase ? entry.text : entry_len(e);
  }
  // Index of the entry holding lv. Requires: lv < size().
  [[nodiscard]] std::uint32_t entry_of(Lv lv) const;

  [[nodiscard]] std::uint32_t replica_count() const {
    return static_cast<std::uint32_t>(replicas_.size());
  }
  [[nodiscard]] const ReplicaInfo& replica(std::uint32_t ix) const { return replicas_[ix]; }
  [[nodiscard]] ReplicaInfo& replica(std::uint32_t ix) { return replicas_[ix]; }
  [[nodiscard]] std::optional<std::uint32_t> find_replica(ReplicaId id) const;
  std::uint32_t intern_replica(ReplicaId id);

  [[nodiscard]] Seq next_seq(ReplicaId id) const {
    const auto ix = find_replica(id);
    return ix ? replicas_[*ix].next_seq : 0;
  }
  [[nodiscard]] UnitRef find_unit(Id id) const;
  [[nodiscard]] Id id_of(Lv lv) const;
  [[nodiscard]] Key key_of(Lv lv) const;

  // Appends n insert elements; parent_lv is no_lv for ROOT. Returns the first new LV.
  // Requires: text is valid UTF-8 of n code points; seq == next_seq of the replica.
  Lv append_insert(std::uint32_t replica_ix, Seq seq, Lamport lamport, Lv parent_lv,
                   std::string_view text, std::uint32_t n);
  // Appends a delete op of n units with the given targets (sum of lens == n). Returns the LVs it
  // used: 1 (a new entry at the old size()), or 0 when it joined the previous erase entry.
  [[nodiscard]] std::uint32_t append_erase(std::uint32_t replica_ix, Seq seq, Lamport lamport,
                                           const LvRange* targets, std::size_t target_count,
                                           std::uint32_t n);
  // Appends elements restored from a snapshot (text empty for deleted runs).
  Lv append_restored(std::uint32_t replica_ix, Seq seq, Lamport lamport, std::string_view text,
                     std::uint32_t n);
  // After append_restored() calls: indexes the restored entries by seq and checks that no two
  // share an id and that lamports grow with seq within each replica. False if they do not.
  [[nodiscard]] bool finish_restore();

  // The UTF-8 of elements [lv, lv + n) appended to out. Requires: all of them have text.
  void append_text(Lv lv, std::uint32_t n, std::string& out) const;
  // Bytes of the text of elements [lv, lv + n) within one entry.
  [[nodiscard]] std::string_view entry_text(std::uint32_t e, std::uint32_t from,
                                            std::uint32_t n) const;

  [[nodiscard]] std::size_t memory_bytes() const;
  void check() const;

 private:
  void push_entry(const Entry& e);

  std::vector<Entry> entries_;
  std::vector<StoredTarget> targets_;
  std::string text_;
  std::vector<ReplicaInfo> replicas_;
  std::unordered_map<ReplicaId, std::uint32_t> replica_ix_;
  Lv size_ = 0;
  mutable std::uint32_t hint_ = 0;  // last entry found by entry_of(): scans are sequential
  // The last two replicas find_replica() looked up in replica_ix_, newest first.
  mutable std::array<std::uint32_t, 2> replica_hints_{};
};

}  // namespace weft::crdt::detail
