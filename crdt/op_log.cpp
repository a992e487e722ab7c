// op_log.cpp — the run-length encoded log of integrated op units.
#include "crdt/op_log.hpp"

#include <algorithm>

#include "crdt/growth.hpp"
#include "crdt/utf8.hpp"
#include "crdt/weighted_tree.hpp"

namespace weft::crdt::detail {

std::uint32_t OpLog::entry_of(Lv lv) const {
  const auto n = static_cast<std::uint32_t>(entries_.size());
  if (hint_ < n && entries_[hint_].lv <= lv) {
    if (hint_ + 1 == n || lv < entries_[hint_ + 1].lv) return hint_;
    if (hint_ + 2 == n || lv < entries_[hint_ + 2].lv) return ++hint_;
  }
  const auto it = std::upper_bound(entries_.begin(), entries_.end(), lv,
                                   [](Lv v, const Entry& e) { return v < e.lv; });
  hint_ = static_cast<std::uint32_t>(it - entries_.begin()) - 1;
  return hint_;
}

std::optional<std::uint32_t> OpLog::find_replica(ReplicaId id) const {
  // Lookups come in runs for one replica (targets of a delete, a peer's ops), or alternate
  // between an op's author and its parent's author (two people typing): the last two found.
  for (const std::uint32_t hint : replica_hints_) {
    if (hint < replicas_.size() && replicas_[hint].id == id) return hint;
  }
  const auto it = replica_ix_.find(id);
  if (it == replica_ix_.end()) return std::nullopt;
  replica_hints_[1] = replica_hints_[0];
  replica_hints_[0] = it->second;
  return it->second;
}

std::uint32_t OpLog::intern_replica(ReplicaId id) {
  const auto [it, added] =
      replica_ix_.try_emplace(id, static_cast<std::uint32_t>(replicas_.size()));
  if (added) replicas_.push_back(ReplicaInfo{id, 0, 0, 0, {}});
  return it->second;
}

UnitRef OpLog::find_unit(Id id) const {
  const auto ix = find_replica(id.replica);
  if (!ix) return {};
  const ReplicaInfo& r = replicas_[*ix];
  if (id.seq >= r.next_seq) return {};
  const auto it = std::upper_bound(r.breaks.begin(), r.breaks.end(), id.seq,
                                   [&](Seq s, std::uint32_t e) { return s < entries_[e].seq; });
  if (it != r.breaks.begin()) {
    const Entry& start = entries_[*(it - 1)];
    if (start.kind() == EntryKind::erase) {
      // Breaks on both sides: the unit is in this entry, or in a gap before the next break.
      if (id.seq < start.seq + start.text) {
        return UnitRef{UnitRef::State::delete_unit, start.lv, *(it - 1)};
      }
      return UnitRef{UnitRef::State::delete_unit, no_lv, 0};
    }
    const Seq delta = id.seq - start.seq;
    if (delta < size_ - start.lv) {
      const auto lv = static_cast<Lv>(start.lv + delta);
      const std::uint32_t e = entry_of(lv);
      const Entry& entry = entries_[e];
      if (entry.is_element() && entry.replica_ix() == *ix && entry.seq <= id.seq &&
          id.seq < entry.seq + entry_len(e)) {
        return UnitRef{UnitRef::State::element, lv, e};
      }
    }
  }
  // Seen but absent from the log: a delete unit from before the snapshot this replica loaded.
  return UnitRef{UnitRef::State::delete_unit, no_lv, 0};
}

Id OpLog::id_of(Lv lv) const {
  const Entry& e = entries_[entry_of(lv)];
  return Id{replicas_[e.replica_ix()].id, e.seq + (lv - e.lv)};
}

Key OpLog::key_of(Lv lv) const {
  const Entry& e = entries_[entry_of(lv)];
  return Key{e.lamport + (lv - e.lv), replicas_[e.replica_ix()].id};
}

void OpLog::push_entry(const Entry& e) {
  const auto index = static_cast<std::uint32_t>(entries_.size());
  ReplicaInfo& r = replicas_[e.replica_ix()];
  // An erase entry's units do not follow its one LV: it is a break, and so is what follows it.
  const bool continues = r.last_entry != no_lv && e.kind() != EntryKind::erase && [&] {
    const Entry& last = entries_[r.last_entry];
    if (last.kind() == EntryKind::erase) return false;
    const std::uint32_t len = entry_len(r.last_entry);  // e.lv == size_ until e is pushed
    return last.seq + len == e.seq && last.lv + len == e.lv;
  }();
  if (!continues) {
    reserve_more(r.breaks, 1);
    r.breaks.push_back(index);
  }
  r.last_entry = index;
  reserve_more(entries_, 1);
  entries_.push_back(e);
}

Lv OpLog::append_insert(std::uint32_t replica_ix, Seq seq, Lamport lamport, Lv parent_lv,
                        std::string_view text, std::uint32_t n) {
  const Lv first = size_;
  ReplicaInfo& r = replicas_[replica_ix];
  WEFT_ASSERT(seq == r.next_seq && lamport > r.last_lamport);
  const bool ascii = text.size() == n;
  const auto off = static_cast<std::uint32_t>(text_.size());
  reserve_more(text_, text.size());
  text_.append(text);
  if (ascii) {
    const bool extends = !entries_.empty() && parent_lv != no_lv && parent_lv + 1 == size_ && [&] {
      const Entry& last = entries_.back();
      const std::uint32_t len = size_ - last.lv;
      return last.kind() == EntryKind::insert && last.ascii() && last.replica_ix() == replica_ix &&
             last.seq + len == seq && last.lamport + len == lamport;
    }();
    if (!extends) {
      push_entry(Entry{seq, lamport, first, Entry::make_meta(replica_ix, EntryKind::insert, true),
                       parent_lv + 1, off});
    }
  } else {
    // Chunks of max_utf8_entry code points; chunk k > 0 follows the previous chunk's last unit.
    std::uint32_t done = 0;
    std::size_t byte = 0;
    while (done < n) {
      const std::uint32_t take = std::min(max_utf8_entry, n - done);
      const Lv parent = done == 0 ? parent_lv : first + done - 1;
      push_entry(Entry{seq + done, lamport + done, first + done,
                       Entry::make_meta(replica_ix, EntryKind::insert, false), parent + 1,
                       off + static_cast<std::uint32_t>(byte)});
      byte += utf8::byte_offset(text.substr(byte), take);
      done += take;
    }
  }
  size_ += n;
  r.next_seq = seq + n;
  r.last_lamport = lamport + n - 1;
  return first;
}

std::uint32_t OpLog::append_erase(std::uint32_t replica_ix, Seq seq, Lamport lamport,
                                  const LvRange* targets, std::size_t target_count,
                                  std::uint32_t n) {
  ReplicaInfo& r = replicas_[replica_ix];
  WEFT_ASSERT(seq == r.next_seq && lamport > r.last_lamport);
  WEFT_ASSERT(n > 0 && n < max_erase_entry_units);
  const bool extends = !entries_.empty() && [&] {
    const Entry& last = entries_.back();
    const std::uint32_t units = last.text;
    return last.kind() == EntryKind::erase && last.replica_ix() == replica_ix &&
           last.seq + units == seq && last.lamport + units == lamport &&
           units <= max_erase_entry_units - n;
  }();
  std::uint32_t used = 0;
  if (extends) {
    entries_.back().text += n;
  } else {
    push_entry(Entry{seq, lamport, size_, Entry::make_meta(replica_ix, EntryKind::erase, true),
                     static_cast<std::uint32_t>(targets_.size()), n});
    used = 1;
  }
  for (std::size_t i = 0; i < target_count; ++i) {
    const LvRange t = targets[i];
    // Coalesce with the previous target of this entry when the units continue it: forward
    // delete continues upward, backspace (single units, each one lower) downward.
    if (targets_.size() > entries_.back().aux) {
      StoredTarget& prev = targets_.back();
      if (!prev.downward() && prev.lv + prev.len() == t.lv) {
        prev.len_down += t.len;
        continue;
      }
      if (t.len == 1 && (prev.downward() || prev.len() == 1) && t.lv + 1 == prev.lv) {
        prev.lv = t.lv;
        prev.len_down = (prev.len() + 1) | StoredTarget::down_bit;
        continue;
      }
    }
    reserve_more(targets_, 1);
    targets_.push_back(StoredTarget{t.lv, t.len});
  }
  size_ += used;
  r.next_seq = seq + n;
  r.last_lamport = lamport + n - 1;
  return used;
}

Lv OpLog::append_restored(std::uint32_t replica_ix, Seq seq, Lamport lamport, std::string_view text,
                          std::uint32_t n) {
  const Lv first = size_;
  const bool has_text = !text.empty();
  const bool ascii = !has_text || text.size() == n;
  const auto off = static_cast<std::uint32_t>(text_.size());
  reserve_more(text_, text.size());
  text_.append(text);
  std::uint32_t done = 0;
  std::size_t byte = 0;
  while (done < n) {
    const std::uint32_t take = ascii ? n : std::min(max_utf8_entry, n - done);
    push_entry(Entry{seq + done, lamport + done, first + done,
                     Entry::make_meta(replica_ix, EntryKind::restored, ascii), 0,
                     has_text ? off + static_cast<std::uint32_t>(byte) : no_lv});
    if (!ascii) byte += utf8::byte_offset(text.substr(byte), take);
    done += take;
  }
  size_ += n;
  return first;
}

bool OpLog::finish_restore() {
  std::vector<std::vector<std::uint32_t>> by_replica(replicas_.size());
  for (std::uint32_t e = 0; e < entries_.size(); ++e) {
    by_replica[entries_[e].replica_ix()].push_back(e);
  }
  for (std::uint32_t ix = 0; ix < replicas_.size(); ++ix) {
    auto& list = by_replica[ix];
    std::sort(list.begin(), list.end(),
              [&](std::uint32_t a, std::uint32_t b) { return entries_[a].seq < entries_[b].seq; });
    ReplicaInfo& r = replicas_[ix];
    r.breaks.clear();
    for (std::size_t j = 0; j < list.size(); ++j) {
      if (j > 0) {
        const Entry& a = entries_[list[j - 1]];
        const Entry& b = entries_[list[j]];
        const std::uint32_t a_len = entry_len(list[j - 1]);
        if (a.seq + a_len > b.seq || a.lamport + a_len > b.lamport) return false;
        if (a.seq + a_len == b.seq && a.lv + a_len == b.lv) continue;
      }
      r.breaks.push_back(list[j]);
    }
    r.breaks.shrink_to_fit();
    r.last_entry = list.empty() ? no_lv : list.back();
  }
  return true;
}

std::string_view OpLog::entry_text(std::uint32_t e, std::uint32_t from, std::uint32_t n) const {
  const Entry& entry = entries_[e];
  WEFT_ASSERT(entry.text != no_lv);
  const std::string_view rest = std::string_view(text_).substr(entry.text);
  if (entry.ascii()) return rest.substr(from, n);
  const std::size_t begin = utf8::byte_offset(rest, from);
  const std::size_t len = utf8::byte_offset(rest.substr(begin), n);
  return rest.substr(begin, len);
}

void OpLog::append_text(Lv lv, std::uint32_t n, std::string& out) const {
  while (n > 0) {
    const std::uint32_t e = entry_of(lv);
    const std::uint32_t from = lv - entries_[e].lv;
    const std::uint32_t take = std::min(n, entry_len(e) - from);
    out.append(entry_text(e, from, take));
    lv += take;
    n -= take;
  }
}

std::size_t OpLog::memory_bytes() const {
  std::size_t bytes = entries_.capacity() * sizeof(Entry) +
                      targets_.capacity() * sizeof(StoredTarget) + text_.capacity() +
                      replicas_.capacity() * sizeof(ReplicaInfo);
  for (const ReplicaInfo& r : replicas_) bytes += r.breaks.capacity() * sizeof(std::uint32_t);
  // unordered_map: one node (key, value, next pointer, cached hash) per replica plus buckets.
  bytes += replica_ix_.size() * 32 + replica_ix_.bucket_count() * sizeof(void*);
  return bytes;
}

void OpLog::check() const {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    WEFT_ASSERT(i == 0 ? e.lv == 0 : entries_[i - 1].lv < e.lv);
    WEFT_ASSERT(e.replica_ix() < replicas_.size());
    if (!e.ascii() && e.kind() != EntryKind::erase) {
      WEFT_ASSERT(entry_len(static_cast<std::uint32_t>(i)) <= max_utf8_entry);
    }
    if (e.kind() == EntryKind::erase) {
      WEFT_ASSERT(entry_len(static_cast<std::uint32_t>(i)) == 1 && e.text > 0);
    }
  }
  WEFT_ASSERT(entries_.empty() ? size_ == 0 : entries_.back().lv < size_);
  // Per replica, in seq order: no overlap, lamports increase, and every unit is found again.
  std::vector<std::vector<std::uint32_t>> by_replica(replicas_.size());
  for (std::uint32_t e = 0; e < entries_.size(); ++e) {
    by_replica[entries_[e].replica_ix()].push_back(e);
  }
  for (std::uint32_t ix = 0; ix < replicas_.size(); ++ix) {
    auto list = by_replica[ix];
    std::sort(list.begin(), list.end(),
              [&](std::uint32_t a, std::uint32_t b) { return entries_[a].seq < entries_[b].seq; });
    const ReplicaInfo& r = replicas_[ix];
    Seq end = 0;
    Lamport lamport_end = 0;
    for (const std::uint32_t e : list) {
      const Entry& entry = entries_[e];
      WEFT_ASSERT(entry.seq >= end);
      WEFT_ASSERT(entry.lamport > lamport_end || lamport_end == 0);
      end = entry.seq + entry_units(e);
      lamport_end = entry.lamport + entry_units(e) - 1;
      const bool erase = entry.kind() == EntryKind::erase;
      for (const Seq probe : {entry.seq, end - 1}) {
        const UnitRef u = find_unit(Id{r.id, probe});
        WEFT_ASSERT(u.entry == e && u.lv == entry.lv + (erase ? 0 : probe - entry.seq));
      }
    }
    WEFT_ASSERT(end <= r.next_seq);
    WEFT_ASSERT(lamport_end <= r.last_lamport);
    WEFT_ASSERT(list.empty() ? r.last_entry == no_lv : r.last_entry == list.back());
  }
}

}  // namespace weft::crdt::detail
