// hostile_storage_test.cpp — hostile input (issue 13): disk full, bit flips in the RocksDB WAL and
// SST files, records that cannot be applied.
//
// The disk fills through disk_full_preload (a test-only LD_PRELOAD library: writes under the data
// directory fail with ENOSPC while a flag file exists), so no privileges or tmpfs are needed.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>
#include <sys/wait.h>

#include "client/session.hpp"
#include "crdt/rga.hpp"
#include "proto/frame.hpp"
#include "storage/rocksdb_store.hpp"
#include "testkit/child_process.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/server_process.hpp"
#include "tests/temp_dir.hpp"

namespace weft::integration {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Polls `done` every 50 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

// A server whose data directory's disk can be filled and emptied (disk_full_preload.cpp).
struct FillableServer {
  FillableServer() {
    std::string asan = "verify_asan_link_order=0";
    if (const char* given = std::getenv("ASAN_OPTIONS")) asan = std::string(given) + ":" + asan;
    server.set_environment({"LD_PRELOAD=" WEFT_DISK_FULL_PRELOAD,
                            "WEFT_DISK_FULL_DIR=" + (fs::canonical(server.dir()) / "data").string(),
                            "WEFT_DISK_FULL_FLAG=" + flag().string(), "ASAN_OPTIONS=" + asan});
  }
  [[nodiscard]] fs::path flag() const { return server.dir() / "disk-is-full"; }
  void fill() const { std::ofstream{flag()}.put('x'); }
  void free_space() const { fs::remove(flag()); }

  [[nodiscard]] HttpReply get(const std::string& target) const {
    return http_request(server.port(), "GET", target);
  }
  [[nodiscard]] std::string health() const { return get("/healthz").body; }

  client::Session& client(const std::string& doc) {
    auto& session = *clients.emplace_back(std::make_unique<client::Session>(ioc));
    const auto opened = session.open("127.0.0.1", server.port());
    REQUIRE_MESSAGE(opened.has_value(), opened.error());
    const auto joined = session.join(doc);
    REQUIRE_MESSAGE(joined.has_value(), joined.error());
    return session;
  }
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s) {
    return client::run_until(ioc, done, timeout);
  }

  boost::asio::io_context ioc;
  testing::ServerProcess server;
  std::vector<std::unique_ptr<client::Session>> clients;
};

bool has_error(const client::Session& session, proto::ErrorCode code) {
  const auto errors = session.errors();
  return std::any_of(errors.begin(), errors.end(), [&](const proto::Error& e) {
    return e.code == static_cast<std::uint64_t>(code);
  });
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string read_file(const fs::path& path) {
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Run {
  int code = -1;  // the exit code; -1 if a signal ended it
  std::string out;
  std::string err;
};

// weft-replay --no-pager --data DATA ARGS..., to its end.
Run replay(const fs::path& data, const std::vector<std::string>& args) {
  const testing::TempDir scratch("weft-replay-run");
  const fs::path err = scratch.path() / "stderr";
  testkit::ChildSpec spec;
  spec.argv = {WEFT_REPLAY_BIN, "--no-pager", "--data", data.string()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.stderr_file = err;
  auto child = testkit::ChildProcess::spawn(spec);
  REQUIRE_MESSAGE(child.has_value(), child.error());
  Run run;
  run.out = child->read(60s);
  const std::optional<int> status = child->wait(60s);
  REQUIRE(status.has_value());
  if (WIFEXITED(*status)) run.code = WEXITSTATUS(*status);
  run.err = read_file(err);
  return run;
}

// The files in `dir` whose names end with `suffix` and are not empty, largest first.
std::vector<fs::path> files_ending(const fs::path& dir, const std::string& suffix) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().ends_with(suffix) && entry.file_size() > 0) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    return fs::file_size(a) > fs::file_size(b);
  });
  return out;
}

void flip_bit(const fs::path& file, std::uintmax_t offset, int bit) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  REQUIRE(f.get(c));
  c = static_cast<char>(c ^ (1 << bit));
  f.seekp(static_cast<std::streamoff>(offset));
  REQUIRE(f.put(c));
}

