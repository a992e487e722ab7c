// crash_test.cpp — every acknowledged append survives SIGKILL, byte for byte, and every document
// still loads and passes check_invariants() (issue 3 §3).
//
// Each round runs storage_crash_writer (crash_writer.cpp) on the same directory, kills it with
// SIGKILL after a random 5-200 ms, then reopens the store and checks every line the writer had
// acknowledged, in this round and all before it. Seeds are fixed, so a failing round can be rerun.
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include "storage/document_loader.hpp"
#include "storage/record_format.hpp"
#include "storage/rocksdb_store.hpp"
#include "testkit/child_process.hpp"
#include "tests/error_message.hpp"
#include "tests/temp_dir.hpp"

using namespace weft;
using namespace weft::storage;

namespace {

constexpr int rounds = 25;

using Acknowledged = std::map<std::pair<std::string, std::uint64_t>, std::uint32_t>;

// Runs the writer for `delay`, kills it and returns what it printed.
std::string run_and_kill(const std::string& dir, int round, std::chrono::milliseconds delay) {
  using testkit::ChildProcess;
  auto writer =
      ChildProcess::spawn({.argv = {WEFT_CRASH_WRITER, dir, std::to_string(7919 * (round + 1)),
                                    std::to_string(round)}});
  if (!writer) FAIL(writer.error());
  std::string out = writer->read(delay);
  writer->signal(SIGKILL);
  out += writer->read(ChildProcess::forever);  // to the end of file: the writer is gone
  const std::optional<int> status = writer->wait(ChildProcess::forever);
  REQUIRE(status.has_value());
  INFO("writer status " << *status << ", output so far: " << out.size() << " bytes");
  REQUIRE(WIFSIGNALED(*status));
  REQUIRE(WTERMSIG(*status) == SIGKILL);
  return out;
}

// Complete lines only: a line is written with one write(2), but stop at anything unterminated.
void parse_acknowledged(const std::string& out, Acknowledged& acked) {
  std::size_t start = 0;
  for (std::size_t end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    std::istringstream line(out.substr(start, end - start));
    std::string doc;
    std::uint64_t index = 0;
    std::uint32_t crc = 0;
    REQUIRE(static_cast<bool>(line >> doc >> index >> crc));
    acked[{doc, index}] = crc;
  }
}

}  // namespace

TEST_CASE("acknowledged appends survive SIGKILL and every document still loads") {
  weft::testing::TempDir dir;
  std::mt19937 rng(20240601);
  Acknowledged acked;
  std::size_t total_records = 0;
  for (int round = 0; round < rounds; ++round) {
    CAPTURE(round);
    const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 200)(rng));
    parse_acknowledged(run_and_kill(dir.path(), round, delay), acked);

    auto opened = RocksDbStore::open(dir.path());
    REQUIRE_MESSAGE(opened, weft::testing::error_message(opened));
    RocksDbStore& store = **opened;
    std::map<std::string, std::vector<proto::OpRecord>> logs;
    const auto listed = store.list();
    REQUIRE(listed);
    for (const DocumentSummary& summary : *listed) {
      auto log = store.read_log(summary.id, 0, UINT64_MAX);
      REQUIRE_MESSAGE(log, weft::testing::error_message(log));
      logs[summary.id] = std::move(*log);
      auto loaded = store.load(summary.id);
      REQUIRE_MESSAGE(loaded, weft::testing::error_message(loaded));
      auto rga = materialize(*loaded);
      REQUIRE_MESSAGE(rga, weft::testing::error_message(rga));
      rga->check_invariants();
      const auto replayed = replay(store, summary.id, loaded->next_index);
      REQUIRE_MESSAGE(replayed, weft::testing::error_message(replayed));
      CHECK(replayed->text() == rga->text());
    }
    for (const auto& entry : acked) {
      const std::string& doc = entry.first.first;
      const std::uint64_t index = entry.first.second;
      const auto& log = logs[doc];
      INFO("acknowledged " << doc << " " << index);
      REQUIRE(index < log.size());
      CHECK(format::crc32c(proto::encode(log[index])) == entry.second);
    }
    total_records = 0;
    for (const auto& [doc, log] : logs) total_records += log.size();
  }
  MESSAGE(rounds << " rounds: " << acked.size() << " acknowledged appends, " << total_records
                 << " records on disk");
  CHECK(total_records >= acked.size());
}
