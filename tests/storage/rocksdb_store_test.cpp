// rocksdb_store_test.cpp — what only the durable store has: persistence, corruption detection,
// read-only opening beside a running primary, and group commit.
#include "storage/rocksdb_store.hpp"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include "storage/document_loader.hpp"
#include "storage/record_format.hpp"
#include "tests/error_message.hpp"
#include "tests/storage/raw_rocksdb.hpp"
#include "tests/storage/store_test_support.hpp"
#include "tests/temp_dir.hpp"

using namespace weft;
using namespace weft::storage;
using weft::storage::testing::EditingDocument;
using weft::storage::testing::make_meta;
using weft::storage::testing::raw_put;
using weft::testing::TempDir;

namespace {

std::unique_ptr<RocksDbStore> open_store(const std::string& dir, RocksDbOptions options = {}) {
  auto opened = RocksDbStore::open(dir, options);
  REQUIRE_MESSAGE(opened, weft::testing::error_message(opened));
  return std::move(*opened);
}

template <class T>
Errc code_of(const Result<T>& result) {
  REQUIRE_FALSE(result.has_value());
  return static_cast<Errc>(result.error().code.value());
}

}  // namespace

TEST_CASE("a reopened store has everything that was appended") {
  TempDir dir;
  EditingDocument doc(1);
  std::vector<proto::OpRecord> written;
  {
    auto store = open_store(dir.path());
    REQUIRE(store->create(make_meta("doc-a")));
    for (int i = 0; i < 20; ++i) written.push_back(doc.edit());
    REQUIRE(store->append("doc-a", written));
    REQUIRE(store->write_snapshot("doc-a", doc.snapshot()));
  }
  auto store = open_store(dir.path());
  CHECK(store->read_log("doc-a", 0, 100).value() == written);
  const auto loaded = store->load("doc-a");
  REQUIRE(loaded);
  CHECK(loaded->snapshot->log_index == 20);
  CHECK(materialize(*loaded).value().text() == doc.rga().text());
  proto::OpRecord next = doc.edit();
  CHECK(store->append("doc-a", std::span(&next, 1)));  // the next index survived too
}

TEST_CASE("corruption is reported with document and index; other documents still load") {
  TempDir dir;
  EditingDocument a(1);
  EditingDocument b(2);
  {
    auto store = open_store(dir.path());
    for (const char* id : {"doc-a", "doc-b"}) REQUIRE(store->create(make_meta(id)));
    std::vector<proto::OpRecord> ra{a.edit(), a.edit(), a.edit(), a.edit()};
    std::vector<proto::OpRecord> rb{b.edit(), b.edit()};
    REQUIRE(store->append("doc-a", ra));
    REQUIRE(store->append("doc-b", rb));
  }

  SUBCASE("a flipped byte fails the checksum") {
    proto::OpRecord record = a.edit();
    record.index = 2;
    std::string value = format::seal(proto::encode(record));
    value[value.size() / 2] = static_cast<char>(value[value.size() / 2] ^ 0x10);
    raw_put(dir.path(), "log", format::key_for("doc-a", 2), value);
    auto store = open_store(dir.path());
    const auto loaded = store->load("doc-a");
    REQUIRE_FALSE(loaded);
    CHECK(code_of(loaded) == Errc::corrupt);
    CHECK(loaded.error().message.find("'doc-a'") != std::string::npos);
    CHECK(loaded.error().message.find("log record 2") != std::string::npos);
    CHECK(loaded.error().message.find("checksum") != std::string::npos);
    CHECK(store->read_log("doc-a", 0, 2).value().size() == 2);
    CHECK(code_of(store->read_log("doc-a", 0, 3)) == Errc::corrupt);
    CHECK(store->load("doc-b"));
    CHECK(store->list().value().size() == 2);
  }

  SUBCASE("a valid record under the wrong key is caught") {
    proto::OpRecord record = a.edit();
    record.index = 3;
    raw_put(dir.path(), "log", format::key_for("doc-a", 1), format::seal(proto::encode(record)));
    auto store = open_store(dir.path());
    const auto loaded = store->load("doc-a");
    CHECK(code_of(loaded) == Errc::corrupt);
    CHECK(loaded.error().message.find("log record 1: record says index 3") != std::string::npos);
    CHECK(store->load("doc-b"));
  }

  SUBCASE("undecodable metadata is caught") {
    raw_put(dir.path(), "meta", "doc-b", format::seal("\xFF\xFF\xFF"));
    auto store = open_store(dir.path());
    const auto loaded = store->load("doc-b");
    CHECK(code_of(loaded) == Errc::corrupt);
    CHECK(loaded.error().message.find("'doc-b': metadata") != std::string::npos);
    CHECK(store->load("doc-a"));
  }
}

TEST_CASE("a read-only store follows a running primary and refuses writes") {
  TempDir dir;
  auto primary = open_store(dir.path());
  REQUIRE(primary->create(make_meta("doc-a")));
  EditingDocument doc(1);
  std::vector<proto::OpRecord> records{doc.edit(), doc.edit()};
  REQUIRE(primary->append("doc-a", records));

  auto reader = open_store(dir.path(), RocksDbOptions{.read_only = true});
  CHECK(reader->load("doc-a").value().next_index == 2);
  proto::OpRecord next = doc.edit();
  REQUIRE(primary->append("doc-a", std::span(&next, 1)));
  CHECK(reader->read_log("doc-a", 0, 10).value().size() == 3);
  CHECK(code_of(reader->append("doc-a", std::span(&next, 1))) == Errc::read_only);
  CHECK(code_of(reader->create(make_meta("doc-b"))) == Errc::read_only);
  CHECK(code_of(reader->remove("doc-a")) == Errc::read_only);

  TempDir empty;
  CHECK(code_of(RocksDbStore::open((empty.path() / "missing").string(),
                                   RocksDbOptions{.read_only = true})) == Errc::io_error);
}

TEST_CASE("concurrent appends to many documents share commits (group commit)") {
  TempDir dir;
  auto store = open_store(dir.path());
  constexpr int writers = 8;
  constexpr int appends = 40;
  for (int w = 0; w < writers; ++w) REQUIRE(store->create(make_meta("doc-" + std::to_string(w))));
  const CommitStats before = store->commit_stats();
  std::vector<std::thread> threads;
  std::vector<int> failures(writers, 0);
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      EditingDocument doc(static_cast<crdt::ReplicaId>(w + 1), static_cast<std::uint32_t>(w));
      for (int i = 0; i < appends; ++i) {
        const proto::OpRecord record = doc.edit();
        if (!store->append("doc-" + std::to_string(w), std::span(&record, 1))) ++failures[w];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int w = 0; w < writers; ++w) {
    CHECK(failures[w] == 0);
    CHECK(store->load("doc-" + std::to_string(w)).value().next_index == appends);
  }
  const CommitStats after = store->commit_stats();
  const std::uint64_t requests = after.requests - before.requests;
  const std::uint64_t commits = after.commits - before.commits;
  MESSAGE("group commit: " << requests << " appends in " << commits << " commits");
  CHECK(requests == writers * appends);
  CHECK(commits < requests);
}
