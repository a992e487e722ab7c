// restore_ops.cpp — restore_ops(): one walk of the live replica's runs in document order, each
// element looked up among the target's runs.
#include "server/documents/restore_ops.hpp"

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace weft::server::documents {
namespace {

// Where the target's elements are: per replica, its runs by first seq.
class TargetIndex {
 public:
  explicit TargetIndex(const crdt::Rga& target) : text_(target.text()) {
    for (std::size_t i = 0; i < text_.size(); ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) starts_.push_back(i);
    }
    std::uint64_t visible = 0;
    for (const crdt::ElementRun& run : target.runs()) {
      runs_[run.replica].emplace(run.seq, Run{run.len, run.deleted, visible});
      if (!run.deleted) visible += run.len;
    }
  }

  // The UTF-8 of element `id` if the target has it visible; nullopt if deleted or absent.
  [[nodiscard]] std::optional<std::string_view> visible_text(crdt::Id id) const {
    const auto replica = runs_.find(id.replica);
    if (replica == runs_.end()) return std::nullopt;
    auto it = replica->second.upper_bound(id.seq);
    if (it == replica->second.begin()) return std::nullopt;
    --it;
    const auto& [first_seq, run] = *it;
    if (id.seq - first_seq >= run.len || run.deleted) return std::nullopt;
    const std::uint64_t at = run.first_visible + (id.seq - first_seq);
    const std::size_t begin = starts_[at];
    const std::size_t end = at + 1 < starts_.size() ? starts_[at + 1] : text_.size();
    return std::string_view(text_).substr(begin, end - begin);
  }

 private:
  struct Run {
    std::uint64_t len = 0;
    bool deleted = false;
    std::uint64_t first_visible = 0;  // its first element's index among the visible ones
  };
  std::string text_;
  std::vector<std::size_t> starts_;  // byte offset of each code point of text_
  std::map<crdt::ReplicaId, std::map<crdt::Seq, Run>> runs_;
};

// Makes the ops in order, numbering them from next_seq and live.clock() + 1.
class OpMaker {
 public:
  OpMaker(crdt::ReplicaId self, crdt::Seq next_seq, crdt::Lamport clock, std::uint64_t max_run)
      : self_(self),
        seq_(next_seq),
        lamport_(clock + 1),
        max_run_(std::max<std::uint64_t>(1, max_run)) {}

  void erase(crdt::Id id) {
    if (!targets_.empty() && targets_.back().replica == id.replica &&
        targets_.back().seq + targets_.back().len == id.seq && target_units_ < max_run_) {
      ++targets_.back().len;
    } else {
      if (target_units_ == max_run_) flush_erase();
      targets_.push_back({id.replica, id.seq, 1});
    }
    ++target_units_;
    ++out_.deleted;
  }

  // Appends one code point to the stretch typed after `parent` (the current one if open).
  void retype(crdt::Id parent, std::string_view code_point) {
    if (stretch_units_ == 0) stretch_parent_ = parent;
    if (stretch_units_ == max_run_) flush_insert();
    stretch_ += code_point;
    ++stretch_units_;
    ++out_.inserted;
  }

  void end_stretch() { flush_insert(); }

  RestoreOps finish() && {
    flush_insert();
    flush_erase();
    return std::move(out_);
  }

 private:
  void flush_insert() {
    if (stretch_units_ == 0) return;
    out_.ops.emplace_back(
        crdt::InsertOp{self_, seq_, lamport_, stretch_parent_, std::move(stretch_)});
    stretch_parent_ = crdt::Id{self_, seq_ + stretch_units_ - 1};  // a split stretch chains on
    advance(stretch_units_);
    stretch_.clear();
    stretch_units_ = 0;
  }

  void flush_erase() {
    if (target_units_ == 0) return;
    out_.ops.emplace_back(crdt::DeleteOp{self_, seq_, lamport_, std::move(targets_)});
    advance(target_units_);
    targets_.clear();
    target_units_ = 0;
  }

  void advance(std::uint64_t units) {
    seq_ += units;
    lamport_ += units;
  }

  crdt::ReplicaId self_;
  crdt::Seq seq_;
  crdt::Lamport lamport_;
  std::uint64_t max_run_;
  RestoreOps out_;
  std::vector<crdt::IdRange> targets_;
  std::uint64_t target_units_ = 0;
  std::string stretch_;
  crdt::Id stretch_parent_ = crdt::root_id;
  std::uint64_t stretch_units_ = 0;
};

}  // namespace

RestoreOps restore_ops(const crdt::Rga& live, const crdt::Rga& target, crdt::ReplicaId self,
                       crdt::Seq next_seq, std::uint64_t max_run) {
  const TargetIndex index(target);
  OpMaker maker(self, next_seq, live.clock(), max_run);
  crdt::Id previous = crdt::root_id;  // the element before, in live's order, whatever its state
  for (const crdt::ElementRun& run : live.runs()) {
    for (std::uint64_t k = 0; k < run.len; ++k) {
      const crdt::Id id{run.replica, run.seq + k};
      const std::optional<std::string_view> wanted = index.visible_text(id);
      if (!run.deleted) {
        // A visible element ends the stretch before it: what follows it goes after it.
        maker.end_stretch();
        if (!wanted) maker.erase(id);
      } else if (wanted) {
        maker.retype(previous, *wanted);
      }
      previous = id;
    }
  }
  return std::move(maker).finish();
}

}  // namespace weft::server::documents
