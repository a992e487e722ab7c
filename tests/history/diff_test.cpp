// diff(): segments that rebuild both texts, with who inserted or deleted, both ways.
#include "history/diff.hpp"

#include <doctest/doctest.h>

#include "tests/history/history_log.hpp"

namespace weft::history {
namespace {

using test::HistoryLog;

std::string joined(const std::vector<DiffSegment>& segments, SegmentKind skip) {
  std::string text;
  for (const DiffSegment& s : segments) {
    if (s.kind != skip) text += s.text;
  }
  return text;
}

TEST_CASE("keep and insert rebuild the newer text, keep and delete the older one") {
  HistoryLog log(2);
  log.insert(1, "ana", 0, "hello", 1);
  log.erase(2, "bo", 3, 2, 2);
  log.insert(1, "ana", 3, "p!", 3);
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  const auto segments = diff(index, 1, 3);
  REQUIRE(segments.size() == 3);
  CHECK(segments[0].kind == SegmentKind::keep);
  CHECK(segments[0].text == "hel");
  // New text sits right after its parent, before the tombstones there.
  CHECK(segments[1].kind == SegmentKind::insert);
  CHECK(segments[1].text == "p!");
  CHECK(index.user(segments[1].user) == "ana");
  CHECK(segments[2].kind == SegmentKind::erase);
  CHECK(segments[2].text == "lo");
  CHECK(index.user(segments[2].user) == "bo");
  CHECK(joined(segments, SegmentKind::erase) == index.text_at(3));
  CHECK(joined(segments, SegmentKind::insert) == index.text_at(1));
}

TEST_CASE("a diff backwards names who deleted what it inserts and who inserted what it deletes") {
  HistoryLog log(2);
  log.insert(1, "ana", 0, "hello", 1);
  log.erase(2, "bo", 3, 2, 2);
  log.insert(1, "ana", 3, "p!", 3);
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  const auto segments = diff(index, 3, 1);
  REQUIRE(segments.size() == 3);
  CHECK(segments[1].kind == SegmentKind::erase);
  CHECK(segments[1].text == "p!");
  CHECK(index.user(segments[1].user) == "ana");
  CHECK(segments[2].kind == SegmentKind::insert);
  CHECK(segments[2].text == "lo");
  CHECK(index.user(segments[2].user) == "bo");
  CHECK(joined(segments, SegmentKind::erase) == index.text_at(1));
  CHECK(joined(segments, SegmentKind::insert) == index.text_at(3));
}

TEST_CASE("a diff of a version with itself is one keep segment") {
  HistoryLog log(1);
  log.insert(1, "ana", 0, "abc", 1);
  HistoryIndex index("d");
  REQUIRE(index.extend(log.records()).has_value());
  const auto segments = diff(index, 1, 1);
  REQUIRE(segments.size() == 1);
  CHECK(segments[0].kind == SegmentKind::keep);
  CHECK(diff(index, 0, 0).empty());
}

}  // namespace
}  // namespace weft::history
