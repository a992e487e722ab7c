// raw_rocksdb.hpp — a raw RocksDB handle on a closed RocksDbStore's directory, for the storage
// tests that look at the keys it wrote or damage its values, as a bad disk or a buggy build would.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <rocksdb/db.h>

namespace weft::storage::testing {

// Runs `use` on a raw handle of column family `family` ("meta", "log", "snap", "logchunk" or
// "version") of the database in `dir`. Requires: no store has `dir` open.
inline void with_raw_family(
    const std::string& dir, std::string_view family,
    const std::function<void(rocksdb::DB&, rocksdb::ColumnFamilyHandle*)>& use) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  std::size_t wanted = 0;
  for (const char* name :
       {rocksdb::kDefaultColumnFamilyName.c_str(), "meta", "log", "snap", "logchunk", "version"}) {
    if (name == family) wanted = families.size();
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, families, &handles, &db).ok());
  use(*db, handles[wanted]);
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    CHECK(db->DestroyColumnFamilyHandle(handle).ok());
  }
  CHECK(db->Close().ok());
  delete db;  // NOLINT: RocksDB's raw-pointer API, test-only
}

// Writes `value` under `key` in column family `family`. Requires: no store has `dir` open.
inline void raw_put(const std::string& dir, std::string_view family, const std::string& key,
                    const std::string& value) {
  with_raw_family(dir, family, [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* handle) {
    CHECK(db.Put(rocksdb::WriteOptions(), handle, key, value).ok());
  });
}

}  // namespace weft::storage::testing
