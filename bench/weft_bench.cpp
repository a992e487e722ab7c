// weft_bench.cpp — weft-bench: times the RGA replica on editing traces and prints one JSON object
// per measurement on stdout (nothing else goes there; diagnostics go to stderr).
//
//   weft-bench crdt [--trace PATH] [--runs N] [--warmup N] [--mode
//   local|remote|encode|load|merge|apply|all]
//   weft-bench storage [--data DIR] [--runs N] [--ops N] [--threads N]   (storage_bench.hpp)
//   weft-bench load [--docs D] [--clients-per-doc C] [--rate R] [--seconds S] [--max] ...
//                                                                            (load_bench.hpp)
//   weft-bench history --server HOST:PORT --doc ID [--runs N] [--token JWT] (history_bench.hpp)
//
// Without --trace, every sequential trace in traces_dir() runs (with --mode merge or apply: every
// concurrent one). bench/README.md describes the modes and the output.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/count_option.hpp"
#include "bench/history_bench.hpp"
#include "bench/load_bench.hpp"
#include "bench/replay.hpp"
#include "bench/storage_bench.hpp"
#include "bench/trace.hpp"
#include "crdt/rga.hpp"
#include "crdt/snapshot.hpp"

namespace {

using weft::bench::Trace;
using weft::bench::TraceKind;
namespace crdt = weft::crdt;

struct Options {
  std::optional<std::filesystem::path> trace;
  int runs = 7;
  int warmup = 1;
  std::string mode = "all";
};

struct Line {
  std::string mode;
  double ms = 0;
  std::size_t ops = 0;
  std::size_t bytes = 0;
  std::size_t mem_bytes = 0;
  bool ok = false;
};

// Keeps the compiler from treating `value` as unused, so the work that produced it stays.
template <class T>
void keep(const T& value) {
  asm volatile("" : : "r"(&value) : "memory");
}

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

double median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  return n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

// Runs `run(bool last)` warmup + runs times; run returns the milliseconds it measured, and sets
// the line's other fields when `last` is true (outside its timed region).
template <class Run>
double measure(const Options& options, Run&& run) {
  std::vector<double> samples;
  const int total = options.warmup + options.runs;
  for (int i = 0; i < total; ++i) {
    const double ms = run(i == total - 1);
    if (i >= options.warmup) samples.push_back(ms);
  }
  return median(std::move(samples));
}

// The trace typed into replica 1: the source of ops and snapshots for remote, encode and load.
std::optional<crdt::Rga> build_local(const Trace& trace) {
  crdt::Rga rga{1};
  if (auto done = weft::bench::replay_local(rga, trace.patches); !done) {
    std::fprintf(stderr, "weft-bench: %s: patch %zu: %s\n", trace.name.c_str(), done.error().patch,
                 done.error().message.c_str());
    return std::nullopt;
  }
  return rga;
}

// Says on stderr after which patch a replica replaying `trace` first departs from a plain replay.
void report_divergence(const Trace& trace) {
  const auto d = weft::bench::find_divergence(trace);
  if (!d) {
    std::fprintf(stderr,
                 "weft-bench: %s: the replica follows a plain replay, yet misses endContent\n",
                 trace.name.c_str());
    return;
  }
  const auto quoted = [](const std::string& text) {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  std::fprintf(stderr,
               "weft-bench: %s: first wrong after patch %zu of %zu (%s), at byte %llu\n"
               "  expected %s\n  actual   %s\n",
               trace.name.c_str(), d->patch, trace.patches.size(), d->note.c_str(),
               static_cast<unsigned long long>(d->offset), quoted(d->expected).c_str(),
               quoted(d->actual).c_str());
}

Line run_local(const Trace& trace, const Options& options) {
  Line line{"local", 0, trace.patches.size(), 0, 0, false};
  line.ms = measure(options, [&](bool last) {
    crdt::Rga rga{1};
    const auto start = std::chrono::steady_clock::now();
    const bool replayed = weft::bench::replay_local(rga, trace.patches).has_value();
    const double ms = elapsed_ms(start);
    keep(rga);
    if (last) {
      line.ok = replayed && rga.text() == trace.end_content;
      line.mem_bytes = rga.memory_bytes();
      if (!line.ok) report_divergence(trace);
    }
    return ms;
  });
  return line;
}

Line run_remote(const Trace& trace, const crdt::Rga& source, const Options& options) {
  Line line{"remote", 0, 0, 0, 0, false};
  const auto ops = source.ops_since({});
  if (!ops) {
    std::fprintf(stderr, "weft-bench: %s: ops_since: %s\n", trace.name.c_str(),
                 ops.error().message().c_str());
    return line;
  }
  line.ops = ops->size();
  line.ms = measure(options, [&](bool last) {
    crdt::Rga rga;
    std::size_t applied = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const crdt::Op& op : *ops) {
      applied += rga.apply_remote(op).status == crdt::ApplyStatus::applied ? 1 : 0;
    }
    const double ms = elapsed_ms(start);
    keep(rga);
    if (last) {
      line.ok = applied == ops->size() && rga.text() == trace.end_content;
      line.mem_bytes = rga.memory_bytes();
    }
    return ms;
  });
  return line;
}

// Encodes the source's snapshot, then loads it (both timed separately): the encode and load lines.
std::vector<Line> run_snapshot(const Trace& trace, const crdt::Rga& source,
                               const Options& options) {
  Line encode{"encode", 0, 0, 0, 0, false};
  Line load{"load", 0, 0, 0, 0, false};
  std::string bytes;
  encode.ms = measure(options, [&](bool /*last*/) {
    const auto start = std::chrono::steady_clock::now();
    std::string encoded = crdt::encode_snapshot(source.snapshot());
    const double ms = elapsed_ms(start);
    keep(encoded);
    bytes = std::move(encoded);
    return ms;
  });
  load.ms = measure(options, [&](bool last) {
    const auto start = std::chrono::steady_clock::now();
    auto snapshot = crdt::decode_snapshot(bytes);
    auto loaded = snapshot ? crdt::Rga::from_snapshot(*snapshot)
                           : crdt::Result<crdt::Rga>{tl::unexpected(snapshot.error())};
    const double ms = elapsed_ms(start);
    keep(loaded);
    if (last) {
      if (!loaded) {
        std::fprintf(stderr, "weft-bench: %s: snapshot does not load: %s\n", trace.name.c_str(),
                     loaded.error().message().c_str());
      }
      load.ok = loaded && loaded->text() == trace.end_content;
      load.mem_bytes = loaded ? loaded->memory_bytes() : 0;
    }
    return ms;
  });
  encode.bytes = load.bytes = bytes.size();
  encode.ok = load.ok;
  encode.mem_bytes = load.mem_bytes;
  return {encode, load};
}

// The whole concurrent replay, final sync included. Positions are clamped so that git-makefile
// (whose positions drift from RGA's order) completes; its line then says ok: false, since its
// text differs from endContent.
Line run_merge(const Trace& trace, const Options& options) {
  Line line{"merge", 0, trace.patches.size(), 0, 0, false};
  weft::bench::ConcurrentOptions replay_options;
  replay_options.clamp_positions = true;
  line.ms = measure(options, [&](bool last) {
    const auto start = std::chrono::steady_clock::now();
    auto outcome = weft::bench::replay_concurrent(trace, replay_options);
    const double ms = elapsed_ms(start);
    keep(outcome);
    if (!last) return ms;
    if (!outcome) {
      std::fprintf(stderr, "weft-bench: %s: txn %zu, patch %zu: %s\n", trace.name.c_str(),
                   outcome.error().txn, outcome.error().patch, outcome.error().message.c_str());
      return ms;
    }
    const auto& texts = outcome->texts;
    const bool converged = std::all_of(texts.begin(), texts.end(),
                                       [&](const std::string& t) { return t == texts.front(); });
    line.ok = converged && !texts.empty() && texts.front() == trace.end_content;
    line.mem_bytes = *std::max_element(outcome->memory_bytes.begin(), outcome->memory_bytes.end());
    if (!line.ok) {
      std::fprintf(stderr, "weft-bench: %s: replicas %s; text %s endContent (%zu vs %zu bytes)\n",
                   trace.name.c_str(), converged ? "converged" : "DIVERGED",
                   texts.front() == trace.end_content ? "equals" : "differs from",
                   texts.front().size(), trace.end_content.size());
    }
    return ms;
  });
  return line;
}

// One fresh replica receiving every op of the concurrent replay (the ops each agent's local edits
// made, generated once, untimed) in trace order, one transaction at a time, through
// apply_remote(): what a client or the server does with remote updates. An op whose dependencies
// have not arrived would be buffered by the replica and released later, as anywhere else; in trace
// order none is. ok: no op rejected or duplicate, nothing left buffered, the text equals the
// simulation's converged replicas and, unless the simulation had to clamp positions (git-makefile:
// the trace's positions drift from RGA's order, so endContent is out of reach), endContent.
Line run_apply(const Trace& trace, const Options& options) {
  Line line{"apply", 0, 0, 0, 0, false};
  weft::bench::ConcurrentOptions replay_options;
  replay_options.clamp_positions = true;
  replay_options.keep_ops = true;
  const auto outcome = weft::bench::replay_concurrent(trace, replay_options);
  if (!outcome) {
    std::fprintf(stderr, "weft-bench: %s: txn %zu, patch %zu: %s\n", trace.name.c_str(),
                 outcome.error().txn, outcome.error().patch, outcome.error().message.c_str());
    return line;
  }
  const auto& texts = outcome->texts;
  const std::vector<crdt::Op>& ops = outcome->ops;
  const std::vector<std::size_t>& ops_end = outcome->ops_end;
  const bool converged =
      !texts.empty() && std::all_of(texts.begin(), texts.end(),
                                    [&](const std::string& t) { return t == texts.front(); });
  line.ops = ops.size();
  line.ms = measure(options, [&](bool last) {
    crdt::Rga rga;
    std::size_t applied = 0;   // applied when it arrived
    std::size_t buffered = 0;  // buffered when it arrived
    std::size_t released = 0;  // integrated when a later op arrived
    std::size_t begin = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const std::size_t end : ops_end) {
      for (std::size_t i = begin; i < end; ++i) {
        const crdt::ApplyResult result = rga.apply_remote(ops[i]);
        applied += result.status == crdt::ApplyStatus::applied ? 1 : 0;
        buffered += result.status == crdt::ApplyStatus::buffered ? 1 : 0;
        released += result.released;
      }
      begin = end;
    }
    const double ms = elapsed_ms(start);
    keep(rga);
    if (!last) return ms;
    const std::string text = rga.text();
    const bool check_end = outcome->clamped_patches == 0;
    const bool integrated = applied + buffered == ops.size() && released == buffered &&
                            rga.buffered_ops() == 0 && begin == ops.size();
    line.ok = converged && integrated && text == texts.front() &&
              (!check_end || text == trace.end_content);
    line.mem_bytes = rga.memory_bytes();
    if (!line.ok || buffered != 0 || !check_end) {
      std::fprintf(stderr,
                   "weft-bench: %s: apply: %zu ops, %zu applied on arrival, %zu buffered, %zu "
                   "released, %zu left; replicas %s; text %s theirs; %s (%zu vs %zu bytes)\n",
                   trace.name.c_str(), ops.size(), applied, buffered, released, rga.buffered_ops(),
                   converged ? "converged" : "DIVERGED",
                   converged && text == texts.front() ? "equals" : "differs from",
                   !check_end ? "endContent not checked: the simulation clamped positions"
                   : text == trace.end_content ? "equals endContent"
                                               : "differs from endContent",
                   text.size(), trace.end_content.size());
    }
    return ms;
  });
  return line;
}

