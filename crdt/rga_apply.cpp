// rga_apply.cpp — integrating ops from other replicas: the ordered checks of crdt/README.md §7,
// idempotence, and the bounded buffer of ops that arrived before their dependencies.
#include <algorithm>

#include "crdt/rga.hpp"
#include "crdt/utf8.hpp"

namespace weft::crdt {

using detail::Lv;
using detail::LvRange;
using detail::no_lv;
using detail::no_node;
using detail::UnitRef;

namespace {

bool bad_replica_id(ReplicaId r) { return r == 0 || r >= id_limit; }

// The delete's targets without their first k units.
std::vector<IdRange> drop_units(const std::vector<IdRange>& targets, std::uint64_t k) {
  std::vector<IdRange> out;
  for (IdRange t : targets) {
    const std::uint64_t skip = std::min(k, t.len);
    k -= skip;
    t.seq += skip;
    t.len -= skip;
    if (t.len > 0) out.push_back(t);
  }
  return out;
}

}  // namespace

// Step 1 of crdt/README.md §7.3, in its order (1a..1i): what can be judged from the op alone.
std::error_code Rga::check_format(const Op& op, std::uint64_t& n) const {
  // 1c: s + n <= 2^53 and L + n - 1 < 2^53, written so that nothing overflows.
  const auto too_long_for = [](Seq seq, Lamport lamport, std::uint64_t units) {
    return units > 0 && (units > id_limit - seq || units > id_limit - lamport);
  };
  if (const auto* ins = std::get_if<InsertOp>(&op)) {
    if (bad_replica_id(ins->replica)) return Errc::bad_replica;
    if (ins->seq >= id_limit || ins->lamport == 0 || ins->lamport >= id_limit) {
      return Errc::bad_counter;
    }
    const auto count = utf8::count_code_points(ins->text);
    if (count) {  // invalid text has no length: 1c-1e are skipped and 1f reports it
      n = *count;
      if (too_long_for(ins->seq, ins->lamport, n)) return Errc::bad_counter;
      if (n == 0) return Errc::empty_op;
      if (n > limits_.max_run) return Errc::run_too_long;
    }
    if (!count) return Errc::invalid_utf8;
    if (ins->parent.replica >= id_limit || (ins->parent.replica == 0 && ins->parent.seq != 0)) {
      return Errc::bad_replica;
    }
    if (ins->parent.seq >= id_limit) return Errc::bad_counter;
    return {};
  }
  const auto& del = std::get<DeleteOp>(op);
  if (bad_replica_id(del.replica)) return Errc::bad_replica;
  if (del.seq >= id_limit || del.lamport == 0 || del.lamport >= id_limit) {
    return Errc::bad_counter;
  }
  // The sum of lens saturates just above 2^53: enough to fail every check it feeds.
  n = 0;
  bool has_empty_target = del.targets.empty();
  for (const IdRange& t : del.targets) {
    n = std::min(n + std::min(t.len, id_limit + 1), id_limit + 1);
    has_empty_target = has_empty_target || t.len == 0;
  }
  if (too_long_for(del.seq, del.lamport, n)) return Errc::bad_counter;
  if (has_empty_target) return Errc::empty_op;
  if (n > limits_.max_run) return Errc::run_too_long;
  for (const IdRange& t : del.targets) {
    if (bad_replica_id(t.replica)) return Errc::bad_replica;
    if (t.seq >= id_limit || t.len > id_limit - t.seq) return Errc::bad_counter;
  }
  return {};
}

// Rule 5: the first `count` units of op, already integrated, are the same kind with the same
// lamports. Units known only from a snapshot are compared by kind where the kind is known.
bool Rga::same_units(const Op& op, std::uint64_t count) const {
  const bool insert = std::holds_alternative<InsertOp>(op);
  const ReplicaId r = op_replica(op);
  const Seq s = op_seq(op);
  const Lamport lamport = op_lamport(op);
  for (Seq x = s; x < s + count;) {
    const UnitRef u = log_.find_unit(Id{r, x});
    WEFT_ASSERT(u.state != UnitRef::State::unseen);
    if (u.lv == no_lv) {  // a delete unit from before the snapshot
      if (insert) return false;
      ++x;
      continue;
    }
    const detail::Entry& e = log_.entries()[u.entry];
    if (e.is_element() != insert) return false;
    if (e.lamport + (x - e.seq) != lamport + (x - s)) return false;
    x = e.seq + log_.entry_units(u.entry);
  }
  return true;
}

Rga::Readiness Rga::check_ready(const Op& op, std::uint64_t n) {
  const ReplicaId r = op_replica(op);
  const Seq s = op_seq(op);
  // The author's index: the replicas do not change until integrate(), which reuses it.
  const auto author = log_.find_replica(r);
  const std::uint32_t replica_ix = author ? *author : no_lv;
  const Seq have = author ? log_.replica(*author).next_seq : 0;
  if (s > have) return {Check::wait, {}, Id{r, s - 1}, 0};
  if (s + n <= have) {
    if (!same_units(op, n)) return {Check::rejected, Errc::conflicting_duplicate, {}, 0};
    return {Check::duplicate, {}, {}, 0};
  }
  const std::uint64_t k = have - s;
  if (k > 0 && !same_units(op, k)) return {Check::rejected, Errc::conflicting_duplicate, {}, 0};
  const Lamport lamport = op_lamport(op) + k;

  if (const auto* ins = std::get_if<InsertOp>(&op)) {
    const Id parent = k > 0 ? Id{r, have - 1} : ins->parent;
    if (parent.replica == r && parent.seq >= have) {
      return {Check::rejected, Errc::self_reference, {}, 0};
    }
    Lamport parent_lamport = 0;
    Lv parent_lv = no_lv;
    if (parent != root_id) {
      const UnitRef u = log_.find_unit(parent);
      if (u.state == UnitRef::State::unseen) return {Check::wait, {}, parent, 0};
      if (u.state == UnitRef::State::delete_unit) {
        return {Check::rejected, Errc::parent_not_element, {}, 0};
      }
      // u.entry holds u.lv (find_unit), so this is key_of(u.lv).lamport without a search.
      const detail::Entry& e = log_.entries()[u.entry];
      parent_lamport = e.lamport + (u.lv - e.lv);
      parent_lv = u.lv;
    }
    if (author && lamport <= log_.replica(*author).last_lamport) {
      return {Check::rejected, Errc::lamport_not_increasing, {}, 0};
    }
    if (lamport <= parent_lamport) return {Check::rejected, Errc::heap_violation, {}, 0};
    return {Check::ready, {}, {}, k, replica_ix, parent_lv};
  }

  const auto& del = std::get<DeleteOp>(op);
  const std::vector<IdRange> trimmed_storage =
      k > 0 ? drop_units(del.targets, k) : std::vector<IdRange>{};
  const std::vector<IdRange>& targets = k > 0 ? trimmed_storage : del.targets;
  for (const IdRange& t : targets) {
    if (t.replica == r && t.seq + t.len > have) {
      return {Check::rejected, Errc::self_reference, {}, 0};
    }
  }
  for (const IdRange& t : targets) {
    if (t.seq + t.len > log_.next_seq(t.replica)) {
      return {Check::wait, {}, Id{t.replica, t.seq + t.len - 1}, 0};
    }
  }
  scratch_.clear();
  for (const IdRange& t : targets) {
    for (Seq x = t.seq; x < t.seq + t.len;) {
      const UnitRef u = log_.find_unit(Id{t.replica, x});
      if (u.state != UnitRef::State::element) {
        return {Check::rejected, Errc::target_not_element, {}, 0};
      }
      const detail::Entry& e = log_.entries()[u.entry];
      const Seq end = std::min(t.seq + t.len, e.seq + log_.entry_len(u.entry));
      const auto take = static_cast<std::uint32_t>(end - x);
      if (!scratch_.empty() && scratch_.back().lv + scratch_.back().len == u.lv) {
        scratch_.back().len += take;
      } else {
        scratch_.push_back(LvRange{u.lv, take});
      }
      x = end;
    }
  }
  if (author && lamport <= log_.replica(*author).last_lamport) {
    return {Check::rejected, Errc::lamport_not_increasing, {}, 0};
  }
  return {Check::ready, {}, {}, k, replica_ix, no_lv};
}

void Rga::integrate(const Op& op, std::uint64_t n, const Readiness& ready,
                    std::vector<Op>* integrated) {
  const std::uint64_t trim = ready.trim;
  const ReplicaId r = op_replica(op);
  const Seq seq = op_seq(op) + trim;
  const Lamport lamport = op_lamport(op) + trim;
  const auto units = static_cast<std::uint32_t>(n - trim);
  const std::uint32_t ix = ready.replica_ix != no_lv ? ready.replica_ix : log_.intern_replica(r);
  if (const auto* ins = std::get_if<InsertOp>(&op)) {
    const Id parent = trim > 0 ? Id{r, seq - 1} : ins->parent;
    const Lv parent_lv = ready.parent_lv;  // check_ready() found it: no_lv for ROOT
    const std::string_view text =
        std::string_view(ins->text).substr(trim > 0 ? utf8::byte_offset(ins->text, trim) : 0);
    const Lv lv = log_.append_insert(ix, seq, lamport, parent_lv, text, units);
    (void)place_insert(
        parent_lv == no_lv ? Cursor{content_.first_leaf(), 0, 0} : gap_after(locate(parent_lv)), lv,
        units, true);
    if (integrated) integrated->push_back(InsertOp{r, seq, lamport, parent, std::string(text)});
  } else {
    const auto& del = std::get<DeleteOp>(op);
    const Lv lv = log_.size();
    const std::uint32_t used =
        log_.append_erase(ix, seq, lamport, scratch_.data(), scratch_.size(), units);
    if (used > 0) index_append(lv, used, no_node);
    // Erasing is a set operation: join neighbouring units in either direction (a resent run of
    // backspaces lists one unit per target, highest first) so each range is located once.
    LvRange run{0, 0};
    for (const LvRange& range : scratch_) {
      if (run.len > 0 && run.lv + run.len == range.lv) {
        run.len += range.len;
      } else if (run.len > 0 && range.lv + range.len == run.lv) {
        run.lv = range.lv;
        run.len += range.len;
      } else {
        if (run.len > 0) (void)erase_range(run);
        run = range;
      }
    }
    if (run.len > 0) (void)erase_range(run);
    // A huge delete must not leave a huge scratch buffer behind.
    if (scratch_.capacity() > 1024) std::vector<LvRange>().swap(scratch_);
    if (integrated) {
      integrated->push_back(
          DeleteOp{r, seq, lamport, trim > 0 ? drop_units(del.targets, trim) : del.targets});
    }
  }
  clock_ = std::max(clock_, lamport + units - 1);
}

ApplyStatus Rga::apply_one(const Op& op, std::vector<Op>* integrated, std::uint64_t order,
                           bool retry, std::error_code& error) {
  std::uint64_t n = 0;
  if ((error = check_format(op, n))) return ApplyStatus::rejected;
  const Readiness ready = check_ready(op, n);
  switch (ready.check) {
    case Check::rejected:
      error = ready.error;
      return ApplyStatus::rejected;
    case Check::duplicate:
      return ApplyStatus::duplicate;
    case Check::wait: {
      const BufferShare share = buffer_share(op_replica(op));
      if (!retry && (pending_.size() >= limits_.max_buffered_ops ||
                     n > limits_.max_buffered_units - pending_units_ ||
                     share.ops >= limits_.max_buffered_ops_per_replica ||
                     n > limits_.max_buffered_units_per_replica -
                             std::min(share.units, limits_.max_buffered_units_per_replica))) {
        error = Errc::buffer_full;
        return ApplyStatus::rejected;
      }
      pending_.emplace(order, Pending{order, n, ready.awaited, op});
      pending_by_awaited_.emplace(ready.awaited, order);
      pending_by_author_.emplace(Id{op_replica(op), op_seq(op)}, order);
      pending_units_ += n;
      BufferShare& mine = pending_by_replica_[op_replica(op)];
      ++mine.ops;
      mine.units += n;
      return ApplyStatus::buffered;
    }
    case Check::ready:
      break;
  }
  // Capacity in LVs: an insert takes one per element, a delete op at most one (op_log.hpp).
  const std::uint64_t lvs = std::holds_alternative<InsertOp>(op) ? n - ready.trim : 1;
  if (log_.size() + lvs >= detail::max_units ||
      (ready.replica_ix == no_lv && log_.replica_count() >= detail::max_replicas)) {
    error = Errc::document_too_large;
    return ApplyStatus::rejected;
  }
  typing_.leaf = no_node;
  integrate(op, n, ready, integrated);
  return ApplyStatus::applied;
}

// Retries buffered ops whose awaited unit has arrived, earliest arrival first, until none is
// ready. Integrating an op of replica r can only make ops waiting on r's units ready.
void Rga::release_waiting(ReplicaId advanced, std::vector<Op>* integrated, ApplyResult& result) {
  std::vector<Pending> ready;
  const auto later = [](const Pending& a, const Pending& b) { return a.order > b.order; };
  const auto unindex = [](std::multimap<Id, std::uint64_t>& index, Id key, std::uint64_t order) {
    auto [it, end] = index.equal_range(key);
    while (it != end && it->second != order) ++it;
    WEFT_ASSERT(it != end);
    index.erase(it);
  };
  // Ops waiting for a unit of r that has arrived, and ops of r that r's new units now overlap.
  const auto collect = [&](ReplicaId r) {
    const Id below{r, log_.next_seq(r)};
    std::vector<std::uint64_t> orders;
    for (auto* index : {&pending_by_awaited_, &pending_by_author_}) {
      for (auto it = index->lower_bound(Id{r, 0}); it != index->end() && it->first < below; ++it) {
        orders.push_back(it->second);
      }
    }
    std::sort(orders.begin(), orders.end());
    orders.erase(std::unique(orders.begin(), orders.end()), orders.end());
    for (const std::uint64_t order : orders) {
      auto node = pending_.extract(order);
      Pending& p = node.mapped();
      unindex(pending_by_awaited_, p.awaited, order);
      unindex(pending_by_author_, Id{op_replica(p.op), op_seq(p.op)}, order);
      pending_units_ -= p.units;
      const auto share = pending_by_replica_.find(op_replica(p.op));
      WEFT_ASSERT(share != pending_by_replica_.end());
      share->second.units -= p.units;
      if (--share->second.ops == 0) pending_by_replica_.erase(share);
      ready.push_back(std::move(p));
      std::push_heap(ready.begin(), ready.end(), later);
    }
  };
  collect(advanced);
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), later);
    const Pending p = std::move(ready.back());
    ready.pop_back();
    std::error_code error;
    switch (apply_one(p.op, integrated, p.order, true, error)) {
      case ApplyStatus::applied:
        ++result.released;
        collect(op_replica(p.op));
        break;
      case ApplyStatus::rejected:
        ++result.dropped;
        result.dropped_ops.push_back({Id{op_replica(p.op), op_seq(p.op)}, error});
        break;
      case ApplyStatus::duplicate:
      case ApplyStatus::buffered:
        break;
    }
  }
}

std::string_view status_name(ApplyStatus status) {
  switch (status) {
    case ApplyStatus::applied:
      return "applied";
    case ApplyStatus::duplicate:
      return "duplicate";
    case ApplyStatus::buffered:
      return "buffered";
    case ApplyStatus::rejected:
      return "rejected";
  }
  return "unknown";
}

ApplyResult Rga::apply_remote(const Op& op, std::vector<Op>* integrated) {
  ApplyResult result;
  result.status = apply_one(op, integrated, pending_order_++, false, result.error);
  if (result.status == ApplyStatus::applied && !pending_.empty()) {
    release_waiting(op_replica(op), integrated, result);
  }
  return result;
}

}  // namespace weft::crdt
