// cmd_bisect.cpp — bisect: the first op after which a condition on the document holds.
//
// Text conditions walk forward once, keeping the number of occurrences of S up to date from each
// splice and the text around it (an occurrence that a splice creates or destroys overlaps it, so
// it lies within |S| - 1 code points of it). The invariant condition replays in child processes,
// since Rga::check_invariants() aborts when an invariant is broken.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crdt/utf8.hpp"
#include "tools/replay/commands.hpp"
#include "tools/replay/format.hpp"

namespace weft::replay {
namespace {

std::uint64_t occurrences(std::string_view text, std::string_view s) {
  std::uint64_t n = 0;
  for (auto at = text.find(s); at != std::string_view::npos; at = text.find(s, at + 1)) ++n;
  return n;
}

void print_found(const proto::OpRecord& record, const std::string& what) {
  std::printf("op %" PRIu64 " (%s, user %s, replica %" PRIu64 "): %s\n", record.index,
              format_time(record.server_time_us).c_str(), record.user_id.c_str(),
              crdt::op_replica(record.op), what.c_str());
}

int bisect_text(Context& ctx, const std::string& doc, std::uint64_t count, const std::string& s,
                bool want_contains) {
  if (s.empty()) {
    std::fprintf(stderr, "weft-replay: every text contains the empty string\n");
    return exit_failed;
  }
  Walker walker;
  walker.set_context(crdt::utf8::count_code_points(s).value_or(s.size()));
  std::uint64_t found = 0;
  bool held = !want_contains;  // the empty document does not contain S
  std::optional<proto::OpRecord> hit;
  auto walked = for_each_record(ctx, doc, 0, count, [&](const proto::OpRecord& record) {
    const Step step = walker.apply(record);
    for (const Splice& sp : step.splices) {
      const std::string was = sp.before + sp.deleted + sp.after;
      const std::string now = sp.before + sp.inserted + sp.after;
      found = found + occurrences(now, s) - occurrences(was, s);
    }
    const bool holds = want_contains == (found > 0);
    if (holds && !held) {
      hit = record;
      return false;
    }
    held = holds;
    return true;
  });
  if (!walked) return report(walked.error());
  const std::string what =
      (want_contains ? "the text first contains " : "the text no longer contains ") + quote(s);
  if (!hit) {
    std::printf("none of the %" PRIu64 " ops makes the text %s %s\n", count,
                want_contains ? "contain" : "stop containing", quote(s).c_str());
    return exit_failed;
  }
  print_found(*hit, what);
  return exit_ok;
}

// 0: the replica after records [0, upto) passes check_invariants(); 1: it does not (or the
// replay aborted); -1: the child could not be run.
int probe(const std::vector<proto::OpRecord>& records, std::uint64_t upto, bool quiet) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (quiet) {
      const int null = open("/dev/null", O_WRONLY);
      if (null >= 0) dup2(null, STDERR_FILENO);
    }
    crdt::Rga rga;
    for (std::uint64_t i = 0; i < upto; ++i) (void)rga.apply_remote(records[i].op);
    rga.check_invariants();
    _exit(0);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int bisect_invariant(Context& ctx, const std::string& doc, std::uint64_t count) {
  std::vector<proto::OpRecord> records;
  records.reserve(count);
  auto read = for_each_record(ctx, doc, 0, count, [&](const proto::OpRecord& record) {
    records.push_back(record);
    return true;
  });
  if (!read) return report(read.error());
  const int last = records.empty() ? 0 : probe(records, records.size(), true);
  if (last < 0) {
    std::fprintf(stderr, "weft-replay: cannot start a child process\n");
    return exit_failed;
  }
  if (last == 0) {
    std::printf("no op: the invariants hold after all %zu ops\n", records.size());
    return exit_failed;
  }
  // Broken after records [0, hi); find the least such hi >= 1.
  std::uint64_t lo = 1;
  std::uint64_t hi = records.size();
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    const int broken = probe(records, mid, true);
    if (broken < 0) return exit_failed;
    if (broken == 1) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  std::fprintf(stderr, "weft-replay: check_invariants() after op %" PRIu64 " says:\n", hi - 1);
  (void)probe(records, hi, false);
  print_found(records[hi - 1], "the replica's invariants first break");
  return exit_ok;
}

}  // namespace

int cmd_bisect(Context& ctx, const Parsed& parsed) {
  const std::string& doc = parsed.args[0];
  const int conditions = (parsed.has("--contains") ? 1 : 0) +
                         (parsed.has("--not-contains") ? 1 : 0) +
                         (parsed.has("--invariant") ? 1 : 0);
  if (conditions != 1) {
    return usage_error("bisect needs exactly one of --contains, --not-contains, --invariant",
                       parsed.spec);
  }
  auto count = op_count(ctx, doc);
  if (!count) return report(count.error());
  if (parsed.has("--invariant")) return bisect_invariant(ctx, doc, *count);
  if (const auto s = parsed.get("--contains")) return bisect_text(ctx, doc, *count, *s, true);
  return bisect_text(ctx, doc, *count, *parsed.get("--not-contains"), false);
}

}  // namespace weft::replay
