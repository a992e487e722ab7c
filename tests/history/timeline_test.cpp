// timeline(): sessions per user and gap, the gap doubling, and the authors.
#include "history/timeline.hpp"

#include <doctest/doctest.h>

#include "tests/history/history_log.hpp"

namespace weft::history {
namespace {

using test::HistoryLog;
constexpr std::int64_t second = 1'000'000;

TEST_CASE("interleaved typing of two users makes one session each") {
  HistoryLog log(2);
  log.insert(1, "ana", 0, "ab", 10 * second);
  log.insert(2, "bo", 2, "c", 11 * second);
  log.insert(1, "ana", 3, "d", 12 * second);
  log.erase(2, "bo", 0, 1, 13 * second);
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  const Timeline t = timeline(index, 300);
  CHECK(t.gap_seconds == 300);
  REQUIRE(t.sessions.size() == 2);
  CHECK(index.user(t.sessions[0].user) == "ana");
  CHECK(t.sessions[0].from == 0);
  CHECK(t.sessions[0].to == 3);
  CHECK(t.sessions[0].ops == 2);
  CHECK(t.sessions[0].inserted == 3);
  CHECK(t.sessions[0].first_us == 10 * second);
  CHECK(t.sessions[0].last_us == 12 * second);
  CHECK(index.user(t.sessions[1].user) == "bo");
  CHECK(t.sessions[1].from == 1);
  CHECK(t.sessions[1].to == 4);
  CHECK(t.sessions[1].deleted == 1);
}

TEST_CASE("a pause longer than the gap starts a new session") {
  HistoryLog log(1);
  log.insert(1, "ana", 0, "a", 0);
  log.insert(1, "ana", 1, "b", 5 * second);
  log.insert(1, "ana", 2, "c", 11 * second);
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  CHECK(timeline(index, 5).sessions.size() == 2);
  CHECK(timeline(index, 6).sessions.size() == 1);
}

TEST_CASE("the gap doubles while there would be more than 10000 sessions") {
  HistoryLog log(1);
  for (std::uint64_t i = 0; i < 12'000; ++i) {
    log.insert(1, "ana", i, "x", static_cast<std::int64_t>(i) * 2 * second);
  }
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  const Timeline t = timeline(index, 1);
  CHECK(t.gap_seconds == 2);
  CHECK(t.sessions.size() == 1);
  const Timeline far = timeline(index, 1000);
  CHECK(far.gap_seconds == 1000);
}

TEST_CASE("doubling stops once the gap spans the log") {
  HistoryLog log(1);
  log.insert(1, "ana", 0, "a", 0);
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  CHECK(timeline(index, 1).gap_seconds == 1);
}

TEST_CASE("authors list every user with a record or a replica, named by the newest replica") {
  HistoryLog log(2);
  log.insert(1, "ana", 0, "a", 1);
  log.insert(2, "zed", 1, "b", 2);
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  proto::DocumentMeta meta;
  meta.replicas = {{1, "ana", "Ana", 10, {}}, {3, "bo", "Bo", 20, {}}, {4, "ana", "Ana B", 30, {}}};
  const auto list = authors(meta, index);
  REQUIRE(list.size() == 3);
  CHECK(list[0].user == "ana");
  CHECK(list[0].name == "Ana B");
  CHECK(list[0].replicas == std::vector<std::uint64_t>{1, 4});
  CHECK(list[1].user == "bo");
  CHECK(list[2].user == "zed");
  CHECK(list[2].name.empty());
  CHECK(list[2].replicas.empty());
}

}  // namespace
}  // namespace weft::history
