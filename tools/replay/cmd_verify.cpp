// cmd_verify.cpp — verify: replay each log from scratch and compare with the stored snapshots;
// salvage: keep what a damaged write-ahead log still holds, then verify it.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "storage/document_loader.hpp"
#include "tools/replay/commands.hpp"
#include "tools/replay/format.hpp"

namespace weft::replay {
namespace {

// How `actual` (a full replay) differs from the stored state `expected`; empty if it does not.
std::string compare(const crdt::Rga& actual, const crdt::Snapshot& expected) {
  const std::string text = actual.text();
  if (text != expected.text) {
    const auto [a, e] =
        std::mismatch(text.begin(), text.end(), expected.text.begin(), expected.text.end());
    const auto at = static_cast<std::size_t>(a - text.begin());
    const std::size_t from = at > 20 ? at - 20 : 0;
    return "text differs at byte " + std::to_string(at) + ": replay " +
           quote(text.substr(from, 60)) + ", stored " +
           quote(expected.text.substr(std::min(from, expected.text.size()), 60));
  }
  const std::vector<crdt::ElementRun> runs = actual.runs();
  if (runs != expected.runs) {
    const auto [a, e] =
        std::mismatch(runs.begin(), runs.end(), expected.runs.begin(), expected.runs.end());
    return "runs differ from run " + std::to_string(a - runs.begin()) + " (replay has " +
           std::to_string(runs.size()) + " runs, stored " + std::to_string(expected.runs.size()) +
           ")";
  }
  const crdt::Snapshot mine = actual.snapshot();
  if (mine.replicas != expected.replicas || mine.clock != expected.clock) {
    return "same text and runs, but the replica counters or the clock differ";
  }
  return {};
}

// Checks one document; prints one line (or more on problems). True if it is sound.
bool verify_document(Context& ctx, const std::string& doc) {
  const auto problem = [&](const std::string& what) {
    std::printf("FAILED  %s: %s\n", doc.c_str(), what.c_str());
    return false;
  };
  auto loaded = ctx.store.load(doc);
  if (!loaded) return problem(loaded.error().message);
  auto snapshots = ctx.store.read_snapshots(doc);
  if (!snapshots) return problem(snapshots.error().message);
  std::sort(snapshots->begin(), snapshots->end(),
            [](const auto& a, const auto& b) { return a.log_index < b.log_index; });
  crdt::Rga rga;
  bool sound = true;
  std::size_t next_snapshot = 0;
  const auto check_snapshots = [&](std::uint64_t applied) {
    for (; next_snapshot < snapshots->size() && (*snapshots)[next_snapshot].log_index == applied;
         ++next_snapshot) {
      const std::string diff = compare(rga, (*snapshots)[next_snapshot].state);
      if (!diff.empty()) {
        sound = problem("snapshot at log index " + std::to_string(applied) + ": " + diff);
      }
    }
  };
  check_snapshots(0);
  std::optional<storage::StoreError> failure;
  auto walked = for_each_record(ctx, doc, 0, loaded->next_index, [&](const proto::OpRecord& r) {
    if (auto applied = storage::apply_record(rga, doc, r); !applied) {
      failure = applied.error();
      return false;
    }
    check_snapshots(r.index + 1);
    return true;
  });
  if (!walked) return problem(walked.error().message);
  if (failure) return problem(failure->message);
  for (; next_snapshot < snapshots->size(); ++next_snapshot) {
    sound =
        problem("snapshot at log index " + std::to_string((*snapshots)[next_snapshot].log_index) +
                " is beyond the log (" + std::to_string(loaded->next_index) + " ops)");
  }
  auto materialized = storage::materialize(*loaded);
  if (!materialized) return problem("load() does not materialize: " + materialized.error().message);
  const std::string diff = compare(rga, materialized->snapshot());
  if (!diff.empty())
    sound = problem("load() (newest snapshot + tail) differs from the replay: " + diff);
  if (sound) {
    std::printf("ok      %s: %" PRIu64 " ops replayed, %zu snapshots match\n", doc.c_str(),
                loaded->next_index, snapshots->size());
  }
  return sound;
}

}  // namespace

int cmd_verify(Context& ctx, const Parsed& parsed) {
  std::vector<std::string> docs;
  if (!parsed.args.empty()) {
    if (auto count = op_count(ctx, parsed.args[0]);
        !count && count.error().code == storage::Errc::not_found) {
      return report(count.error());
    }
    docs.push_back(parsed.args[0]);
  } else {
    auto listed = ctx.store.list();
    if (!listed) return report(listed.error());
    for (const auto& d : *listed) docs.push_back(d.id);
  }
  // Every block of every table file, including those no document read touches.
  bool files_sound = true;
  if (ctx.files != nullptr) {
    if (const std::string& note = ctx.files->recovery_note(); !note.empty()) {
      std::printf("FAILED  store files: %s\n", note.c_str());
      files_sound = false;
    }
    if (auto checked = ctx.files->verify_files(); !checked) {
      std::printf("FAILED  store files: %s\n", checked.error().message.c_str());
      files_sound = false;
    }
  }
  std::size_t failed = 0;
  for (const std::string& doc : docs) failed += verify_document(ctx, doc) ? 0 : 1;
  std::printf("verify: %zu documents, %zu failed%s\n", docs.size(), failed,
              files_sound ? "" : "; the store's files are damaged");
  return failed == 0 && files_sound ? exit_ok : exit_failed;
}

int cmd_salvage(Context& ctx, const Parsed& parsed) {
  // main() opens a data directory with salvage_wal for it, and refuses --log and --redis.
  if (ctx.files == nullptr) {
    return usage_error("salvage needs --data DIR (it repairs a RocksDB write-ahead log)",
                       parsed.spec);
  }
  const std::string& note = ctx.files->recovery_note();
  std::printf("salvage: %s\n",
              note.empty() ? "the write-ahead log is intact; nothing was dropped" : note.c_str());
  // Into table files, so that the damaged log is no longer needed and a plain open succeeds.
  if (auto compacted = ctx.files->compact(); !compacted) return report(compacted.error());
  auto listed = ctx.store.list();
  if (!listed) return report(listed.error());
  bool files_sound = true;
  if (auto checked = ctx.files->verify_files(); !checked) {
    std::printf("FAILED  store files: %s\n", checked.error().message.c_str());
    files_sound = false;
  }
  std::size_t failed = 0;
  for (const auto& doc : *listed) failed += verify_document(ctx, doc.id) ? 0 : 1;
  std::printf("salvage: %zu documents kept, %zu failed verification%s\n", listed->size(), failed,
              files_sound ? "" : "; the store's files are damaged");
  return failed == 0 && files_sound ? exit_ok : exit_failed;
}

}  // namespace weft::replay
