// walker.cpp — one record at a time: integrate, then mirror the change in the shadow text.
#include "tools/replay/walker.hpp"

#include <algorithm>
#include <utility>
#include <variant>

namespace weft::replay {

crdt::Result<Walker> Walker::from_snapshot(const proto::SnapshotRecord& snapshot) {
  auto rga = crdt::Rga::from_snapshot(snapshot.state);
  if (!rga) return crdt::fail(rga.error());
  Walker walker;
  walker.rga_ = std::move(*rga);
  walker.text_.assign(snapshot.state.text);
  walker.next_index_ = snapshot.log_index;
  return walker;
}

Splice Walker::make_splice(std::uint64_t pos, std::uint64_t del, std::string inserted) const {
  Splice s;
  s.pos = pos;
  s.deleted = text_.substr(pos, del);
  s.inserted = std::move(inserted);
  if (context_ > 0) {
    const std::uint64_t from = pos > context_ ? pos - context_ : 0;
    s.before = text_.substr(from, pos - from);
    s.after = text_.substr(pos + del, context_);
  }
  return s;
}

// Replaces the shadow text with the replica's, as one splice covering what differs.
void Walker::resync(Step& step) {
  step.resynced = true;
  const bench::GapText now{rga_.text()};
  const std::uint64_t a = text_.size();
  const std::uint64_t b = now.size();
  std::uint64_t prefix = 0;
  while (prefix < a && prefix < b && text_.at(prefix) == now.at(prefix)) ++prefix;
  std::uint64_t suffix = 0;
  while (suffix < a - prefix && suffix < b - prefix &&
         text_.at(a - 1 - suffix) == now.at(b - 1 - suffix)) {
    ++suffix;
  }
  if (prefix + suffix < a || prefix + suffix < b) {
    step.splices.push_back(
        make_splice(prefix, a - prefix - suffix, now.substr(prefix, b - prefix - suffix)));
  }
  text_ = now;
}

crdt::ApplyResult Walker::skip(const proto::OpRecord& record) {
  next_index_ = record.index + 1;
  text_stale_ = true;
  return rga_.apply_remote(record.op);
}

void Walker::sync_text() {
  if (!text_stale_) return;
  text_.assign(rga_.text());
  text_stale_ = false;
}

Step Walker::apply(const proto::OpRecord& record) {
  sync_text();
  Step step;
  next_index_ = record.index + 1;
  const auto* del = std::get_if<crdt::DeleteOp>(&record.op);
  if (del != nullptr) {
    const std::uint64_t length = rga_.length();
    for (const crdt::IdRange& range : del->targets) {
      for (std::uint64_t k = 0; k < range.len; ++k) {
        const crdt::Id id{range.replica, range.seq + k};
        const auto pos = rga_.position_of(id);
        if (!pos || *pos >= length) continue;
        const auto at = rga_.id_at(*pos);
        if (at && *at == id) step.positions.push_back(*pos);
      }
    }
    std::sort(step.positions.begin(), step.positions.end());
  }
  integrated_.clear();
  const crdt::ApplyResult result = rga_.apply_remote(record.op, &integrated_);
  step.status = result.status;
  step.error = result.error;
  if (integrated_.empty()) return step;
  if (integrated_.size() != 1 || integrated_.front() != record.op) {
    resync(step);
  } else if (const auto* ins = std::get_if<crdt::InsertOp>(&record.op)) {
    const auto pos = rga_.position_of(crdt::Id{ins->replica, ins->seq});
    if (!pos) {
      resync(step);
      return step;
    }
    step.positions.push_back(*pos);
    step.splices.push_back(make_splice(*pos, 0, ins->text));
    (void)text_.splice(*pos, 0, ins->text);  // a refused splice fails the size check below
  } else {
    const auto& p = step.positions;
    for (std::size_t end = p.size(); end > 0;) {
      std::size_t begin = end - 1;
      while (begin > 0 && p[begin - 1] + 1 == p[begin]) --begin;
      step.splices.push_back(make_splice(p[begin], end - begin, {}));
      (void)text_.splice(p[begin], end - begin, {});
      end = begin;
    }
  }
  if (text_.size() != rga_.length()) {
    step.splices.clear();
    resync(step);
  }
  return step;
}

}  // namespace weft::replay
