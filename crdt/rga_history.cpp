// rga_history.cpp — what a replica tells others: run listings, ops a peer lacks, snapshots, and
// building a replica from a snapshot without integrating anything.
#include <algorithm>
#include <type_traits>

#include "crdt/rga.hpp"
#include "crdt/utf8.hpp"

namespace weft::crdt {

using detail::Entry;
using detail::EntryKind;
using detail::IndexItem;
using detail::Lv;
using detail::LvRange;
using detail::Span;

std::vector<ElementRun> Rga::runs() const {
  std::vector<ElementRun> out;
  for (std::uint32_t leaf = content_.first_leaf(); leaf != detail::no_node;
       leaf = content_.leaf(leaf).next) {
    const auto& lf = content_.leaf(leaf);
    for (std::uint32_t i = 0; i < lf.count; ++i) {
      const Span& s = lf.items[i];
      for (Lv lv = s.lv; lv < s.end();) {
        const std::uint32_t e = log_.entry_of(lv);
        const Entry& entry = log_.entries()[e];
        const std::uint32_t off = lv - entry.lv;
        const std::uint32_t take = std::min(s.end() - lv, log_.entry_len(e) - off);
        const ElementRun run{log_.replica(entry.replica_ix()).id, entry.seq + off,
                             entry.lamport + off, take, s.deleted()};
        ElementRun* last = out.empty() ? nullptr : &out.back();
        if (last && last->replica == run.replica && last->seq + last->len == run.seq &&
            last->lamport + last->len == run.lamport && last->deleted == run.deleted) {
          last->len += take;
        } else {
          out.push_back(run);
        }
        lv += take;
      }
    }
  }
  return out;
}

Snapshot Rga::snapshot() const {
  Snapshot s;
  for (std::uint32_t i = 0; i < log_.replica_count(); ++i) {
    const detail::ReplicaInfo& r = log_.replica(i);
    if (r.next_seq > 0) s.replicas.push_back({r.id, r.next_seq, r.last_lamport});
  }
  std::sort(s.replicas.begin(), s.replicas.end(),
            [](const auto& a, const auto& b) { return a.replica < b.replica; });
  s.clock = clock_;
  s.runs = runs();
  s.text = text();
  return s;
}

Result<std::vector<Op>> Rga::ops_since(const VersionVector& peer) const {
  for (std::uint32_t i = 0; i < log_.replica_count(); ++i) {
    const detail::ReplicaInfo& r = log_.replica(i);
    if (peer.get(r.id) < r.history_from) return fail(Errc::history_unavailable);
  }
  // Ops are cut at limits_.max_run units, so every receiver with the same limits accepts them.
  std::vector<Op> out;
  std::uint64_t last_units = 0;  // units of out.back()
  const auto& entries = log_.entries();
  for (std::uint32_t e = 0; e < entries.size(); ++e) {
    const Entry& entry = entries[e];
    const ReplicaId r = log_.replica(entry.replica_ix()).id;
    const std::uint32_t len = log_.entry_units(e);
    const Seq have = peer.get(r);
    if (entry.seq + len <= have) continue;
    WEFT_ASSERT(entry.kind() != EntryKind::restored);
    const bool insert = entry.kind() == EntryKind::insert;
    for (auto off = static_cast<std::uint32_t>(have > entry.seq ? have - entry.seq : 0);
         off < len;) {
      const Seq seq = entry.seq + off;
      const Lamport lamport = entry.lamport + off;
      const Id parent = !insert || off > 0 ? Id{r, seq - 1}
                        : entry.aux == 0   ? root_id
                                           : log_.id_of(entry.aux - 1);
      const bool continues = !out.empty() && last_units < limits_.max_run &&
                             std::visit(
                                 [&](const auto& last) {
                                   using T = std::decay_t<decltype(last)>;
                                   return std::is_same_v<T, InsertOp> == insert &&
                                          last.replica == r && last.seq + last_units == seq &&
                                          last.lamport + last_units == lamport &&
                                          parent == Id{r, seq - 1};
                                 },
                                 out.back());
      if (!continues) {
        if (insert) {
          out.emplace_back(InsertOp{r, seq, lamport, parent, {}});
        } else {
          out.emplace_back(DeleteOp{r, seq, lamport, {}});
        }
        last_units = 0;
      }
      const auto take = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(len - off, limits_.max_run - last_units));
      if (insert) {
        std::get<InsertOp>(out.back()).text.append(log_.entry_text(e, off, take));
      } else {
        // Units [off, off + take) of the entry's targets, in their original order.
        std::uint64_t skip = off;
        std::uint64_t want = take;
        auto& targets = std::get<DeleteOp>(out.back()).targets;
        for (std::uint32_t t = entry.aux; want > 0; ++t) {
          const detail::StoredTarget stored = log_.targets()[t];
          const std::uint32_t units = stored.len();
          const auto drop = static_cast<std::uint32_t>(std::min<std::uint64_t>(skip, units));
          const auto use = static_cast<std::uint32_t>(std::min<std::uint64_t>(units - drop, want));
          skip -= drop;
          want -= use;
          if (!stored.downward()) {
            if (use > 0) append_id_ranges(LvRange{stored.lv + drop, use}, targets);
          } else {
            for (std::uint32_t j = drop; j < drop + use; ++j) {
              append_id_ranges(LvRange{stored.unit(j), 1}, targets);
            }
          }
        }
      }
      last_units += take;
      off += take;
    }
  }
  return out;
}

