// log_chunk_test.cpp — RocksDbStore's log chunks: old individual records are rewritten into
// chunks, and every read sees chunks and individual records as one log, byte for byte.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include "storage/document_loader.hpp"
#include "storage/record_format.hpp"
#include "storage/rocksdb_store.hpp"
#include "tests/error_message.hpp"
#include "tests/storage/raw_rocksdb.hpp"
#include "tests/storage/store_test_support.hpp"
#include "tests/temp_dir.hpp"

using namespace weft;
using namespace weft::storage;
using weft::storage::testing::EditingDocument;
using weft::storage::testing::make_meta;
using weft::storage::testing::with_raw_family;
using weft::testing::TempDir;

namespace {

constexpr std::uint32_t chunk = 8;

std::unique_ptr<RocksDbStore> open_store(const std::string& dir,
                                         std::uint32_t chunk_records = chunk) {
  auto opened = RocksDbStore::open(dir, RocksDbOptions{.chunk_records = chunk_records});
  REQUIRE_MESSAGE(opened, weft::testing::error_message(opened));
  return std::move(*opened);
}

// The indexes of `doc`'s keys in `family`.
std::vector<std::uint64_t> raw_indexes(const std::string& dir, std::string_view family,
                                       const std::string& doc) {
  std::vector<std::uint64_t> out;
  with_raw_family(dir, family, [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* handle) {
    const std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), handle));
    for (it->Seek(format::doc_begin(doc)); it->Valid(); it->Next()) {
      const auto key = format::split_key(it->key().ToStringView());
      if (!key || key->doc != doc) break;
      out.push_back(key->index);
    }
  });
  return out;
}

std::vector<std::string> encoded(const std::vector<proto::OpRecord>& records) {
  std::vector<std::string> out;
  for (const proto::OpRecord& r : records) out.push_back(proto::encode(r));
  return out;
}

// Appends 100 records to doc-a: one at a time, then in batches of 7 and 13.
std::vector<proto::OpRecord> fill(RocksDbStore& store, EditingDocument& doc) {
  REQUIRE(store.create(make_meta("doc-a")));
  std::vector<proto::OpRecord> written;
  for (int i = 0; i < 40; ++i) {
    written.push_back(doc.edit());
    REQUIRE(store.append("doc-a", std::span(&written.back(), 1)));
  }
  for (const std::size_t batch : {7, 13, 7, 13, 7, 13}) {
    std::vector<proto::OpRecord> records;
    for (std::size_t i = 0; i < batch; ++i) records.push_back(doc.edit());
    REQUIRE(store.append("doc-a", records));
    written.insert(written.end(), records.begin(), records.end());
  }
  return written;
}

}  // namespace