void print(const Trace& trace, const Line& line, const Options& options) {
  nlohmann::ordered_json out;
  out["bench"] = "crdt";
  out["trace"] = trace.name;
  out["mode"] = line.mode;
  out["ms"] = std::round(line.ms * 1000) / 1000;
  out["runs"] = options.runs;
  out["ops"] = line.ops;
  out["bytes"] = line.bytes;
  out["mem_bytes"] = line.mem_bytes;
  out["ok"] = line.ok;
  std::printf("%s\n", out.dump().c_str());
  std::fflush(stdout);
}

// Runs the modes options.mode asks for on one trace; false if any line is not ok.
bool run_trace(const Trace& trace, const Options& options) {
  std::vector<Line> lines;
  const std::string& mode = options.mode;
  if (trace.kind == TraceKind::concurrent) {
    if (mode == "merge" || mode == "all") lines.push_back(run_merge(trace, options));
    if (mode == "apply" || mode == "all") lines.push_back(run_apply(trace, options));
  } else {
    if (mode == "local" || mode == "all") lines.push_back(run_local(trace, options));
    if (mode != "local") {
      const std::optional<crdt::Rga> source = build_local(trace);
      if (!source) return false;
      if (mode == "remote" || mode == "all") lines.push_back(run_remote(trace, *source, options));
      if (mode == "encode" || mode == "load" || mode == "all") {
        for (const Line& line : run_snapshot(trace, *source, options)) {
          if (mode == "all" || mode == line.mode) lines.push_back(line);
        }
      }
    }
  }
  bool ok = true;
  for (const Line& line : lines) {
    print(trace, line, options);
    ok = ok && line.ok;
  }
  return ok;
}

