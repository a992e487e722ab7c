// rocksdb_damage_test.cpp — damage below the records: a flipped bit in RocksDB's write-ahead log or
// in a table file is reported, naming the file, and never silently drops acknowledged writes.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "storage/rocksdb_store.hpp"
#include "tests/error_message.hpp"
#include "tests/storage/store_test_support.hpp"
#include "tests/temp_dir.hpp"

using namespace weft;
using namespace weft::storage;
using weft::storage::testing::EditingDocument;
using weft::storage::testing::make_meta;
using weft::testing::TempDir;

namespace {

// The files of `dir` whose names end with `suffix` (".log": the WAL; ".sst": table files).
std::vector<std::filesystem::path> files_ending(const std::string& dir, const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.ends_with(suffix) && entry.file_size() > 0) {
      out.push_back(entry.path());
    }
  }
  return out;
}

void flip_bit(const std::filesystem::path& file, std::uintmax_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  REQUIRE(f.get(c));
  c = static_cast<char>(c ^ 0x10);
  f.seekp(static_cast<std::streamoff>(offset));
  REQUIRE(f.put(c));
}

// Two documents of 40 records each, appended in turns; the store is closed on return.
void write_two_documents(const std::string& dir, bool flush_to_tables) {
  auto opened = RocksDbStore::open(dir);
  REQUIRE_MESSAGE(opened, weft::testing::error_message(opened));
  RocksDbStore& store = **opened;
  REQUIRE(store.create(make_meta("doc-a")));
  REQUIRE(store.create(make_meta("doc-b")));
  EditingDocument a(1, 7);
  EditingDocument b(2, 8);
  for (int i = 0; i < 40; ++i) {
    const proto::OpRecord ra = a.edit();
    const proto::OpRecord rb = b.edit();
    REQUIRE(store.append("doc-a", std::span(&ra, 1)));
    REQUIRE(store.append("doc-b", std::span(&rb, 1)));
  }
  if (flush_to_tables) REQUIRE(store.compact());
}

}  // namespace

TEST_CASE("a flipped bit in the WAL fails the open, naming the file, instead of dropping writes") {
  TempDir dir;
  write_two_documents(dir.path(), false);
  const auto wal = files_ending(dir.path(), ".log");
  REQUIRE(wal.size() == 1);
  // A third of the way in: the records after it were acknowledged too.
  flip_bit(wal[0], std::filesystem::file_size(wal[0]) / 3);

  auto opened = RocksDbStore::open(dir.path());
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == Errc::corrupt);
  CHECK_MESSAGE(opened.error().message.find(wal[0].filename().string()) != std::string::npos,
                opened.error().message);
}

TEST_CASE("a WAL whose last record was torn by a crash opens without it, and says so") {
  TempDir dir;
  write_two_documents(dir.path(), false);
  const auto wal = files_ending(dir.path(), ".log");
  REQUIRE(wal.size() == 1);
  // A crash in the middle of the last append's write: its record is cut short. That append was
  // never acknowledged (acks follow the sync), so leaving it out loses nothing acknowledged.
  std::filesystem::resize_file(wal[0], std::filesystem::file_size(wal[0]) - 5);

  auto opened = RocksDbStore::open(dir.path());
  REQUIRE_MESSAGE(opened, weft::testing::error_message(opened));
  RocksDbStore& store = **opened;
  CHECK_MESSAGE(store.recovery_note().find("last record was incomplete") != std::string::npos,
                store.recovery_note());
  const auto a = store.read_log("doc-a", 0, UINT64_MAX);
  const auto b = store.read_log("doc-b", 0, UINT64_MAX);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->size() == 40);
  CHECK(b->size() == 39);  // the torn one was doc-b's 40th
  // And the store takes writes again after it.
  EditingDocument next(3, 9);
  const proto::OpRecord record = next.edit();
  REQUIRE(store.create(make_meta("doc-c")));
  CHECK(store.append("doc-c", std::span(&record, 1)));
}

TEST_CASE("an intact store opens without a recovery note") {
  TempDir dir;
  write_two_documents(dir.path(), false);
  auto opened = RocksDbStore::open(dir.path());
  REQUIRE_MESSAGE(opened, weft::testing::error_message(opened));
  CHECK((*opened)->recovery_note().empty());
}

TEST_CASE("salvage keeps what a damaged WAL holds before the damage, and then opens normally") {
  TempDir dir;
  write_two_documents(dir.path(), false);
  const auto wal = files_ending(dir.path(), ".log");
  REQUIRE(wal.size() == 1);
  flip_bit(wal[0], std::filesystem::file_size(wal[0]) / 2);
  REQUIRE_FALSE(RocksDbStore::open(dir.path()));

  std::uint64_t kept_a = 0;
  std::uint64_t kept_b = 0;
  {
    auto salvaged = RocksDbStore::open(dir.path(), {.salvage_wal = true});
    REQUIRE_MESSAGE(salvaged, weft::testing::error_message(salvaged));
    RocksDbStore& store = **salvaged;
    CHECK_MESSAGE(store.recovery_note().find("dropping") != std::string::npos,
                  store.recovery_note());
    const auto a = store.read_log("doc-a", 0, UINT64_MAX);
    const auto b = store.read_log("doc-b", 0, UINT64_MAX);
    REQUIRE(a);
    REQUIRE(b);
    kept_a = a->size();
    kept_b = b->size();
    // Appends alternate a, b: the records before the damage, every document a prefix of itself.
    CHECK(kept_a > 5);
    CHECK(kept_a < 40);
    CHECK((kept_b == kept_a || kept_b + 1 == kept_a));
    REQUIRE(store.compact());
  }
  auto reopened = RocksDbStore::open(dir.path());
  REQUIRE_MESSAGE(reopened, weft::testing::error_message(reopened));
  CHECK((*reopened)->recovery_note().empty());
  const auto a = (*reopened)->read_log("doc-a", 0, UINT64_MAX);
  REQUIRE(a);
  CHECK(a->size() == kept_a);
  CHECK((*reopened)->verify_files());
}

TEST_CASE("verify_files finds a flipped bit in a table file that no read touched yet") {
  TempDir dir;
  write_two_documents(dir.path(), true);
  const auto tables = files_ending(dir.path(), ".sst");
  REQUIRE_FALSE(tables.empty());
  {
    auto opened = RocksDbStore::open(dir.path());
    REQUIRE(opened);
    CHECK((*opened)->verify_files());
  }
  for (const auto& table : tables) flip_bit(table, 64);  // inside each file's first data block
  auto opened = RocksDbStore::open(dir.path(), {.read_only = true});
  REQUIRE_MESSAGE(opened, weft::testing::error_message(opened));
  const auto checked = (*opened)->verify_files();
  REQUIRE_FALSE(checked);
  CHECK(checked.error().code == Errc::corrupt);
  CHECK_MESSAGE(checked.error().message.find(".sst") != std::string::npos, checked.error().message);
}

TEST_CASE("a store reports itself writable, and a read-only one says why not") {
  TempDir dir;
  write_two_documents(dir.path(), false);
  {
    auto opened = RocksDbStore::open(dir.path());
    REQUIRE(opened);
    CHECK((*opened)->health().writable);
    CHECK((*opened)->health().write_failures == 0);
  }
  auto reader = RocksDbStore::open(dir.path(), {.read_only = true});
  REQUIRE(reader);
  CHECK_FALSE((*reader)->health().writable);
  CHECK((*reader)->health().reason == "opened read-only");
}
