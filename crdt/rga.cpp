// rga.cpp — the replica's trees and its local edits (crdt/README.md §6, §13).
#include "crdt/rga.hpp"

#include <algorithm>

#include "crdt/utf8.hpp"

namespace weft::crdt {

using detail::IndexItem;
using detail::Lv;
using detail::LvRange;
using detail::no_lv;
using detail::no_node;
using detail::Span;

Rga::Rga(ReplicaId self, Limits limits) : self_(self), limits_(limits) {}

// ---------------------------------------------------------------------------------------------
// Trees

Rga::Cursor Rga::locate(Lv lv) const {
  // Edits cluster: try the leaf of the previous lookup before descending the index.
  if (locate_hint_ < content_.leaf_count()) {
    const auto& lf = content_.leaf(locate_hint_);
    for (std::uint32_t i = 0; i < lf.count; ++i) {
      const Span& s = lf.items[i];
      if (lv >= s.lv && lv < s.end()) return Cursor{locate_hint_, i, lv - s.lv};
    }
  }
  const auto at = index_.find(lv);
  const std::uint32_t leaf = index_.item(at.leaf, at.idx).leaf;
  WEFT_ASSERT(leaf != no_node);
  const auto& lf = content_.leaf(leaf);
  for (std::uint32_t i = 0; i < lf.count; ++i) {
    const Span& s = lf.items[i];
    if (lv >= s.lv && lv < s.end()) {
      locate_hint_ = leaf;
      return Cursor{leaf, i, lv - s.lv};
    }
  }
  detail::invariant_failed("index names a leaf without the LV", __FILE__, __LINE__);
}

bool Rga::starts_entry(Lv lv) const { return log_.entries()[log_.entry_of(lv)].lv == lv; }

void Rga::index_append(Lv lv, std::uint32_t n, std::uint32_t leaf) {
  (void)lv;  // == index_.total_weight(): the index covers every LV before it (check_invariants)
  const std::uint32_t last = index_.last_leaf();
  const std::uint32_t count = index_.leaf(last).count;
  if (count > 0 && index_.item(last, count - 1).leaf == leaf) {
    index_.item(last, count - 1).len += n;
    index_.add_weight(last, n);
    return;
  }
  (void)index_.insert(last, count, IndexItem{n, leaf}, [](auto, auto, auto) {});
}

void Rga::index_set(Lv lv, std::uint32_t n, std::uint32_t leaf) {
  const auto no_moves = [](auto, auto, auto) {};
  while (n > 0) {
    auto at = index_.find(lv);
    IndexItem& item = index_.item(at.leaf, at.idx);
    const std::uint32_t take = std::min(n, item.len - at.offset);
    const std::uint32_t before = at.offset;
    const std::uint32_t after = item.len - at.offset - take;
    const std::uint32_t count = index_.leaf(at.leaf).count;
    if (item.leaf == leaf) {
      // Already there.
    } else if (before == 0 && at.idx > 0 && index_.item(at.leaf, at.idx - 1).leaf == leaf) {
      // The piece joins the item before it (same index leaf: no weight moves up the tree).
      index_.item(at.leaf, at.idx - 1).len += take;
      item.len -= take;
      if (item.len == 0) index_.erase_weightless(at.leaf, at.idx);
    } else if (after == 0 && at.idx + 1 < count && index_.item(at.leaf, at.idx + 1).leaf == leaf) {
      index_.item(at.leaf, at.idx + 1).len += take;
      item.len -= take;
      if (item.len == 0) index_.erase_weightless(at.leaf, at.idx);
    } else {
      const IndexItem whole = item;
      if (before > 0) {
        item.len = before;
        index_.add_weight(at.leaf, -static_cast<std::int64_t>(take + after));
        at = index_.insert(at.leaf, at.idx + 1, IndexItem{take, leaf}, no_moves);
      } else {
        item.len = take;
        item.leaf = leaf;
        index_.add_weight(at.leaf, -static_cast<std::int64_t>(after));
      }
      if (after > 0)
        (void)index_.insert(at.leaf, at.idx + 1, IndexItem{after, whole.leaf}, no_moves);
    }
    lv += take;
    n -= take;
  }
}

Rga::Cursor Rga::insert_span(Cursor at, Span span) {
  const Cursor placed =
      content_.insert(at.leaf, at.idx, span, [this](auto leaf, auto from, auto to) {
        for (std::uint32_t i = from; i < to; ++i) {
          const Span& moved = content_.item(leaf, i);
          index_set(moved.lv, moved.len(), leaf);
        }
      });
  return placed;
}

// Splits the span at `at` before offset at.offset (0 < offset < len); returns the right piece.
Rga::Cursor Rga::split(Cursor at) {
  Span& left = content_.item(at.leaf, at.idx);
  Span right = left;
  right.lv = left.lv + at.offset;
  right.set_len(left.len() - at.offset);
  left.set_len(at.offset);
  if (!left.deleted()) content_.add_weight(at.leaf, -static_cast<std::int64_t>(right.len()));
  const Cursor placed = insert_span(Cursor{at.leaf, at.idx + 1, 0}, right);
  if (placed.leaf != at.leaf) index_set(right.lv, right.len(), placed.leaf);
  return placed;
}

// The gap right after the element at `p`, splitting its span if p is not its last element.
Rga::Cursor Rga::gap_after(Cursor p) {
  const std::uint32_t len = content_.item(p.leaf, p.idx).len();
  return p.offset + 1 < len ? split(Cursor{p.leaf, p.idx, p.offset + 1})
                            : Cursor{p.leaf, p.idx + 1, 0};
}

// Places n new elements [lv, lv + n) at the gap `at` right after their parent by the RGA rule:
// skip every following span whose first key is greater than the new key. Local inserts have
// the greatest key, so they skip nothing (scan == false).
Rga::Cursor Rga::place_insert(Cursor at, Lv lv, std::uint32_t n, bool scan) {
  if (scan) {
    const Key key = log_.key_of(lv);
    for (;;) {
      const auto* lf = &content_.leaf(at.leaf);
      if (at.idx == lf->count) {
        if (lf->next == no_node) break;
        at = Cursor{lf->next, 0, 0};
        lf = &content_.leaf(at.leaf);
      }
      if (log_.key_of(lf->items[at.idx].lv) < key) break;
      ++at.idx;
    }
  }
  // Typing continues the span before it when the log kept the op in the same entry.
  if (at.idx > 0) {
    Span& prev = content_.item(at.leaf, at.idx - 1);
    if (!prev.deleted() && prev.end() == lv && !starts_entry(lv)) {
      return grow_span(Cursor{at.leaf, at.idx - 1, 0}, lv, n);
    }
  }
  const Cursor placed = insert_span(at, Span{lv, n});
  index_append(lv, n, placed.leaf);
  length_ += n;
  return placed;
}

// Appends the n new live elements [lv, lv + n) to the live span at `at`, which ends at lv - 1
// in the same log entry. Returns `at`.
Rga::Cursor Rga::grow_span(Cursor at, Lv lv, std::uint32_t n) {
  Span& span = content_.item(at.leaf, at.idx);
  span.set_len(span.len() + n);
  content_.add_weight(at.leaf, n);
  index_append(lv, n, at.leaf);
  length_ += n;
  return at;
}

// Merges the deleted span at (leaf, idx) with deleted neighbours it continues in the log.
void Rga::merge_deleted(std::uint32_t leaf, std::uint32_t idx) {
  const auto& lf = content_.leaf(leaf);
  if (idx + 1 < lf.count) {
    Span& s = content_.item(leaf, idx);
    const Span next = lf.items[idx + 1];
    if (next.deleted() && s.end() == next.lv && !starts_entry(next.lv)) {
      s.set_len(s.len() + next.len());
      content_.erase_weightless(leaf, idx + 1);
    }
  }
  if (idx > 0) {
    Span& prev = content_.item(leaf, idx - 1);
    const Span s = content_.item(leaf, idx);
    if (prev.deleted() && prev.end() == s.lv && !starts_entry(s.lv)) {
      prev.set_len(prev.len() + s.len());
      content_.erase_weightless(leaf, idx);
    }
  }
}

// Backspace and forward delete: when the erased piece ends (or starts) a live span and the
// deleted span after (or before) it continues it in the log, move the boundary instead of
// splitting. Returns false if the piece is not at such a boundary.
bool Rga::shift_into_deleted_neighbour(Cursor at, std::uint32_t take) {
  const auto& lf = content_.leaf(at.leaf);
  Span& s = content_.item(at.leaf, at.idx);
  if (at.offset + take == s.len() && at.idx + 1 < lf.count) {
    Span& next = content_.item(at.leaf, at.idx + 1);
    if (!next.deleted() || s.end() != next.lv || starts_entry(next.lv)) return false;
    next.lv -= take;
    next.set_len(next.len() + take);
  } else if (at.offset == 0 && at.idx > 0) {
    Span& prev = content_.item(at.leaf, at.idx - 1);
    if (!prev.deleted() || prev.end() != s.lv || starts_entry(s.lv)) return false;
    prev.set_len(prev.len() + take);
    s.lv += take;
  } else {
    return false;
  }
  s.set_len(s.len() - take);
  content_.add_weight(at.leaf, -static_cast<std::int64_t>(take));
  if (s.len() == 0) content_.erase_weightless(at.leaf, at.idx);
  return true;
}

// Tombstones the elements of `range`; returns how many were live.
std::uint64_t Rga::erase_range(LvRange range, const Cursor* first) {
  std::uint64_t erased = 0;
  while (range.len > 0) {
    Cursor at = first != nullptr ? *first : locate(range.lv);
    first = nullptr;
    const Span s = content_.item(at.leaf, at.idx);
    const std::uint32_t take = std::min(range.len, s.len() - at.offset);
    if (!s.deleted() && shift_into_deleted_neighbour(at, take)) {
      erased += take;
    } else if (!s.deleted()) {
      if (at.offset > 0) at = split(at);
      if (take < content_.item(at.leaf, at.idx).len()) {
        (void)split(Cursor{at.leaf, at.idx, take});
        at = locate(range.lv);  // the split may have moved the left piece to a new leaf
      }
      Span& target = content_.item(at.leaf, at.idx);
      target.len_deleted |= Span::deleted_bit;
      content_.add_weight(at.leaf, -static_cast<std::int64_t>(take));
      erased += take;
      merge_deleted(at.leaf, at.idx);
    }
    range.lv += take;
    range.len -= take;
  }
  length_ -= erased;
  return erased;
}

void Rga::append_id_ranges(LvRange range, std::vector<IdRange>& out) const {
  while (range.len > 0) {
    const std::uint32_t e = log_.entry_of(range.lv);
    const detail::Entry& entry = log_.entries()[e];
    const std::uint32_t off = range.lv - entry.lv;
    const std::uint32_t take = std::min(range.len, log_.entry_len(e) - off);
    const IdRange id{log_.replica(entry.replica_ix()).id, entry.seq + off, take};
    if (!out.empty() && out.back().replica == id.replica &&
        out.back().seq + out.back().len == id.seq) {
      out.back().len += take;
    } else {
      out.push_back(id);
    }
    range.lv += take;
    range.len -= take;
  }
}

Rga::Cursor Rga::collect_live(std::uint64_t pos, std::uint64_t len,
                              std::vector<LvRange>& out) const {
  out.clear();
  const Cursor at = content_.find(pos);
  locate_hint_ = at.leaf;
  std::uint32_t leaf = at.leaf;
  std::uint32_t idx = at.idx;
  std::uint32_t offset = at.offset;
  while (len > 0) {
    const auto& lf = content_.leaf(leaf);
    if (idx == lf.count) {
      leaf = lf.next;
      idx = 0;
      continue;
    }
    const Span s = lf.items[idx++];
    if (s.deleted()) continue;
    const auto take = static_cast<std::uint32_t>(std::min<std::uint64_t>(len, s.len() - offset));
    out.push_back(LvRange{s.lv + offset, take});
    len -= take;
    offset = 0;
  }
  return at;
}

// ---------------------------------------------------------------------------------------------
// Local edits

Result<InsertOp> Rga::local_insert(std::uint64_t pos, std::string_view utf8) {
  if (self_ == 0 || self_ >= id_limit) return fail(Errc::no_local_replica);
  if (pos > length_) return fail(Errc::position_out_of_range);
  const auto count = utf8::count_code_points(utf8);
  if (!count) return fail(Errc::invalid_utf8);
  if (*count == 0) return fail(Errc::empty_op);
  if (*count > limits_.max_run) return fail(Errc::run_too_long);
  if (log_.size() + *count >= detail::max_units) return fail(Errc::document_too_large);
  const auto n = static_cast<std::uint32_t>(*count);
  if (self_ix_ == no_node) self_ix_ = log_.intern_replica(self_);
  const std::uint32_t ix = self_ix_;
  const Seq seq = log_.replica(ix).next_seq;
  const Lamport lamport = clock_ + 1;
  if (seq + n > id_limit || lamport + n > id_limit) return fail(Errc::bad_counter);

  // Typing right after our previous insert: no descent. typing_ names the span that ends with
  // the elements we inserted last, at visible position typing_end_; any other edit clears it.
  Cursor p{content_.first_leaf(), 0, 0};
  if (typing_.leaf != no_node && pos == typing_end_) {
    p = typing_;
    p.offset = content_.item(p.leaf, p.idx).len() - 1;
  } else if (pos > 0) {
    p = content_.find(pos - 1);
  }
  const Lv parent = pos == 0 ? no_lv : content_.item(p.leaf, p.idx).lv + p.offset;
  InsertOp op{self_, seq, lamport, parent == no_lv ? root_id : log_.id_of(parent),
              std::string(utf8)};
  const Lv lv = log_.append_insert(ix, seq, lamport, parent, utf8, n);
  clock_ = lamport + n - 1;
  typing_end_ = pos + n;
  // Remote ops may be waiting for exactly these elements (§7.5): release them afterwards.
  const ReleaseAfterLocalEdit release{*this};
  if (pos > 0) {
    Span& span = content_.item(p.leaf, p.idx);
    if (span.end() == lv && p.offset + 1 == span.len() && log_.entries().back().lv != lv) {
      // The parent ends the newest span and the log extended its entry (place_insert() would
      // find the same, after a gap_after() and an entry search this path skips).
      typing_ = grow_span(Cursor{p.leaf, p.idx, 0}, lv, n);
      return op;
    }
    p = gap_after(p);
  }
  typing_ = place_insert(p, lv, n, false);
  return op;
}

Result<DeleteOp> Rga::local_delete(std::uint64_t pos, std::uint64_t len) {
  if (self_ == 0 || self_ >= id_limit) return fail(Errc::no_local_replica);
  if (pos > length_ || len > length_ - pos) return fail(Errc::position_out_of_range);
  if (len == 0) return fail(Errc::empty_op);
  if (len > limits_.max_run) return fail(Errc::run_too_long);
  if (log_.size() + 1 >= detail::max_units) return fail(Errc::document_too_large);
  const auto n = static_cast<std::uint32_t>(len);
  if (self_ix_ == no_node) self_ix_ = log_.intern_replica(self_);
  const std::uint32_t ix = self_ix_;
  const Seq seq = log_.replica(ix).next_seq;
  const Lamport lamport = clock_ + 1;
  if (seq + n > id_limit || lamport + n > id_limit) return fail(Errc::bad_counter);

  typing_.leaf = no_node;
  const ReleaseAfterLocalEdit release{*this};
  const Cursor first = collect_live(pos, len, scratch_);
  DeleteOp op{self_, seq, lamport, {}};
  for (const LvRange& r : scratch_) append_id_ranges(r, op.targets);
  const Lv lv = log_.size();
  const std::uint32_t used =
      log_.append_erase(ix, seq, lamport, scratch_.data(), scratch_.size(), n);
  if (used > 0) index_append(lv, used, no_node);
  // The first range starts at `first` (find() lands on a live span); later ones are located.
  for (std::size_t i = 0; i < scratch_.size(); ++i) {
    (void)erase_range(scratch_[i], i == 0 ? &first : nullptr);
  }
  clock_ = lamport + n - 1;
  return op;
}

// ---------------------------------------------------------------------------------------------
// Reading

std::uint64_t Rga::length() const { return length_; }

std::string Rga::text() const {
  std::string out;
  for (std::uint32_t leaf = content_.first_leaf(); leaf != no_node;
       leaf = content_.leaf(leaf).next) {
    const auto& lf = content_.leaf(leaf);
    for (std::uint32_t i = 0; i < lf.count; ++i) {
      const Span& s = lf.items[i];
      if (!s.deleted()) log_.append_text(s.lv, s.len(), out);
    }
  }
  return out;
}

VersionVector Rga::version() const {
  VersionVector vv;
  for (std::uint32_t i = 0; i < log_.replica_count(); ++i) {
    const detail::ReplicaInfo& r = log_.replica(i);
    vv.set(r.id, r.next_seq);
  }
  return vv;
}

Result<Id> Rga::id_at(std::uint64_t pos) const {
  if (pos >= length_) return fail(Errc::position_out_of_range);
  const Cursor at = content_.find(pos);
  return log_.id_of(content_.item(at.leaf, at.idx).lv + at.offset);
}

std::optional<std::uint64_t> Rga::position_of(Id id) const {
  if (id == root_id) return 0;
  const detail::UnitRef unit = log_.find_unit(id);
  if (unit.state != detail::UnitRef::State::element) return std::nullopt;
  const Cursor at = locate(unit.lv);
  const Span& s = content_.item(at.leaf, at.idx);
  return content_.weight_before(at.leaf, at.idx) + (s.deleted() ? 0 : at.offset);
}

Result<Anchor> Rga::anchor_at(std::uint64_t pos, Side side) const {
  if (pos > length_) return fail(Errc::position_out_of_range);
  if (side == Side::after) {
    if (pos == 0) return Anchor{root_id, Side::after};
    return Anchor{*id_at(pos - 1), Side::after};
  }
  if (pos == length_) return Anchor{root_id, Side::before};
  return Anchor{*id_at(pos), Side::before};
}

std::optional<std::uint64_t> Rga::resolve(const Anchor& anchor) const {
  if (anchor.id == root_id) return anchor.side == Side::after ? 0 : length_;
  const auto before = position_of(anchor.id);
  if (!before || anchor.side == Side::before) return before;
  const detail::UnitRef unit = log_.find_unit(anchor.id);
  const Cursor at = locate(unit.lv);
  return *before + (content_.item(at.leaf, at.idx).deleted() ? 0 : 1);
}

std::size_t Rga::buffered_ops() const { return pending_.size(); }

std::size_t Rga::buffered_ops_of(ReplicaId r) const { return buffer_share(r).ops; }

Rga::BufferShare Rga::buffer_share(ReplicaId r) const {
  const auto it = pending_by_replica_.find(r);
  return it == pending_by_replica_.end() ? BufferShare{} : it->second;
}

std::size_t Rga::memory_bytes() const {
  std::size_t pending_bytes = 0;
  for (const auto& [order, p] : pending_) {
    pending_bytes += sizeof(p) + 3 * 48;  // three map nodes
    if (const auto* ins = std::get_if<InsertOp>(&p.op)) pending_bytes += ins->text.capacity();
    if (const auto* del = std::get_if<DeleteOp>(&p.op)) {
      pending_bytes += del->targets.capacity() * sizeof(IdRange);
    }
  }
  return log_.memory_bytes() + content_.memory_bytes() + index_.memory_bytes() +
         scratch_.capacity() * sizeof(LvRange) + pending_bytes;
}

void Rga::check_invariants() const {
  log_.check();
  WEFT_ASSERT(content_.check() == length_);
  WEFT_ASSERT(index_.check() == log_.size());
  // Every element is in exactly one span, found through the index; keys increase along spans;
  // no span crosses an insert from another op.
  std::vector<bool> seen(log_.size(), false);
  std::uint64_t live = 0;
  for (std::uint32_t leaf = content_.first_leaf(); leaf != no_node;
       leaf = content_.leaf(leaf).next) {
    const auto& lf = content_.leaf(leaf);
    for (std::uint32_t i = 0; i < lf.count; ++i) {
      const Span& s = lf.items[i];
      WEFT_ASSERT(s.len() > 0 && s.end() <= log_.size());
      for (Lv lv = s.lv; lv < s.end(); ++lv) {
        WEFT_ASSERT(!seen[lv]);
        seen[lv] = true;
        const auto& e = log_.entries()[log_.entry_of(lv)];
        WEFT_ASSERT(e.is_element());
        if (lv > s.lv) {
          const Key a = log_.key_of(lv - 1);
          const Key b = log_.key_of(lv);
          WEFT_ASSERT(a.replica == b.replica && a.lamport + 1 == b.lamport);
        }
      }
      const auto at = index_.find(s.lv);
      WEFT_ASSERT(index_.item(at.leaf, at.idx).leaf == leaf);
      const Cursor found = locate(s.end() - 1);
      WEFT_ASSERT(found.leaf == leaf && found.idx == i);
      if (!s.deleted()) live += s.len();
    }
  }
  WEFT_ASSERT(live == length_);
  for (Lv lv = 0; lv < log_.size(); ++lv) {
    WEFT_ASSERT(seen[lv] == log_.entries()[log_.entry_of(lv)].is_element());
  }
  Lamport max_lamport = 0;
  for (std::uint32_t i = 0; i < log_.replica_count(); ++i) {
    max_lamport = std::max(max_lamport, log_.replica(i).last_lamport);
  }
  WEFT_ASSERT(max_lamport <= clock_);
  std::uint64_t units = 0;
  for (const auto& [order, p] : pending_) units += op_len(p.op);
  WEFT_ASSERT(units == pending_units_);
  std::map<ReplicaId, BufferShare> shares;
  for (const auto& [order, p] : pending_) {
    BufferShare& share = shares[op_replica(p.op)];
    ++share.ops;
    share.units += p.units;
  }
  WEFT_ASSERT(shares.size() == pending_by_replica_.size());
  for (const auto& [r, share] : shares) {
    const BufferShare kept = buffer_share(r);
    WEFT_ASSERT(kept.ops == share.ops && kept.units == share.units);
  }
  WEFT_ASSERT(pending_by_awaited_.size() == pending_.size());
  WEFT_ASSERT(pending_by_author_.size() == pending_.size());
}

}  // namespace weft::crdt