Result<Rga> Rga::from_snapshot(const Snapshot& snapshot, ReplicaId self, Limits limits) {
  const auto bad = [] { return fail(Errc::bad_snapshot); };
  if (snapshot.clock >= id_limit || snapshot.replicas.size() >= detail::max_replicas) return bad();
  Rga rga(self, limits);
  rga.clock_ = snapshot.clock;
  ReplicaId prev = 0;
  for (const Snapshot::ReplicaState& r : snapshot.replicas) {
    if (r.replica <= prev || r.replica >= id_limit || r.next_seq == 0 || r.next_seq > id_limit ||
        r.last_lamport == 0 || r.last_lamport > snapshot.clock) {
      return bad();
    }
    prev = r.replica;
    detail::ReplicaInfo& info = rga.log_.replica(rga.log_.intern_replica(r.replica));
    info.next_seq = r.next_seq;
    info.last_lamport = r.last_lamport;
    info.history_from = r.next_seq;
  }
  const auto live_count = utf8::count_code_points(snapshot.text);
  if (!live_count) return bad();

  std::vector<Span> spans;
  spans.reserve(snapshot.runs.size());
  std::uint64_t units = 0;
  std::uint64_t live = 0;
  std::size_t byte = 0;
  const std::string_view text(snapshot.text);
  for (const ElementRun& run : snapshot.runs) {
    const auto ix = rga.log_.find_replica(run.replica);
    if (!ix || run.len == 0 || run.len > detail::max_units - units) return bad();
    const detail::ReplicaInfo& info = rga.log_.replica(*ix);
    if (run.seq >= info.next_seq || run.len > info.next_seq - run.seq || run.lamport == 0 ||
        run.lamport > info.last_lamport || run.len - 1 > info.last_lamport - run.lamport) {
      return bad();
    }
    const auto len = static_cast<std::uint32_t>(run.len);
    std::string_view piece;
    if (!run.deleted) {
      if (run.len > *live_count - live) return bad();
      const std::size_t bytes = utf8::byte_offset(text.substr(byte), len);
      piece = text.substr(byte, bytes);
      byte += bytes;
      live += len;
    }
    const Lv lv = rga.log_.append_restored(*ix, run.seq, run.lamport, piece, len);
    spans.push_back(Span{lv, len | (run.deleted ? Span::deleted_bit : 0u)});
    units += len;
  }
  if (live != *live_count) return bad();

  // No two runs share an id, and lamports grow with seq within each replica (rule 2).
  if (!rga.log_.finish_restore()) return bad();

  // Spans were given LVs in document order, so each content leaf holds one LV range.
  constexpr std::uint32_t fill = 24;
  std::vector<IndexItem> index_items;
  std::size_t next_span = 0;
  rga.content_.build(spans, fill, [&](std::uint32_t leaf, std::uint32_t count) {
    std::uint32_t len = 0;
    for (std::uint32_t i = 0; i < count; ++i) len += spans[next_span++].len();
    if (len > 0) index_items.push_back(IndexItem{len, leaf});
  });
  rga.index_.build(index_items, fill, [](std::uint32_t, std::uint32_t) {});
  rga.length_ = live;
  return rga;
}

}  // namespace weft::crdt
