// sequential_trace_test.cpp — every sequential editing trace, replayed as local edits, ends
// exactly at its endContent; its snapshot and its ops rebuild the same document elsewhere.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "bench/replay.hpp"
#include "bench/trace.hpp"
#include "crdt/rga.hpp"
#include "crdt/snapshot.hpp"
#include "crdt/utf8.hpp"
#include "tests/temp_dir.hpp"

namespace {

namespace bench = weft::bench;
namespace crdt = weft::crdt;

// check_invariants() is O(n): every 10,000 patches keeps it to a few dozen calls per trace.
constexpr std::size_t check_every = 10000;

// Every sequential trace file, top level and ascii_only/ (README of ../shared/traces).
#define WEFT_SEQUENTIAL_TRACES(X)     \
  X("automerge-paper")                \
  X("clownschool_flat")               \
  X("egwalker")                       \
  X("friendsforever_flat")            \
  X("json-crdt-blog-post")            \
  X("json-crdt-patch")                \
  X("rustcode")                       \
  X("seph-blog1")                     \
  X("sveltecomponent")                \
  X("ascii_only/automerge-paper")     \
  X("ascii_only/clownschool_flat")    \
  X("ascii_only/friendsforever_flat") \
  X("ascii_only/json-crdt-blog-post") \
  X("ascii_only/json-crdt-patch")     \
  X("ascii_only/rustcode")            \
  X("ascii_only/seph-blog1")          \
  X("ascii_only/sveltecomponent")

std::string quoted(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return '"' + out + '"';
}

// Fails with the first patch after which the replica departs from a plain reference replay.
void report_divergence(const bench::Trace& trace) {
  const auto d = bench::find_divergence(trace);
  if (!d) {
    FAIL_CHECK(trace.name << ": the replica follows the reference replay but not endContent");
    return;
  }
  FAIL_CHECK(trace.name << ": first wrong after patch " << d->patch << " of "
                        << trace.patches.size() << " (" << d->note << "), at byte " << d->offset
                        << "\n  expected " << quoted(d->expected) << "\n  actual   "
                        << quoted(d->actual));
}

// The snapshot round-trips to the same text, runs and version.
void check_snapshot_round_trip(const crdt::Rga& rga, const bench::Trace& trace,
                               const std::vector<crdt::ElementRun>& runs) {
  INFO(trace.name << ": snapshot round trip");
  const crdt::Snapshot snapshot = rga.snapshot();
  const auto decoded = crdt::decode_snapshot(crdt::encode_snapshot(snapshot));
  REQUIRE(decoded.has_value());
  CHECK(*decoded == snapshot);
  const auto restored = crdt::Rga::from_snapshot(*decoded);
  REQUIRE(restored.has_value());
  restored->check_invariants();
  CHECK(restored->text() == trace.end_content);
  CHECK(restored->runs() == runs);
  CHECK(restored->version() == rga.version());
}

// A peer integrating ops_since({}) reaches the same text, runs and version.
void check_remote_replay(const crdt::Rga& rga, const bench::Trace& trace,
                         const std::vector<crdt::ElementRun>& runs) {
  INFO(trace.name << ": remote replay of ops_since({})");
  const auto ops = rga.ops_since({});
  REQUIRE(ops.has_value());
  crdt::Rga peer;
  std::size_t applied = 0;
  for (const crdt::Op& op : *ops) {
    const crdt::ApplyResult result = peer.apply_remote(op);
    if (result.status != crdt::ApplyStatus::applied) {
      FAIL_CHECK("op " << applied << " of " << ops->size()
                       << " not applied: " << result.error.message());
      break;
    }
    ++applied;
  }
  peer.check_invariants();
  CHECK(applied == ops->size());
  CHECK(peer.text() == trace.end_content);
  CHECK(peer.runs() == runs);
  CHECK(peer.version() == rga.version());
}

void check_sequential_trace(std::string_view name) {
  const auto path = bench::traces_dir() / (std::string{name} + ".json.gz");
  auto loaded = bench::load_trace(path);
  REQUIRE_MESSAGE(loaded.has_value(), (loaded ? "" : loaded.error().message));
  const bench::Trace& trace = *loaded;
  REQUIRE(trace.kind == bench::TraceKind::sequential);

  crdt::Rga rga{1};
  const auto replayed = bench::replay_local(rga, trace.patches, 0, check_every);
  if (!replayed || rga.text() != trace.end_content) {
    if (!replayed) {
      MESSAGE(trace.name << ": patch " << replayed.error().patch << ": "
                         << replayed.error().message);
    }
    report_divergence(trace);
    return;
  }
  rga.check_invariants();
  CHECK(rga.length() == crdt::utf8::count_code_points(trace.end_content));
  const std::vector<crdt::ElementRun> runs = rga.runs();
  check_snapshot_round_trip(rga, trace, runs);
  check_remote_replay(rga, trace, runs);
}

}  // namespace

