// blame(): runs by replica and typing order, covering the asked range exactly.
#include "history/blame.hpp"

#include <doctest/doctest.h>

#include "tests/history/history_log.hpp"

namespace weft::history {
namespace {

using test::HistoryLog;

TEST_CASE("a replica's consecutive records make one run even with others typing between") {
  HistoryLog log(2);
  log.insert(1, "ana", 0, "he", 1);
  log.insert(2, "bo", 2, "!", 2);
  log.insert(1, "ana", 2, "llo", 3);
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  const auto runs = blame(index, 3, 0, 6);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].text == "hello");
  CHECK(runs[0].from == 0);
  CHECK(runs[0].to == 5);
  CHECK(index.user(runs[0].user) == "ana");
  CHECK(runs[0].replica == 1);
  CHECK(runs[0].first_op == 0);
  CHECK(runs[0].last_op == 2);
  CHECK(runs[0].last_us == 3);
  CHECK(runs[1].text == "!");
  CHECK(index.user(runs[1].user) == "bo");
}

TEST_CASE("text typed again later by the same replica is a run of its own") {
  HistoryLog log(1);
  log.insert(1, "ana", 0, "ac", 1);
  log.insert(1, "ana", 2, "d", 2);
  log.insert(1, "ana", 1, "b", 3);
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  const auto runs = blame(index, 3, 0, 4);
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].text == "a");
  CHECK(runs[1].text == "b");
  CHECK(runs[2].text == "cd");
}

TEST_CASE("the runs of a range cover it exactly, at an older version too") {
  HistoryLog log(2);
  log.insert(1, "ana", 0, "abcdef", 1);
  log.insert(2, "bo", 3, "XYZ", 2);
  log.erase(1, "ana", 0, 2, 3);
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  const auto runs = blame(index, 2, 1, 7);
  REQUIRE(runs.size() == 3);
  CHECK(runs.front().from == 1);
  CHECK(runs.back().to == 7);
  std::string joined;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (i > 0) CHECK(runs[i].from == runs[i - 1].to);
    joined += runs[i].text;
  }
  CHECK(joined == "bcXYZd");
  CHECK(blame(index, 3, 0, 0).empty());
}

}  // namespace
}  // namespace weft::history