// Two documents written through the real server, each op acknowledged, then the server killed:
// every acknowledged write is in the WAL (nothing is flushed to table files yet).
struct WrittenStore {
  WrittenStore() {
    REQUIRE_MESSAGE(server.start(), server.log());
    client::Session a(ioc);
    REQUIRE(a.open("127.0.0.1", server.port()).has_value());
    for (const auto& entry : texts) {
      const std::string& doc = entry.first;
      const std::string& text = entry.second;
      REQUIRE(a.join(doc).has_value());
      for (std::size_t at = 0; at < text.size(); at += 7) {
        REQUIRE(a.local_insert(doc, at, text.substr(at, 7)).has_value());
        REQUIRE(client::run_until(
            ioc, [&] { return a.acked(doc); }, 20s));
      }
    }
    server.kill();
  }
  // Every flip either leaves every document intact or is reported: verify fails and says what
  // is damaged. Never a success with a document missing or different.
  void check_verify_on(const fs::path& data, const std::string& where) const {
    INFO(where);
    const Run verify = replay(data, {"verify"});
    INFO("verify: exit " << verify.code << "\n" << verify.out << verify.err);
    if (verify.code == 0) {
      for (const auto& [doc, text] : texts) CHECK(replay(data, {"text", doc}).out == text);
    } else {
      CHECK(verify.code != -1);
      CHECK((contains(verify.out + verify.err, "orrupt") ||
             contains(verify.out + verify.err, "checksum")));
    }
  }

  boost::asio::io_context ioc;
  testing::ServerProcess server;
  const std::vector<std::pair<std::string, std::string>> texts{
      {"first", "the first document, written before the damage in the log"},
      {"later", "the later document: acknowledged after the first, it must not vanish"}};
};

// The data directory `from` copied to a fresh `to`.
void copy_store(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

}  // namespace

