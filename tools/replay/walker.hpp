// walker.hpp — Walker: replays log records one at a time into a replica and a shadow text (a
// bench::GapText), and says what each record did to the text (positions, deleted and inserted
// characters).
//
// Every command that looks at history is built on it: log, step, text --at, bisect, blame and
// export --format trace. The replica is the authority: the shadow text follows it splice by splice,
// and is rebuilt from Rga::text() whenever an op integrates in a way the fast path does not
// model (trimmed duplicates, buffered ops released later).
#pragma once

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "bench/gap_text.hpp"
#include "crdt/rga.hpp"
#include "proto/records.hpp"

namespace weft::replay {

// One change to the visible text: remove `deleted` at `pos`, then insert `inserted` at `pos`.
// Splices of one record apply one after another (several only for deletes of scattered
// characters, in descending position order so that each position is valid when applied).
struct Splice {
  std::uint64_t pos = 0;
  std::string deleted;
  std::string inserted;
  std::string before;  // up to Walker::context code points left of the change
  std::string after;   // and right of it (after the deleted text), before the change
};

struct Step {
  crdt::ApplyStatus status = crdt::ApplyStatus::applied;
  std::error_code error;  // set iff status == rejected
  // Insert: position of the first inserted element after applying. Delete: positions of the
  // live targets before applying, ascending.
  std::vector<std::uint64_t> positions;
  std::vector<Splice> splices;
  bool resynced = false;  // the text was rebuilt from the replica (see above)
};

class Walker {
 public:
  Walker() = default;
  // Continues from a snapshot covering log records [0, snapshot.log_index).
  [[nodiscard]] static crdt::Result<Walker> from_snapshot(const proto::SnapshotRecord& snapshot);

  Step apply(const proto::OpRecord& record);
  // Integrates `record` into the replica only, for fast catching up; the text follows at the
  // next apply() or text() call. Returns what the replica did with it: a record that is
  // rejected or buffered did not apply, and the text after it is not the document's.
  [[nodiscard]] crdt::ApplyResult skip(const proto::OpRecord& record);

  // Index of the next record this walker expects.
  [[nodiscard]] std::uint64_t next_index() const { return next_index_; }
  [[nodiscard]] const crdt::Rga& rga() const { return rga_; }
  [[nodiscard]] const bench::GapText& text() {
    sync_text();
    return text_;
  }
  void set_context(std::uint64_t code_points) { context_ = code_points; }

 private:
  Splice make_splice(std::uint64_t pos, std::uint64_t del, std::string inserted) const;
  void resync(Step& step);
  void sync_text();

  crdt::Rga rga_;
  bench::GapText text_;
  std::uint64_t next_index_ = 0;
  std::uint64_t context_ = 0;
  std::vector<crdt::Op> integrated_;
  bool text_stale_ = false;  // skip() ran since the text was last brought up to date
};

}  // namespace weft::replay
