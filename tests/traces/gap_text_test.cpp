// gap_text_test.cpp — bench::GapText, the plain text that trace replays are checked against and
// weft-replay shows changes from: splices at code-point positions, refusals, and reading back.
#include "bench/gap_text.hpp"

#include <doctest/doctest.h>

namespace weft::bench {

TEST_SUITE("GapText") {
  TEST_CASE("splices apply at code-point positions, wherever the previous edit was") {
    GapText text;
    CHECK(text.splice(0, 0, "hello world"));
    CHECK(text.splice(5, 0, ","));
    CHECK(text.splice(0, 1, "H"));
    CHECK(text.splice(12, 0, "!"));
    CHECK(text.splice(7, 5, "there"));
    CHECK(text.utf8() == "Hello, there!");
    CHECK(text.size() == 13);
  }

  TEST_CASE("multi-byte code points count as one position each") {
    GapText text{"a\u00E9\u20AC\U0001F600b"};
    CHECK(text.size() == 5);
    CHECK(text.at(3) == U'\U0001F600');
    CHECK(text.splice(2, 1, "\u00FC"));
    CHECK(text.utf8() == "a\u00E9\u00FC\U0001F600b");
  }

  TEST_CASE("a splice beyond the text is refused and changes nothing") {
    GapText text{"abc"};
    CHECK_FALSE(text.splice(4, 0, "x"));
    CHECK_FALSE(text.splice(2, 2, ""));
    CHECK(text.utf8() == "abc");
  }

  TEST_CASE("substr clamps its range to the text") {
    const GapText text{"abcdef"};
    CHECK(text.substr(2, 3) == "cde");
    CHECK(text.substr(4, 100) == "ef");
    CHECK(text.substr(9, 1).empty());
  }

  TEST_CASE("a long run of inserts grows the buffer and keeps the text after the gap") {
    GapText text{"<>"};
    for (int i = 0; i < 1000; ++i) CHECK(text.splice(1 + static_cast<std::uint64_t>(i), 0, "x"));
    CHECK(text.size() == 1002);
    CHECK(text.substr(999, 3) == "xx>");
  }

  TEST_CASE("assign replaces the whole text") {
    GapText text{"old"};
    text.assign("new text");
    CHECK(text.utf8() == "new text");
  }
}

}  // namespace weft::bench
