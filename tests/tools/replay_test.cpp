// replay_test.cpp — weft-replay end to end: imports editing traces into a temporary data
// directory through the real binary and checks every command's output and exit code; with
// --redis, the same on a real redis-server (tests/redis_server.hpp).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <sys/wait.h>

#include "bench/gap_text.hpp"
#include "bench/trace.hpp"
#include "storage/redis_store.hpp"
#include "storage/rocksdb_store.hpp"
#include "tests/redis_server.hpp"
#include "tests/storage/store_test_support.hpp"
#include "tests/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
namespace bench = weft::bench;

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

std::string read_file(const fs::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// weft-replay --no-pager SOURCE ARGS (both already shell-quoted); its output is kept in
// <dir>/stdout and <dir>/stderr.
Run run_replay_on(const fs::path& dir, const std::string& source, const std::string& args) {
  const fs::path out = dir / "stdout";
  const fs::path err = dir / "stderr";
  const std::string command = std::string{"'"} + WEFT_REPLAY_BIN + "' --no-pager " + source + " " +
                              args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(command.c_str());
  Run r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

// weft-replay --no-pager --data <dir>/data ARGS.
Run run_replay(const fs::path& dir, const std::string& args) {
  return run_replay_on(dir, "--data '" + (dir / "data").string() + "'", args);
}

// weft-replay --no-pager --redis URL ARGS, its output kept in <dir>.
Run run_redis(const fs::path& dir, const std::string& url, const std::string& args) {
  return run_replay_on(dir, "--redis '" + url + "'", args);
}

// Writes the document "doc" into `store`: 300 random edits, a snapshot after edit 200, and the
// named versions "first draft" (at 2) and "empty" (at 0). texts[n] is its text after n edits.
std::vector<std::string> write_document(weft::storage::DocumentStore& store) {
  std::vector<std::string> texts{""};
  REQUIRE(store.create(weft::storage::testing::make_meta("doc")));
  weft::storage::testing::EditingDocument doc(1);
  for (int i = 0; i < 300; ++i) {
    const weft::proto::OpRecord record = doc.edit();
    REQUIRE(store.append("doc", std::span(&record, 1)));
    texts.push_back(doc.rga().text());
    if (i + 1 == 200) REQUIRE(store.write_snapshot("doc", doc.snapshot()));
  }
  REQUIRE(store.put_version("doc", {"first draft", 2, "ana", 1'764'133'300'000'000}));
  REQUIRE(store.put_version("doc", {"empty", 0, "bo", 1'764'133'300'000'000}));
  return texts;
}

// The shared data directory: a paper import (automerge-paper) and a smaller one (sveltecomponent,
// whose patches often delete and insert at once), made once for every test case.
struct Fixture {
  weft::testing::TempDir temp{"weft-replay-test"};
  fs::path dir = temp.path();
  bench::Trace paper = load("automerge-paper");
  bench::Trace svelte = load("sveltecomponent");

  static fs::path trace_path(const std::string& name) {
    return fs::path{WEFT_SHARED_DIR} / "traces" / (name + ".json.gz");
  }
  static bench::Trace load(const std::string& name) {
    auto trace = bench::load_trace(trace_path(name));
    REQUIRE_MESSAGE(trace.has_value(), name);
    return std::move(*trace);
  }

  // weft-replay --no-pager --data <dir>/data ARGS (ARGS already shell-quoted).
  Run run(const std::string& args) const { return run_replay(dir, args); }
};

Fixture& fixture() {
  static Fixture f;
  static const bool imported = [] {
    const Run a = f.run("import '" + Fixture::trace_path("automerge-paper").string() + "' paper");
    const Run b = f.run("import '" + Fixture::trace_path("sveltecomponent").string() + "' svelte");
    INFO(a.err, b.err);
    return a.code == 0 && b.code == 0;
  }();
  REQUIRE(imported);
  return f;
}

// The trace's text after its first n patches, replayed into a plain string.
std::string text_after(const bench::Trace& trace, std::size_t n) {
  bench::GapText text;
  bool applied = true;
  for (std::size_t i = 0; i < n; ++i) {
    const bench::Patch& p = trace.patches[i];
    applied = text.splice(p.pos, p.del, p.ins) && applied;
  }
  REQUIRE(applied);
  return text.utf8();
}

// Import makes a delete op and/or an insert op per patch: the ops of the first n patches.
std::size_t ops_after(const bench::Trace& trace, std::size_t n) {
  std::size_t ops = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ops += (trace.patches[i].del > 0 ? 1 : 0) + (trace.patches[i].ins.empty() ? 0 : 1);
  }
  return ops;
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_SUITE("weft-replay") {
  TEST_CASE("an imported trace reads back as its endContent") {
    Fixture& f = fixture();
    CHECK(f.run("text paper").out == f.paper.end_content);
    CHECK(f.run("text svelte").out == f.svelte.end_content);
    CHECK(f.run("--from-scratch text svelte").out == f.svelte.end_content);
  }

  TEST_CASE("text --at N is the trace's state after the patches that made ops 0..N") {
    Fixture& f = fixture();
    for (const std::size_t n :
         {1UL, 2UL, 999UL, 1000UL, 1001UL, 77777UL, 200000UL, f.paper.patches.size()}) {
      INFO("automerge-paper after ", n, " patches");
      const Run r = f.run("text paper --at " + std::to_string(ops_after(f.paper, n) - 1));
      CHECK(r.code == 0);
      CHECK(r.out == text_after(f.paper, n));
    }
    for (const std::size_t n : {1UL, 3UL, 5000UL, 12345UL, f.svelte.patches.size() - 1}) {
      INFO("sveltecomponent after ", n, " patches");
      const Run r = f.run("text svelte --at " + std::to_string(ops_after(f.svelte, n) - 1));
      CHECK(r.out == text_after(f.svelte, n));
    }
  }

  TEST_CASE("export --format trace re-imports to the same text") {
    Fixture& f = fixture();
    const fs::path exported = f.dir / "paper.trace.json";
    REQUIRE(f.run("export paper --format trace --output '" + exported.string() + "'").code == 0);
    const Run imported = f.run("import '" + exported.string() + "' paper-again --snapshot-every 0");
    CHECK_MESSAGE(imported.code == 0, imported.err);
    CHECK(f.run("text paper-again").out == f.paper.end_content);
    auto trace = bench::load_trace(exported);
    REQUIRE(trace.has_value());
    CHECK(trace->end_content == f.paper.end_content);
  }

  TEST_CASE("export --format json is a log file the other commands read") {
    Fixture& f = fixture();
    const Run exported = f.run("export svelte --format json");
    REQUIRE(exported.code == 0);
    const fs::path log = f.dir / "svelte.log.json";
    std::ofstream{log} << exported.out;
    const std::string bin = WEFT_REPLAY_BIN;
    const std::string command = "'" + bin + "' --log '" + log.string() + "' text svelte >'" +
                                (f.dir / "log-text").string() + "'";
    CHECK(std::system(command.c_str()) == 0);
    CHECK(read_file(f.dir / "log-text") == f.svelte.end_content);
  }

  TEST_CASE("list, info, log, step and blame describe the documents") {
    Fixture& f = fixture();
    const Run list = f.run("list");
    CHECK(list.code == 0);
    CHECK(list.out.find("paper ") != std::string::npos);
    CHECK(list.out.find("svelte ") != std::string::npos);

    const Run info = f.run("info svelte");
    CHECK(info.code == 0);
    CHECK(info.out.find("document   svelte") != std::string::npos);
    CHECK(info.out.find("user \"import\"") != std::string::npos);
    CHECK(info.out.find("next seq") != std::string::npos);

    const Run log = f.run("log svelte --from 10 --to 19");
    CHECK(log.code == 0);
    CHECK(count_lines(log.out) == 10);
    CHECK(log.out.rfind("      10  ", 0) == 0);
    CHECK(log.out.find(" r1  insert @") != std::string::npos);

    const Run step = f.run("step svelte --from 100 --to 110");
    CHECK(step.code == 0);
    CHECK(step.out.find("{+") != std::string::npos);

    const Run blame = f.run("blame svelte");
    CHECK(blame.code == 0);
    CHECK(blame.out.rfind("0-", 0) == 0);
    CHECK(blame.out.find("import") != std::string::npos);
  }

  TEST_CASE("bisect finds the op after which the text first contains a string") {
    Fixture& f = fixture();
    const std::string needle = "{#each";  // first typed after patch 1,600 or so
    std::size_t expected = 0;
    bool found = false;
    bench::GapText text;
    for (std::size_t n = 1; n <= f.svelte.patches.size(); ++n) {
      const bench::Patch& p = f.svelte.patches[n - 1];
      REQUIRE(text.splice(p.pos, p.del, p.ins));
      if (text.utf8().find(needle) != std::string::npos) {
        expected = ops_after(f.svelte, n) - 1;
        found = true;
        break;
      }
    }
    REQUIRE(found);
    const Run r = f.run("bisect svelte --contains '" + needle + "'");
    CHECK(r.code == 0);
    CHECK(r.out.rfind("op " + std::to_string(expected) + " ", 0) == 0);
    CHECK(f.run("bisect svelte --contains 'no such text anywhere'").code == 1);
  }

  TEST_CASE("verify replays every log and matches every snapshot") {
    // Replaying the paper to compare its snapshots is slow under sanitizers: the smaller document.
    const Run r = fixture().run("verify svelte");
    CHECK_MESSAGE(r.code == 0, r.out, r.err);
    CHECK(r.out.find("ok      svelte: ") != std::string::npos);
    CHECK(r.out.find("snapshots match") != std::string::npos);
  }

  TEST_CASE("salvage brings back a copy whose write-ahead log is damaged, saying what it drops") {
    weft::testing::TempDir temp{"weft-replay-salvage"};
    const fs::path& dir = temp.path();
    const std::string trace = Fixture::trace_path("sveltecomponent").string();
    REQUIRE(run_replay(dir, "import '" + trace + "' first --snapshot-every 0").code == 0);
    REQUIRE(run_replay(dir, "import '" + trace + "' second --snapshot-every 0").code == 0);
    std::vector<fs::path> logs;
    for (const auto& entry : fs::directory_iterator(dir / "data")) {
      if (entry.path().extension() == ".log" && entry.file_size() > 0) logs.push_back(entry.path());
    }
    REQUIRE(logs.size() == 1);
    {
      // One flipped bit in the second import's records.
      std::fstream f(logs[0], std::ios::in | std::ios::out | std::ios::binary);
      const auto at = static_cast<std::streamoff>(fs::file_size(logs[0]) * 3 / 4);
      f.seekg(at);
      char c = 0;
      REQUIRE(f.get(c));
      f.seekp(at);
      REQUIRE(f.put(static_cast<char>(c ^ 0x10)));
    }
    const Run damaged = run_replay(dir, "list");
    CHECK(damaged.code == 3);
    CHECK_MESSAGE(damaged.err.find(logs[0].filename().string()) != std::string::npos, damaged.err);

    const Run salvaged = run_replay(dir, "salvage");
    CHECK_MESSAGE(salvaged.code == 0, salvaged.out, salvaged.err);
    CHECK_MESSAGE(salvaged.out.find("dropping") != std::string::npos, salvaged.out);
    CHECK(salvaged.out.find("ok      first: ") != std::string::npos);
    // After it the directory opens normally, and what was kept is sound.
    const Run verified = run_replay(dir, "verify");
    CHECK_MESSAGE(verified.code == 0, verified.out, verified.err);
    CHECK(run_replay(dir, "text first").out == fixture().svelte.end_content);
  }

  TEST_CASE("versions lists named versions; text --version shows version `at` exactly") {
    weft::testing::TempDir temp{"weft-replay-versions"};
    std::vector<std::string> texts;  // texts[n]: version n
    {
      auto store = weft::storage::RocksDbStore::open((temp.path() / "data").string());
      REQUIRE(store);
      texts = write_document(**store);
    }
    const Run list = run_replay(temp.path(), "versions doc");
    CHECK(list.code == 0);
    CHECK(list.out.find("\"empty\"") < list.out.find("\"first draft\""));
    CHECK(list.out.find("\"ana\"") != std::string::npos);
    CHECK(list.out.find("2025-11-26T05:01:40") != std::string::npos);
    CHECK(run_replay(temp.path(), "text doc --version 'first draft'").out == texts[2]);
    CHECK(run_replay(temp.path(), "text doc --at 1").out == texts[2]);
    CHECK(run_replay(temp.path(), "text doc --version empty").out.empty());
    const Run unknown = run_replay(temp.path(), "text doc --version nope");
    CHECK(unknown.code == 1);
    CHECK(unknown.err.find("no version named \"nope\"") != std::string::npos);
    CHECK(run_replay(temp.path(), "text doc --version empty --at 1").code == 64);
    CHECK(run_replay(temp.path(), "versions nodoc").code == 2);
  }

  TEST_CASE("errors: unknown documents exit 2, bad arguments 64") {
    Fixture& f = fixture();
    const Run unknown = f.run("text no-such-doc");
    CHECK(unknown.code == 2);
    CHECK(unknown.err.find("no-such-doc") != std::string::npos);
    CHECK(f.run("log no-such-doc").code == 2);
    CHECK(f.run("frobnicate").code == 64);
    CHECK(f.run("text").code == 64);
    CHECK(f.run("text paper --at nine").code == 64);
    CHECK(f.run("export paper --format yaml").code == 64);
    CHECK(f.run("bisect paper").code == 64);
    const Run usage = f.run("log paper --bogus");
    CHECK(usage.code == 64);
    CHECK(usage.err.find("usage:") != std::string::npos);
    const Run help = f.run("step --help");
    CHECK(help.code == 0);
    CHECK(help.out.find("step DOC") != std::string::npos);
  }
}

TEST_SUITE("weft-replay --redis") {
  TEST_CASE("every read command prints the same for a document on Redis as on a data directory") {
    weft::testing::TempDir temp{"weft-replay-redis"};
    const weft::testing::RedisServer redis;
    {
      auto rocks = weft::storage::RocksDbStore::open((temp.path() / "data").string());
      REQUIRE(rocks);
      static_cast<void>(write_document(**rocks));
      auto on_redis = weft::storage::RedisStore::open(redis.url());
      REQUIRE_MESSAGE(on_redis, weft::testing::error_message(on_redis));
      static_cast<void>(write_document(**on_redis));
    }
    for (const char* args :
         {"info doc", "log doc", "log doc --from 150 --to 250", "text doc", "text doc --at 250",
          "text doc --version 'first draft'", "versions doc", "step doc --from 190 --to 210",
          "blame doc", "bisect doc --contains K", "export doc --format json", "verify doc",
          "--from-scratch text doc --at 250"}) {
      INFO(std::string{args});
      const Run on_disk = run_replay(temp.path(), args);
      const Run on_redis = run_redis(temp.path(), redis.url(), args);
      CHECK_MESSAGE(on_disk.code == 0, on_disk.err);
      CHECK_MESSAGE(on_redis.code == 0, on_redis.err);
      CHECK(on_redis.out == on_disk.out);
    }
    // list's BYTES are each store's own estimate: the same documents and op counts.
    const Run list = run_redis(temp.path(), redis.url(), "list");
    CHECK(list.code == 0);
    CHECK(list.out.find("\ndoc ") != std::string::npos);
    CHECK(list.out.find(" 300 ") != std::string::npos);
    CHECK(run_redis(temp.path(), redis.url(), "text nodoc").code == 2);
  }

  TEST_CASE("import writes a trace into Redis, and text reads back its endContent") {
    weft::testing::TempDir temp{"weft-replay-redis"};
    const weft::testing::RedisServer redis;
    const std::string trace = Fixture::trace_path("sveltecomponent").string();
    const Run imported = run_redis(temp.path(), redis.url(), "import '" + trace + "' svelte");
    REQUIRE_MESSAGE(imported.code == 0, imported.err);
    CHECK(run_redis(temp.path(), redis.url(), "text svelte").out == fixture().svelte.end_content);
    const Run verified = run_redis(temp.path(), redis.url(), "verify");
    CHECK_MESSAGE(verified.code == 0, verified.out, verified.err);
  }

  TEST_CASE("import refuses a Redis without durable writes unless --redis-durability relaxed") {
    weft::testing::TempDir temp{"weft-replay-redis"};
    const weft::testing::RedisServer redis{{"--appendonly", "no", "--save", ""}};
    const std::string trace = Fixture::trace_path("sveltecomponent").string();
    const Run strict = run_redis(temp.path(), redis.url(), "import '" + trace + "' svelte");
    CHECK(strict.code == 1);
    CHECK_MESSAGE(strict.err.find("durable") != std::string::npos, strict.err);
    const Run relaxed =
        run_replay_on(temp.path(), "--redis '" + redis.url() + "' --redis-durability relaxed",
                      "import '" + trace + "' svelte");
    CHECK_MESSAGE(relaxed.code == 0, relaxed.err);
  }

  TEST_CASE("read commands open a Redis without durable writes") {
    weft::testing::TempDir temp{"weft-replay-redis"};
    const weft::testing::RedisServer redis{{"--appendonly", "no", "--save", ""}};
    weft::storage::RedisStoreOptions relaxed;
    relaxed.durability = weft::storage::RedisStoreOptions::Durability::relaxed;
    auto store = weft::storage::RedisStore::open(redis.url(), relaxed);
    REQUIRE_MESSAGE(store, weft::testing::error_message(store));
    const std::vector<std::string> texts = write_document(**store);
    const Run text = run_redis(temp.path(), redis.url(), "text doc");
    CHECK_MESSAGE(text.code == 0, text.err);
    CHECK(text.out == texts.back());
  }

  TEST_CASE("an unreachable Redis exits 1 naming it") {
    weft::testing::TempDir temp{"weft-replay-redis"};
    // Nothing listens on port 1 of the loopback: the connection is refused at once.
    const Run r = run_redis(temp.path(), "redis://127.0.0.1:1", "list");
    CHECK(r.code == 1);
    CHECK_MESSAGE(r.err.find("weft-replay: cannot open redis://127.0.0.1:1: ") == 0, r.err);
  }

  TEST_CASE("--redis together with --data or --log is a usage error") {
    weft::testing::TempDir temp{"weft-replay-redis"};
    const Run with_data = run_replay(temp.path(), "--redis redis://127.0.0.1:1 list");
    CHECK(with_data.code == 64);
    CHECK_MESSAGE(with_data.err.find("exactly one of --data DIR, --log FILE and --redis URL") !=
                      std::string::npos,
                  with_data.err);
    const Run with_log =
        run_redis(temp.path(), "redis://127.0.0.1:1", "--log '" + temp.path().string() + "' list");
    CHECK(with_log.code == 64);
  }

  TEST_CASE("salvage with --redis is a usage error") {
    weft::testing::TempDir temp{"weft-replay-redis"};
    const Run r = run_redis(temp.path(), "redis://127.0.0.1:1", "salvage");
    CHECK(r.code == 64);
    CHECK_MESSAGE(r.err.find("salvage needs --data DIR") != std::string::npos, r.err);
  }

  TEST_CASE("--redis-durability takes strict or relaxed, and only with --redis") {
    weft::testing::TempDir temp{"weft-replay-redis"};
    CHECK(run_redis(temp.path(), "redis://127.0.0.1:1", "--redis-durability lax list").code == 64);
    CHECK(run_replay(temp.path(), "--redis-durability relaxed list").code == 64);
  }
}
