// HistoryCache against a MemoryStore: catching up with appends, recreation, deletion, the cap.
#include "history/history_cache.hpp"

#include <doctest/doctest.h>

#include "storage/memory_store.hpp"
#include "tests/history/history_log.hpp"

namespace weft::history {
namespace {

using test::HistoryLog;

proto::DocumentMeta meta_of(std::string id, std::uint64_t epoch) {
  proto::DocumentMeta meta;
  meta.id = std::move(id);
  meta.created_us = 1;
  meta.epoch = epoch;
  return meta;
}

std::string current_text(HistoryCache& cache, storage::DocumentStore& store, std::string_view doc) {
  std::string text;
  auto ok =
      cache.read(store, doc, [&](const storage::DocumentHead& head, const HistoryIndex& index) {
        CHECK(head.next_index == index.ops());
        text = index.text_at(index.ops());
      });
  REQUIRE(ok.has_value());
  return text;
}

TEST_CASE("the cache reads the records appended since its last read") {
  storage::MemoryStore store;
  HistoryLog log(1);
  log.insert(1, "ana", 0, "ab", 1);
  log.insert(1, "ana", 2, "cd", 2);
  REQUIRE(store.create(meta_of("d", 7)).has_value());
  REQUIRE(store.append("d", {log.records().data(), 1}).has_value());
  HistoryCache cache;
  CHECK(current_text(cache, store, "d") == "ab");
  REQUIRE(store.append("d", {log.records().data() + 1, 1}).has_value());
  CHECK(current_text(cache, store, "d") == "abcd");
  CHECK(cache.size() == 1);
  CHECK(cache.bytes() > 0);
}

TEST_CASE("a document recreated under another epoch is read anew") {
  storage::MemoryStore store;
  HistoryLog first(1);
  first.insert(1, "ana", 0, "old text", 1);
  HistoryLog second(1);
  second.insert(1, "bo", 0, "new", 2);
  REQUIRE(store.create(meta_of("d", 1)).has_value());
  REQUIRE(store.append("d", first.records()).has_value());
  HistoryCache cache;
  CHECK(current_text(cache, store, "d") == "old text");
  REQUIRE(store.remove("d").has_value());
  REQUIRE(store.create(meta_of("d", 2)).has_value());
  REQUIRE(store.append("d", second.records()).has_value());
  CHECK(current_text(cache, store, "d") == "new");
}

TEST_CASE("a deleted document is not found, and forget drops its index") {
  storage::MemoryStore store;
  HistoryLog log(1);
  log.insert(1, "ana", 0, "x", 1);
  REQUIRE(store.create(meta_of("d", 1)).has_value());
  REQUIRE(store.append("d", log.records()).has_value());
  HistoryCache cache;
  CHECK(current_text(cache, store, "d") == "x");
  cache.forget("d");
  CHECK(cache.size() == 0);
  REQUIRE(store.remove("d").has_value());
  const auto read = cache.read(store, "d", [](const auto&, const auto&) { FAIL("ran"); });
  REQUIRE_FALSE(read.has_value());
  CHECK(read.error().code == storage::Errc::not_found);
}

TEST_CASE("over its cap the cache evicts the least recently read document") {
  storage::MemoryStore store;
  HistoryLog log(1);
  log.insert(1, "ana", 0, "some text", 1);
  for (const char* id : {"a", "b", "c"}) {
    REQUIRE(store.create(meta_of(id, 1)).has_value());
    REQUIRE(store.append(id, log.records()).has_value());
  }
  HistoryCache probe;
  CHECK(current_text(probe, store, "a") == "some text");
  HistoryCache cache(probe.bytes() * 2 + probe.bytes() / 2);
  CHECK(current_text(cache, store, "a") == "some text");
  CHECK(current_text(cache, store, "b") == "some text");
  CHECK(current_text(cache, store, "c") == "some text");
  CHECK(cache.size() == 2);
  CHECK(cache.bytes() <= probe.bytes() * 2 + probe.bytes() / 2);
}

}  // namespace
}  // namespace weft::history