int usage(const char* why) {
  std::fprintf(stderr,
               "weft-bench: %s\nusage: weft-bench crdt [--trace PATH] [--runs N] [--warmup N] "
               "[--mode local|remote|encode|load|merge|apply|all]\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view{argv[1]} == "storage") {
    return weft::bench::storage_main(argc - 2, argv + 2);
  }
  if (argc >= 2 && std::string_view{argv[1]} == "history") {
    return weft::bench::history_main(argc - 2, argv + 2);
  }
  if (argc >= 2 && std::string_view{argv[1]} == "load") {
    return weft::bench::load_main(argc - 2, argv + 2);
  }
  if (argc < 2 || std::string_view{argv[1]} != "crdt") {
    return usage("benchmarks: crdt, storage, load");
  }
  Options options;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return usage("an option needs a value");
    const char* value = argv[++i];
    if (arg == "--trace") {
      options.trace = value;
    } else if (arg == "--mode") {
      options.mode = value;
    } else if (arg == "--runs" || arg == "--warmup") {
      const auto count = weft::bench::parse_count(value, arg == "--runs" ? 1 : 0);
      if (!count) return usage("--runs needs N >= 1, --warmup N >= 0");
      (arg == "--runs" ? options.runs : options.warmup) = *count;
    } else {
      return usage("unknown option");
    }
  }
  const std::string_view mode = options.mode;
  if (mode != "local" && mode != "remote" && mode != "encode" && mode != "load" &&
      mode != "merge" && mode != "apply" && mode != "all") {
    return usage("unknown mode");
  }

  std::vector<std::filesystem::path> paths;
  if (options.trace) {
    paths.push_back(*options.trace);
  } else {
    paths = weft::bench::list_traces(weft::bench::traces_dir());
    if (paths.empty()) {
      std::fprintf(stderr, "weft-bench: no *.json.gz traces in %s (set WEFT_TRACES_DIR)\n",
                   weft::bench::traces_dir().c_str());
      return 1;
    }
  }
  bool ok = true;
  for (const auto& path : paths) {
    // Without --trace, merge and apply run the concurrent traces, every other mode the sequential
    // ones.
    const bool want_concurrent = mode == "merge" || mode == "apply";
    if (!options.trace && weft::bench::looks_concurrent(path) != want_concurrent) continue;
    auto trace = weft::bench::load_trace(path);
    if (!trace) {
      std::fprintf(stderr, "weft-bench: %s\n", trace.error().message.c_str());
      ok = false;
      continue;
    }
    const bool concurrent = trace->kind == TraceKind::concurrent;
    if (concurrent != want_concurrent && !(options.trace && mode == "all")) {
      if (options.trace) {
        std::fprintf(stderr, "weft-bench: %s is %s: use --mode %s\n", trace->name.c_str(),
                     concurrent ? "concurrent" : "sequential",
                     concurrent ? "merge, apply or all" : "local, remote, encode, load or all");
        ok = false;
      }
      continue;
    }
    ok = run_trace(*trace, options) && ok;
  }
  return ok ? 0 : 1;
}
