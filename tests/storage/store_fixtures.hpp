// store_fixtures.hpp — the three stores as doctest template fixtures (the contract suites run
// against each; RedisStore on a redis-server the fixture starts), and code_of(), the storage Errc
// of a failed result.
#pragma once

#include <memory>

#include <doctest/doctest.h>

#include "storage/document_store.hpp"
#include "storage/memory_store.hpp"
#include "storage/redis_store.hpp"
#include "storage/rocksdb_store.hpp"
#include "tests/error_message.hpp"
#include "tests/redis_server.hpp"
#include "tests/temp_dir.hpp"

namespace weft::storage::testing {

struct MemoryFixture {
  MemoryStore memory;
  DocumentStore& store() { return memory; }
};

struct RocksFixture {
  weft::testing::TempDir dir;
  std::unique_ptr<RocksDbStore> rocks;
  RocksFixture() { reopen(); }
  void reopen() {
    rocks.reset();
    // Small chunks, so that the suite reads logs across chunks and individual records.
    auto opened = RocksDbStore::open(dir.path(), RocksDbOptions{.chunk_records = 8});
    REQUIRE_MESSAGE(opened, weft::testing::error_message(opened));
    rocks = std::move(*opened);
  }
  DocumentStore& store() { return *rocks; }
};

struct RedisFixture {
  weft::testing::RedisServer server;
  std::unique_ptr<RedisStore> redis;
  RedisFixture() {
    // Small chunks, as for RocksDB.
    auto opened = RedisStore::open(server.url(), RedisStoreOptions{.chunk_records = 8});
    REQUIRE_MESSAGE(opened, weft::testing::error_message(opened));
    redis = std::move(*opened);
  }
  DocumentStore& store() { return *redis; }
};

template <class T>
Errc code_of(const Result<T>& result) {
  REQUIRE_FALSE(result.has_value());
  REQUIRE(result.error().code.category() == category());
  return static_cast<Errc>(result.error().code.value());
}

}  // namespace weft::storage::testing