TEST_SUITE("sequential traces") {
#define WEFT_SEQUENTIAL_TRACE_CASE(name) \
  TEST_CASE(name) { check_sequential_trace(name); }
  WEFT_SEQUENTIAL_TRACES(WEFT_SEQUENTIAL_TRACE_CASE)
#undef WEFT_SEQUENTIAL_TRACE_CASE

  TEST_CASE("loading reports a missing file, bad gzip, bad JSON and a bad shape as errors") {
    const auto missing = bench::load_trace("/nonexistent/weft/trace.json.gz");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == bench::TraceErrc::cannot_open);

    const weft::testing::TempDir dir;
    const auto bad_gzip_path = dir.path() / "bad_trace.json.gz";
    {
      constexpr char bytes[] = "\x1f\x8b\x08\0\0\0\0\0\0\x03garbage";  // gzip header, bad body
      std::ofstream out{bad_gzip_path, std::ios::binary};
      out.write(bytes, sizeof bytes - 1);
    }
    const auto bad_gzip = bench::load_trace(bad_gzip_path);
    REQUIRE_FALSE(bad_gzip.has_value());
    CHECK(bad_gzip.error().code == bench::TraceErrc::bad_gzip);

    const auto bad_json = bench::parse_trace(R"({"endContent": "x", "txns": [)", "t");
    REQUIRE_FALSE(bad_json.has_value());
    CHECK(bad_json.error().code == bench::TraceErrc::bad_json);

    const auto bad_patch =
        bench::parse_trace(R"({"endContent": "", "txns": [{"patches": [[0, 1]]}]})", "t");
    REQUIRE_FALSE(bad_patch.has_value());
    CHECK(bad_patch.error().code == bench::TraceErrc::bad_shape);

    const auto bad_agent = bench::parse_trace(
        R"({"kind": "concurrent", "numAgents": 1, "endContent": "",
          "txns": [{"parents": [], "agent": 1, "patches": []}]})",
        "t");
    REQUIRE_FALSE(bad_agent.has_value());
    CHECK(bad_agent.error().code == bench::TraceErrc::bad_shape);
  }

  TEST_CASE("a small trace parses into patches with code-point positions and UTF-8 text") {
    const auto trace = bench::parse_trace(
        R"({"endContent": "h\u00e9\ud83d\ude00!", "txns": [{"patches": [[0, 0, "h\u00e9llo"]]},
          {"patches": [[2, 3, "\ud83d\ude00"], [3, 0, "!"]]}]})",
        "small");
    REQUIRE(trace.has_value());
    REQUIRE(trace->txns.size() == 2);
    REQUIRE(trace->patches.size() == 3);
    CHECK(trace->txns[1].patches.size() == 2);
    CHECK(trace->patches[1].pos == 2);
    CHECK(trace->patches[1].del == 3);
    CHECK(trace->patches[1].ins == "\xF0\x9F\x98\x80");
    crdt::Rga rga{1};
    REQUIRE(bench::replay_local(rga, trace->patches).has_value());
    CHECK(rga.text() == trace->end_content);
    CHECK_FALSE(bench::find_divergence(*trace, 1).has_value());
  }

  TEST_CASE("every sequential trace file has a case here") {
    std::vector<std::string> covered;
#define WEFT_COVERED(name) covered.emplace_back(name);
    WEFT_SEQUENTIAL_TRACES(WEFT_COVERED)
#undef WEFT_COVERED
    const auto dir = bench::traces_dir();
    REQUIRE_MESSAGE(std::filesystem::is_directory(dir), "no traces at " << dir);
    for (const std::string prefix : {"", "ascii_only/"}) {
      for (const auto& path : bench::list_traces(dir / prefix)) {
        if (bench::looks_concurrent(path)) continue;
        const std::string name = prefix + bench::trace_name(path);
        CHECK_MESSAGE(std::find(covered.begin(), covered.end(), name) != covered.end(),
                      name << " has no test case");
      }
    }
  }
}