TEST_SUITE("log chunks") {
  TEST_CASE("old records move into chunks; every range reads back byte for byte") {
    TempDir dir;
    EditingDocument doc(1, 7);
    std::vector<proto::OpRecord> written;
    {
      auto store = open_store(dir.path());
      written = fill(*store, doc);
      REQUIRE(written.size() == 100);
      for (std::uint64_t from = 0; from <= 101; from += 3) {
        for (std::uint64_t to = from; to <= 104; to += 5) {
          CAPTURE(from);
          CAPTURE(to);
          const auto got = store->read_log("doc-a", from, to);
          REQUIRE_MESSAGE(got, weft::testing::error_message(got));
          const std::size_t end = std::min<std::size_t>(to, written.size());
          const std::size_t begin = std::min<std::size_t>(from, end);
          CHECK(encoded(*got) == encoded({written.begin() + static_cast<long>(begin),
                                          written.begin() + static_cast<long>(end)}));
        }
      }
    }
    // 100 records: chunks of 8 from 0 while at least 16 stay individual, so 11 chunks.
    const std::vector<std::uint64_t> chunks = raw_indexes(dir.path(), "logchunk", "doc-a");
    CHECK(chunks == std::vector<std::uint64_t>{0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80});
    const std::vector<std::uint64_t> individual = raw_indexes(dir.path(), "log", "doc-a");
    REQUIRE(individual.size() == 12);
    CHECK(individual.front() == 88);
    CHECK(individual.back() == 99);

    // Reopened, even with chunking off: the same log, loads, lists and appends continue.
    auto store = open_store(dir.path(), 0);
    CHECK(encoded(store->read_log("doc-a", 0, 1000).value()) == encoded(written));
    REQUIRE(store->write_snapshot("doc-a", doc.snapshot()));
    proto::OpRecord next = doc.edit();
    REQUIRE(store->append("doc-a", std::span(&next, 1)));
    const auto loaded = store->load("doc-a");
    REQUIRE_MESSAGE(loaded, weft::testing::error_message(loaded));
    CHECK(loaded->next_index == 101);
    CHECK(loaded->tail == std::vector<proto::OpRecord>{next});
    CHECK(materialize(*loaded).value().text() == doc.rga().text());
    CHECK(replay(*store, "doc-a", 101).value().text() == doc.rga().text());
    const auto listed = store->list().value();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].op_count == 101);
    CHECK(listed[0].last_change_us == next.server_time_us);
  }

  TEST_CASE("a log held only in chunks still has its end") {
    TempDir dir;
    EditingDocument doc(1);
    std::vector<proto::OpRecord> written;
    {
      auto store = open_store(dir.path());
      REQUIRE(store->create(make_meta("doc-a")));
      for (int i = 0; i < 16; ++i) written.push_back(doc.edit());
      REQUIRE(store->append("doc-a", written));
    }
    // Move the last 8 individual records into a chunk by hand, as a smaller chunk size would.
    const std::string sealed = format::seal(proto::encode_chunk(std::span(written).subspan(8)));
    with_raw_family(dir.path(), "log", [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* log) {
      CHECK(db.DeleteRange(rocksdb::WriteOptions(), log, format::doc_begin("doc-a"),
                           format::doc_end("doc-a"))
                .ok());
    });
    with_raw_family(dir.path(), "logchunk", [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* f) {
      CHECK(db.Put(rocksdb::WriteOptions(), f, format::key_for("doc-a", 8), sealed).ok());
    });
    auto store = open_store(dir.path());
    CHECK(store->read_log("doc-a", 0, 100).value() == written);
    CHECK(store->load("doc-a").value().next_index == 16);
    proto::OpRecord next = doc.edit();
    CHECK(store->append("doc-a", std::span(&next, 1)));
  }

  TEST_CASE("a damaged chunk is corrupt, naming the document and the chunk's range") {
    TempDir dir;
    EditingDocument a(1);
    EditingDocument b(2);
    {
      auto store = open_store(dir.path());
      fill(*store, a);
      REQUIRE(store->create(make_meta("doc-b")));
      const proto::OpRecord record = b.edit();
      REQUIRE(store->append("doc-b", std::span(&record, 1)));
    }
    std::string value;
    with_raw_family(dir.path(), "logchunk", [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* f) {
      REQUIRE(db.Get(rocksdb::ReadOptions(), f, format::key_for("doc-a", 16), &value).ok());
      value[value.size() / 2] = static_cast<char>(value[value.size() / 2] ^ 0x04);
      REQUIRE(db.Put(rocksdb::WriteOptions(), f, format::key_for("doc-a", 16), value).ok());
    });
    auto store = open_store(dir.path());
    const auto loaded = store->load("doc-a");
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().code == Errc::corrupt);
    CHECK(loaded.error().message.find("document 'doc-a': log chunk [16, 24)") != std::string::npos);
    CHECK(loaded.error().message.find("checksum") != std::string::npos);
    CHECK(store->read_log("doc-a", 0, 16).value().size() == 16);
    CHECK(store->read_log("doc-a", 24, 100).value().size() == 76);
    CHECK(store->read_log("doc-a", 20, 21).error().code == Errc::corrupt);
    CHECK(store->load("doc-b"));
    CHECK(store->list().value().size() == 2);
  }

  TEST_CASE("remove deletes chunks too") {
    TempDir dir;
    EditingDocument doc(1);
    {
      auto store = open_store(dir.path());
      fill(*store, doc);
      REQUIRE(store->remove("doc-a"));
      REQUIRE(store->create(make_meta("doc-a")));
      CHECK(store->read_log("doc-a", 0, 100).value().empty());
    }
    CHECK(raw_indexes(dir.path(), "logchunk", "doc-a").empty());
    CHECK(raw_indexes(dir.path(), "log", "doc-a").empty());
  }
}
