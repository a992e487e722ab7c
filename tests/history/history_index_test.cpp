// HistoryIndex: text at every version, versions by time, and extension record by record.
#include "history/history_index.hpp"

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/history/history_log.hpp"

namespace weft::history {
namespace {

using test::HistoryLog;

TEST_CASE("text at every version is the text the replicas had after that many records") {
  HistoryLog log(2);
  std::vector<std::string> texts{""};
  log.insert(1, "ana", 0, "hello", 100);
  texts.push_back(log.text());
  log.insert(2, "bo", 5, " wörld", 200);
  texts.push_back(log.text());
  log.erase(1, "ana", 1, 3, 300);
  texts.push_back(log.text());
  log.insert(2, "bo", 0, "¡", 400);
  texts.push_back(log.text());
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  REQUIRE(index.ops() == 4);
  for (std::uint64_t n = 0; n < texts.size(); ++n) {
    CHECK(index.text_at(n) == texts[n]);
  }
  CHECK(index.length_at(2) == 11);
}

TEST_CASE("an index extended a record at a time answers as one built at once") {
  HistoryLog log(2);
  log.insert(1, "ana", 0, "abc", 1);
  log.insert(2, "bo", 1, "XY", 2);
  log.erase(2, "bo", 0, 2, 3);
  log.insert(1, "ana", 3, "z", 4);
  HistoryIndex stepwise("d");
  for (const auto& record : log.records()) {
    REQUIRE(stepwise.extend({&record, 1}).has_value());
    CHECK(stepwise.text_at(stepwise.ops()) == stepwise.text_at(record.index + 1));
  }
  CHECK(stepwise.text_at(4) == log.text());
  CHECK(stepwise.text_at(2) == "aXYbc");
}

TEST_CASE("a record that does not continue the log is refused") {
  HistoryLog log(1);
  log.insert(1, "ana", 0, "a", 1);
  log.insert(1, "ana", 1, "b", 2);
  HistoryIndex index("d");
  CHECK_FALSE(index.extend({&log.records()[1], 1}).has_value());
}

TEST_CASE("the version at a time holds every record up to that time") {
  HistoryLog log(1);
  log.insert(1, "ana", 0, "a", 100);
  log.insert(1, "ana", 1, "b", 200);
  log.insert(1, "ana", 2, "c", 200);
  log.insert(1, "ana", 3, "d", 300);
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  CHECK(index.version_at_time(99) == 0);
  CHECK(index.version_at_time(100) == 1);
  CHECK(index.version_at_time(250) == 3);
  CHECK(index.version_at_time(1000) == 4);
}

}  // namespace
}  // namespace weft::history