TEST_SUITE("hostile: storage") {
  TEST_CASE(
      "disk full: ops are refused with storage_failed, reads go on, writes resume by "
      "themselves once space returns") {
    FillableServer s;
    REQUIRE_MESSAGE(s.server.start(), s.server.log());
    INFO("server log:\n" << s.server.log());
    client::Session& a = s.client("notes");
    REQUIRE(a.local_insert("notes", 0, "before the disk filled").has_value());
    REQUIRE(s.wait_until([&] { return a.acked("notes"); }));

    s.fill();
    REQUIRE(a.local_insert("notes", 0, "unacked ").has_value());
    REQUIRE(s.wait_until([&] { return has_error(a, proto::ErrorCode::storage_failed); }));
    CHECK_FALSE(a.acked("notes"));
    REQUIRE(s.server.running());
    CHECK(eventually([&] { return contains(s.health(), R"("store":"read_only")"); }));
    const std::string health = s.health();
    CHECK(contains(health, R"("status":"degraded")"));
    CHECK_MESSAGE(contains(health, "No space left on device"), health);
    CHECK(metric_sample(s.get("/metrics").body, "weft_store_writable") == 0);
    CHECK(metric_sample(s.get("/metrics").body, "weft_store_write_failures_total") >= 1);
    CHECK(contains(s.server.log(), "event=store_unwritable"));
    // Reads keep working: what was acknowledged is served.
    const HttpReply text = s.get("/api/docs/notes/text");
    CHECK(text.status == 200);
    CHECK(contains(text.body, R"("text":"before the disk filled")"));

    s.free_space();
    REQUIRE(eventually([&] { return contains(s.health(), R"("store":"ok")"); }, 60s));
    CHECK(metric_sample(s.get("/metrics").body, "weft_store_writable") == 1);
    CHECK(contains(s.server.log(), "event=store_writable"));
    // The refused op was kept by its author and is resent on the rejoin; new edits are taken.
    const auto rejoined = a.join("notes");
    REQUIRE_MESSAGE(rejoined.has_value(), rejoined.error());
    REQUIRE(s.wait_until([&] { return a.acked("notes"); }));
    client::Session& b = s.client("notes");
    REQUIRE(b.local_insert("notes", b.text("notes").size(), ", and after").has_value());
    REQUIRE(s.wait_until([&] { return b.acked("notes"); }));
    CHECK(b.text("notes") == "unacked before the disk filled, and after");

    s.clients.clear();
    REQUIRE(s.server.stop().clean());
    REQUIRE(s.server.start());
    CHECK(contains(s.get("/api/docs/notes/text").body,
                   R"("text":"unacked before the disk filled, and after")"));
  }

  TEST_CASE("disk full at startup: the server comes up read-only and says why") {
    FillableServer s;
    REQUIRE_MESSAGE(s.server.start(), s.server.log());
    INFO("server log:\n" << s.server.log());
    client::Session& a = s.client("kept");
    REQUIRE(a.local_insert("kept", 0, "written before the restart").has_value());
    REQUIRE(s.wait_until([&] { return a.acked("kept"); }));
    s.clients.clear();
    REQUIRE(s.server.stop().clean());

    s.fill();
    const auto started = s.server.start();
    REQUIRE_MESSAGE(started.has_value(), started.error() << "\n" << s.server.log());
    CHECK(contains(s.server.log(), "serving it read-only"));
    const std::string health = s.health();
    CHECK(contains(health, R"("status":"degraded")"));
    CHECK_MESSAGE(contains(health, "the disk was full at startup"), health);
    CHECK(contains(s.get("/api/docs/kept/text").body, R"("text":"written before the restart")"));
    // Writes are refused, not lost silently: the join needs a replica table write.
    auto& b = *s.clients.emplace_back(std::make_unique<client::Session>(s.ioc));
    REQUIRE(b.open("127.0.0.1", s.server.port()).has_value());
    b.join_async("kept");
    CHECK(s.wait_until([&] { return has_error(b, proto::ErrorCode::storage_failed); }));
    s.clients.clear();
    REQUIRE(s.server.stop().clean());

    s.free_space();
    REQUIRE(s.server.start());
    CHECK(contains(s.health(), R"("store":"ok")"));
    client::Session& c = s.client("kept");
    REQUIRE(c.local_insert("kept", 0, "and writable again: ").has_value());
    CHECK(s.wait_until([&] { return c.acked("kept"); }));
  }

  TEST_CASE(
      "a flipped bit in the WAL: the server refuses to start and verify fails, naming the "
      "file; no acknowledged write vanishes silently") {
    WrittenStore store;
    const fs::path data = store.server.data_dir();
    const fs::path pristine = store.server.dir() / "pristine";
    copy_store(data, pristine);
    const auto wal = files_ending(pristine, ".log");
    REQUIRE(wal.size() == 1);
    const std::uintmax_t size = fs::file_size(wal[0]);
    REQUIRE(size > 200);

    // A third of the way in: the "later" document's writes come after the damage.
    flip_bit(data / wal[0].filename(), size / 3, 3);
    const auto started = store.server.start();
    const std::string log = store.server.log();
    INFO("server log:\n" << log);
    CHECK_FALSE(started.has_value());
    CHECK(contains(log, "weft-server: cannot open the store"));
    CHECK(contains(log, "Corruption"));
    CHECK(contains(log, wal[0].filename().string()));
    const Run verify = replay(data, {"verify"});
    CHECK(verify.code != 0);
    CHECK(contains(verify.out + verify.err, wal[0].filename().string()));

    // Anywhere in the file: intact, or reported.
    for (int i = 0; i < 24; ++i) {
      copy_store(pristine, data);
      const std::uintmax_t offset = size * static_cast<std::uintmax_t>(2 * i + 1) / 48;
      flip_bit(data / wal[0].filename(), offset, i % 8);
      store.check_verify_on(data, "WAL byte " + std::to_string(offset));
    }
  }

  TEST_CASE(
      "a flipped bit in a table file: reported by verify, and the server serves only what "
      "it can prove") {
    WrittenStore store;
    const fs::path data = store.server.data_dir();
    {
      // Flush every write into table files (the WAL is then empty).
      auto opened = storage::RocksDbStore::open(data.string());
      REQUIRE_MESSAGE(opened.has_value(), opened.error().message);
      REQUIRE((*opened)->compact());
    }
    const fs::path pristine = store.server.dir() / "pristine";
    copy_store(data, pristine);
    const auto tables = files_ending(pristine, ".sst");
    REQUIRE_FALSE(tables.empty());
    for (const fs::path& table : tables) {
      const std::uintmax_t size = fs::file_size(table);
      for (int i = 0; i < 12; ++i) {
        copy_store(pristine, data);
        const std::uintmax_t offset = size * static_cast<std::uintmax_t>(2 * i + 1) / 24;
        flip_bit(data / table.filename(), offset, (i * 3) % 8);
        store.check_verify_on(data, table.filename().string() + " byte " + std::to_string(offset));
      }
    }

    // The largest table file damaged near its start (its data blocks): the server starts or
    // refuses to; what it serves is exactly what was written, or an error, never other text.
    copy_store(pristine, data);
    flip_bit(data / tables[0].filename(), 40, 2);
    const auto started = store.server.start();
    INFO("server log:\n" << store.server.log());
    if (!started) {
      CHECK(contains(store.server.log(), "Corruption"));
    } else {
      std::optional<std::string> refused;
      for (const auto& [doc, text] : store.texts) {
        const HttpReply reply =
            http_request(store.server.port(), "GET", "/api/docs/" + doc + "/text");
        if (reply.status == 200) {
          CHECK(contains(reply.body, R"("text":")" + text + "\""));
        } else {
          CHECK_MESSAGE((contains(reply.body, "orrupt") || contains(reply.body, "checksum")),
                        reply.body);
          refused = doc;
        }
      }
      if (refused) {
        // A member is refused too, and the log names the document and the damage.
        client::Session c(store.ioc);
        REQUIRE(c.open("127.0.0.1", store.server.port()).has_value());
        c.join_async(*refused);
        CHECK(client::run_until(
            store.ioc, [&] { return has_error(c, proto::ErrorCode::document_unavailable); }, 20s));
        CHECK(eventually([&] {
          const std::string log = store.server.log();
          return contains(log, "doc=" + *refused + " event=load_failed") &&
                 (contains(log, "orrupt") || contains(log, "checksum"));
        }));
      }
    }
  }

  TEST_CASE("weft-replay text and blame stop at a record that cannot be applied, naming it") {
    testing::TempDir dir("weft-replay-broken");
    const fs::path data = dir.path() / "data";
    {
      auto opened = storage::RocksDbStore::open(data.string());
      REQUIRE_MESSAGE(opened.has_value(), opened.error().message);
      storage::RocksDbStore& store = **opened;
      proto::DocumentMeta meta;
      meta.id = "broken";
      meta.created_us = 1'000;
      meta.epoch = 7;
      REQUIRE(store.create(meta));
      crdt::Rga rga(1);
      std::vector<proto::OpRecord> records(3);
      records[0].op = rga.local_insert(0, "abc").value();
      // Inserted after an element that no record ever made: it cannot integrate.
      records[1].op = crdt::InsertOp{2, 0, 50, crdt::Id{9, 4}, "zzz"};
      records[2].op = rga.local_insert(3, "xyz").value();
      for (std::uint64_t i = 0; i < records.size(); ++i) {
        records[i].index = i;
        records[i].server_time_us = 2'000 + static_cast<std::int64_t>(i);
        records[i].user_id = "ada";
      }
      REQUIRE(store.append("broken", records));
    }
    for (const std::string command : {"text", "blame"}) {
      INFO(command);
      const Run run = replay(data, {command, "broken"});
      INFO("exit " << run.code << "\nstdout: " << run.out << "\nstderr: " << run.err);
      CHECK(run.code == 3);
      CHECK(contains(run.err, "document 'broken'"));
      CHECK(contains(run.err, "log record 1 cannot be applied"));
      CHECK(run.out.empty());
    }
    // Up to the record before it, the text is right.
    const Run before = replay(data, {"text", "broken", "--at", "0"});
    CHECK(before.code == 0);
    CHECK(before.out == "abc");
  }
}

}  // namespace weft::integration
