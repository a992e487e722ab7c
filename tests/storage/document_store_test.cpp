// document_store_test.cpp — the DocumentStore contract, one suite run against MemoryStore,
// RocksDbStore and RedisStore (on a redis-server the fixture starts); then what only the durable
// store has (reopen, corruption, read-only, group commit).
#include "storage/document_store.hpp"

#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "storage/document_loader.hpp"
#include "storage/memory_store.hpp"
#include "storage/record_format.hpp"
#include "storage/rocksdb_store.hpp"
#include "storage/snapshot_policy.hpp"
#include "tests/error_message.hpp"
#include "tests/storage/store_fixtures.hpp"
#include "tests/storage/store_test_support.hpp"
#include "tests/temp_dir.hpp"

using namespace weft;
using namespace weft::storage;
using weft::storage::testing::code_of;
using weft::storage::testing::EditingDocument;
using weft::storage::testing::make_meta;
using weft::storage::testing::MemoryFixture;
using weft::storage::testing::RedisFixture;
using weft::storage::testing::RocksFixture;
using weft::testing::TempDir;

namespace {

// Appends n edits of `doc` one record at a time; returns the text after each record.
std::vector<std::string> append_edits(DocumentStore& store, const std::string& id,
                                      EditingDocument& doc, int n) {
  std::vector<std::string> texts;
  for (int i = 0; i < n; ++i) {
    const proto::OpRecord record = doc.edit();
    REQUIRE(store.append(id, std::span(&record, 1)));
    texts.push_back(doc.rga().text());
  }
  return texts;
}

std::vector<std::uint64_t> indexes(const std::vector<proto::OpRecord>& records) {
  std::vector<std::uint64_t> out;
  for (const proto::OpRecord& r : records) out.push_back(r.index);
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("a document store", F, MemoryFixture, RocksFixture, RedisFixture) {
  F fixture;
  DocumentStore& store = fixture.store();
  REQUIRE(store.create(make_meta("doc-a")));

  SUBCASE("create refuses duplicates and bad ids; unknown documents are not_found") {
    CHECK(code_of(store.create(make_meta("doc-a"))) == Errc::already_exists);
    for (const char* bad : {"", "a b", "a/b", "caf\xC3\xA9"}) {
      CHECK(code_of(store.create(make_meta(bad))) == Errc::bad_document_id);
    }
    CHECK(code_of(store.create(make_meta(std::string(129, 'x')))) == Errc::bad_document_id);
    CHECK(store.create(make_meta(std::string(128, 'x'))));
    CHECK(store.create(make_meta("A-z_0.9~")));
    CHECK(code_of(store.load("nope")) == Errc::not_found);
    CHECK(code_of(store.read_log("nope", 0, 10)) == Errc::not_found);
    CHECK(code_of(store.load("not ok")) == Errc::bad_document_id);
    CHECK(code_of(store.update_meta(make_meta("nope"))) == Errc::not_found);
    CHECK(code_of(store.write_snapshot("nope", {})) == Errc::not_found);
    CHECK(code_of(store.remove("nope")) == Errc::not_found);
  }

  SUBCASE("appends continue the log densely; anything else is index_gap and writes nothing") {
    EditingDocument doc(1);
    std::vector<proto::OpRecord> three{doc.edit(), doc.edit(), doc.edit()};
    REQUIRE(store.append("doc-a", three));
    proto::OpRecord late = doc.edit();
    late.index = 5;
    CHECK(code_of(store.append("doc-a", std::span(&late, 1))) == Errc::index_gap);
    late.index = 2;
    CHECK(code_of(store.append("doc-a", std::span(&late, 1))) == Errc::index_gap);
    std::vector<proto::OpRecord> holey{doc.edit(), doc.edit()};
    holey[0].index = 3;
    holey[1].index = 5;
    CHECK(code_of(store.append("doc-a", holey)) == Errc::index_gap);
    CHECK(code_of(store.append("nope", three)) == Errc::not_found);
    const auto loaded = store.load("doc-a");
    REQUIRE(loaded);
    CHECK(loaded->next_index == 3);
    CHECK(loaded->tail == three);
    CHECK(store.append("doc-a", std::span<const proto::OpRecord>{}));
  }

  SUBCASE("load is the newest snapshot plus the log after it; the log is never trimmed") {
    EditingDocument doc(1);
    append_edits(store, "doc-a", doc, 4);
    const proto::SnapshotRecord at4 = doc.snapshot();
    REQUIRE(store.write_snapshot("doc-a", at4));
    append_edits(store, "doc-a", doc, 3);
    const proto::SnapshotRecord at7 = doc.snapshot();
    REQUIRE(store.write_snapshot("doc-a", at7));
    append_edits(store, "doc-a", doc, 3);
    proto::SnapshotRecord beyond = doc.snapshot();
    beyond.log_index = 11;
    CHECK(code_of(store.write_snapshot("doc-a", beyond)) == Errc::index_gap);

    const auto loaded = store.load("doc-a");
    REQUIRE(loaded);
    CHECK(loaded->meta == make_meta("doc-a"));
    REQUIRE(loaded->snapshot);
    CHECK(*loaded->snapshot == at7);
    CHECK(indexes(loaded->tail) == std::vector<std::uint64_t>{7, 8, 9});
    CHECK(loaded->next_index == 10);
    const auto snapshots = store.read_snapshots("doc-a");
    REQUIRE(snapshots);
    CHECK(*snapshots == std::vector<proto::SnapshotRecord>{at4, at7});
    const auto whole = store.read_log("doc-a", 0, 100);
    REQUIRE(whole);
    CHECK(whole->size() == 10);
  }

  SUBCASE("read_log serves any range, clamped to the log's end") {
    EditingDocument doc(1);
    append_edits(store, "doc-a", doc, 10);
    CHECK(indexes(store.read_log("doc-a", 2, 5).value()) == std::vector<std::uint64_t>{2, 3, 4});
    CHECK(indexes(store.read_log("doc-a", 8, 100).value()) == std::vector<std::uint64_t>{8, 9});
    CHECK(store.read_log("doc-a", 5, 5).value().empty());
    CHECK(store.read_log("doc-a", 7, 3).value().empty());
    CHECK(store.read_log("doc-a", 10, 20).value().empty());
  }

  SUBCASE("list shows every document with its op count, last change and size") {
    REQUIRE(store.create(make_meta("doc-b", 5'000)));
    EditingDocument doc(1);
    append_edits(store, "doc-a", doc, 6);
    const auto listed = store.list();
    REQUIRE(listed);
    REQUIRE(listed->size() == 2);
    CHECK((*listed)[0].id == "doc-a");
    CHECK((*listed)[0].op_count == 6);
    CHECK((*listed)[0].last_change_us == 1'005'000);
    CHECK((*listed)[0].bytes > 0);
    CHECK((*listed)[1].id == "doc-b");
    CHECK((*listed)[1].op_count == 0);
    CHECK((*listed)[1].last_change_us == 5'000);
  }

  SUBCASE("update_meta replaces the metadata") {
    proto::DocumentMeta meta = make_meta("doc-a");
    meta.replicas.push_back({7, "bob", "Bob", 9'000, std::string(32, 'h')});
    REQUIRE(store.update_meta(meta));
    CHECK(store.load("doc-a").value().meta == meta);
  }

  SUBCASE("remove deletes the metadata, the log and the snapshots") {
    REQUIRE(store.create(make_meta("doc-a-2")));
    EditingDocument doc(1);
    append_edits(store, "doc-a", doc, 5);
    REQUIRE(store.write_snapshot("doc-a", doc.snapshot()));
    REQUIRE(store.remove("doc-a"));
    CHECK(code_of(store.load("doc-a")) == Errc::not_found);
    CHECK(store.list().value().size() == 1);
    REQUIRE(store.create(make_meta("doc-a")));
    const auto fresh = store.load("doc-a");
    REQUIRE(fresh);
    CHECK(fresh->next_index == 0);
    CHECK_FALSE(fresh->snapshot);
    CHECK(fresh->tail.empty());
    CHECK(store.read_snapshots("doc-a").value().empty());
    CHECK(store.load("doc-a-2"));
  }

  SUBCASE("only the two newest snapshots are kept; the log stays whole") {
    EditingDocument doc(1);
    std::vector<proto::SnapshotRecord> written;
    for (int i = 0; i < 4; ++i) {
      append_edits(store, "doc-a", doc, 5);
      written.push_back(doc.snapshot());
      REQUIRE(store.write_snapshot("doc-a", written.back()));
    }
    CHECK(store.read_snapshots("doc-a").value() ==
          std::vector<proto::SnapshotRecord>{written[2], written[3]});
    CHECK(*store.load("doc-a").value().snapshot == written[3]);
    written[1].created_us = 3'000;  // an older log index comes back: it is the oldest, so it goes
    REQUIRE(store.write_snapshot("doc-a", written[1]));
    CHECK(store.read_snapshots("doc-a").value() ==
          std::vector<proto::SnapshotRecord>{written[2], written[3]});
    written[3].created_us = 4'000;  // the same log index replaces the old one
    REQUIRE(store.write_snapshot("doc-a", written[3]));
    CHECK(store.read_snapshots("doc-a").value() ==
          std::vector<proto::SnapshotRecord>{written[2], written[3]});
    CHECK(store.read_log("doc-a", 0, 100).value().size() == 20);
  }

  SUBCASE("materialize rebuilds the live replica; replay rebuilds any past state") {
    EditingDocument doc(1, 42);
    std::vector<std::string> texts = append_edits(store, "doc-a", doc, 150);
    REQUIRE(store.write_snapshot("doc-a", doc.snapshot()));
    const std::vector<std::string> more = append_edits(store, "doc-a", doc, 60);
    texts.insert(texts.end(), more.begin(), more.end());

    const auto loaded = store.load("doc-a");
    REQUIRE(loaded);
    CHECK(loaded->tail.size() == 60);
    const auto rga = materialize(*loaded);
    REQUIRE_MESSAGE(rga, weft::testing::error_message(rga));
    rga->check_invariants();
    CHECK(rga->text() == doc.rga().text());
    CHECK(rga->version() == doc.rga().version());
    for (const std::uint64_t n : {1, 17, 150, 151, 210}) {
      const auto past = replay(store, "doc-a", n);
      REQUIRE_MESSAGE(past, weft::testing::error_message(past));
      past->check_invariants();
      CHECK(past->text() == texts[n - 1]);
    }
    CHECK(replay(store, "doc-a", 0).value().text().empty());
    CHECK(replay(store, "doc-a", 1000).value().text() == doc.rga().text());
  }
}

TEST_CASE("materialize reports an op that does not integrate as corrupt, naming its index") {
  EditingDocument doc(1);
  LoadedDocument loaded;
  loaded.meta = make_meta("doc-x");
  for (int i = 0; i < 3; ++i) loaded.tail.push_back(doc.edit());
  std::get<crdt::InsertOp>(loaded.tail[2].op).parent = crdt::Id{9, 9};  // never seen
  const auto rga = materialize(loaded);
  CHECK(code_of(rga) == Errc::corrupt);
  CHECK(rga.error().message.find("doc-x") != std::string::npos);
  CHECK(rga.error().message.find("log record 2") != std::string::npos);
}

TEST_CASE("a snapshot is due after every_ops ops or every_seconds with some op") {
  const SnapshotPolicy policy;
  CHECK_FALSE(policy.due(0, 1e6));
  CHECK_FALSE(policy.due(999, 29.9));
  CHECK(policy.due(1000, 0));
  CHECK(policy.due(1, 30));
  const SnapshotPolicy ops_only{10, 0};
  CHECK_FALSE(ops_only.due(9, 1e6));
  CHECK(ops_only.due(10, 0));
}

TEST_CASE("key layout: doc id, 0x00, big-endian index; values are a CRC32C then the payload") {
  CHECK(format::key_for("ab", 0x0102) == std::string("ab\0\0\0\0\0\0\0\x01\x02", 11));
  const std::string stored = format::key_for("doc-a", 77);
  const auto key = format::split_key(stored);  // views into `stored`
  REQUIRE(key);
  CHECK(key->doc == "doc-a");
  CHECK(key->index == 77);
  CHECK_FALSE(format::split_key("short"));
  CHECK(format::crc32c("123456789") == 0xE3069283U);  // the CRC32C check value
  CHECK(format::seal("xyz").substr(4) == "xyz");
}

TEST_CASE("keep_snapshots = 0 keeps every snapshot, in both stores") {
  MemoryStore memory(MemoryStoreOptions{.keep_snapshots = 0});
  TempDir dir;
  auto rocks = RocksDbStore::open(dir.path(), RocksDbOptions{.keep_snapshots = 0});
  REQUIRE(rocks);
  for (DocumentStore* store :
       {static_cast<DocumentStore*>(&memory), static_cast<DocumentStore*>(rocks->get())}) {
    REQUIRE(store->create(make_meta("doc-a")));
    EditingDocument doc(1);
    for (int i = 0; i < 4; ++i) {
      append_edits(*store, "doc-a", doc, 2);
      REQUIRE(store->write_snapshot("doc-a", doc.snapshot()));
    }
    CHECK(store->read_snapshots("doc-a").value().size() == 4);
  }
}
