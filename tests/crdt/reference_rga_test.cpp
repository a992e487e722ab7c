// reference_rga_test.cpp — sanity checks of ReferenceRga itself: the tree order of
// ../shared/design/crdt.md §1.3, strict UTF-8, and agreement with a naive list-rule replica.
#include "tests/crdt/reference_rga.hpp"

#include <cstdint>
#include <ostream>  // doctest prints std::error_code with it
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "crdt/errc.hpp"
#include "crdt/rga.hpp"
#include "tests/crdt/vector_cases.hpp"

namespace {

using weft::crdt::ApplyStatus;
using weft::crdt::DeleteOp;
using weft::crdt::ElementRun;
using weft::crdt::Errc;
using weft::crdt::Id;
using weft::crdt::InsertOp;
using weft::crdt::Key;
using weft::crdt::Op;
using weft::crdt::root_id;
using weft::crdt::testing::decode_utf8;
using weft::crdt::testing::ins;
using weft::crdt::testing::ReferenceRga;

// Applies ops in order to a fresh observer and returns its text.
std::string text_after(const std::vector<Op>& ops) {
  ReferenceRga replica;
  for (const Op& op : ops) CHECK(replica.apply_remote(op).status == ApplyStatus::applied);
  return replica.text();
}

// The list rule of crdt/README.md §5.2 as the plainest possible scan, to check the tree.
class ListReplica {
 public:
  void apply(const Op& op) {
    if (const auto* insert = std::get_if<InsertOp>(&op)) {
      std::size_t pos = insert->parent == root_id ? 0 : index_of(insert->parent) + 1;
      const Key key{insert->lamport, insert->replica};
      while (pos < elements_.size() && elements_[pos].key > key) ++pos;
      const std::u32string code_points = *decode_utf8(insert->text);
      for (std::size_t k = 0; k < code_points.size(); ++k) {
        elements_.insert(elements_.begin() + static_cast<std::ptrdiff_t>(pos + k),
                         Element{Id{insert->replica, insert->seq + k},
                                 Key{insert->lamport + k, insert->replica}, false});
      }
      return;
    }
    for (const auto& t : std::get<DeleteOp>(op).targets) {
      for (std::uint64_t k = 0; k < t.len; ++k)
        elements_[index_of({t.replica, t.seq + k})].deleted = true;
    }
  }
  std::vector<ElementRun> runs() const {
    std::vector<ElementRun> runs;
    for (const Element& e : elements_) {
      runs.push_back(ElementRun{e.id.replica, e.id.seq, e.key.lamport, 1, e.deleted});
    }
    return runs;
  }

 private:
  struct Element {
    Id id;
    Key key;
    bool deleted = false;
  };
  std::size_t index_of(Id id) const {
    for (std::size_t i = 0; i < elements_.size(); ++i) {
      if (elements_[i].id == id) return i;
    }
    FAIL("unknown id");
    return 0;
  }
  std::vector<Element> elements_;
};

// One run per element, so listings from both replicas compare directly.
std::vector<ElementRun> per_element(const std::vector<ElementRun>& runs) {
  std::vector<ElementRun> out;
  for (const ElementRun& r : runs) {
    for (std::uint64_t k = 0; k < r.len; ++k) {
      out.push_back(ElementRun{r.replica, r.seq + k, r.lamport + k, 1, r.deleted});
    }
  }
  return out;
}

}  // namespace

TEST_SUITE("ReferenceRga") {
  TEST_CASE("decode_utf8 accepts scalar values and rejects everything else") {
    CHECK(decode_utf8("a\u00E9\u20AC\U0001F600") == std::u32string{U'a', 0xE9, 0x20AC, 0x1F600});
    CHECK(decode_utf8(std::string("\0", 1)) == std::u32string(1, U'\0'));
    for (const char* bad :
         {"\xC0\x80", "\xC1\xBF", "\xE0\x9F\xBF", "\xF0\x8F\xBF\xBF", "\xED\xA0\x80",
          "\xED\xBF\xBF", "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\xFF", "\x80", "\xE2\x82",
          "\xE2\x28\xA1", "a\xF0\x9F\x98"}) {
      CAPTURE(bad);
      CHECK_FALSE(decode_utf8(bad));
    }
  }

  TEST_CASE("forward typing keeps chains together; backward typing interleaves (crdt.md §1.3)") {
    CHECK(text_after({ins(1, 0, 1, root_id, "a"), ins(1, 1, 2, {1, 0}, "b"),
                      ins(1, 2, 3, {1, 1}, "c"), ins(2, 0, 1, root_id, "x"),
                      ins(2, 1, 2, {2, 0}, "y"), ins(2, 2, 3, {2, 1}, "z")}) == "xyzabc");
    CHECK(text_after({ins(1, 0, 1, root_id, "c"), ins(1, 1, 2, root_id, "b"),
                      ins(1, 2, 3, root_id, "a"), ins(2, 0, 1, root_id, "z"),
                      ins(2, 1, 2, root_id, "y"), ins(2, 2, 3, root_id, "x")}) == "xaybzc");
  }

  TEST_CASE("the lesser anomaly splits sequentially typed text (crdt.md §1.3)") {
    CHECK(text_after({ins(1, 0, 1, root_id, "world"), ins(1, 5, 6, root_id, "hello "),
                      ins(2, 0, 3, root_id, "XY")}) == "hello XYworld");
    CHECK(text_after({ins(1, 0, 1, root_id, "world"), ins(1, 5, 6, root_id, "hello "),
                      ins(2, 0, 7, root_id, "XY")}) == "XYhello world");
  }

  TEST_CASE("a child sorts before an older sibling's whole subtree") {
    // c's children: Y (4,9) > d (4,5) > X (4,2); X comes after d's subtree "def".
    CHECK(text_after({ins(5, 0, 1, root_id, "abcdef"), ins(2, 0, 4, {5, 2}, "X"),
                      ins(9, 0, 4, {5, 2}, "Y")}) == "abcYdefX");
  }

  TEST_CASE("a rejected op changes nothing, and a released op integrates") {
    ReferenceRga replica;
    CHECK(replica.apply_remote(ins(1, 1, 2, {1, 0}, "b")).status == ApplyStatus::buffered);
    const auto malformed = replica.apply_remote(ins(1, 0, 0, root_id, "a"));
    CHECK(malformed.error == Errc::bad_counter);
    CHECK(replica.version().empty());
    const auto applied = replica.apply_remote(ins(1, 0, 1, root_id, "a"));
    CHECK(applied.status == ApplyStatus::applied);
    CHECK(applied.released == 1);
    CHECK(replica.text() == "ab");
    CHECK(replica.buffered_ops() == 0);
  }

  TEST_CASE("local edits make the ops of crdt/README.md §6") {
    ReferenceRga replica{7};
    const auto first = replica.local_insert(0, "abc");
    REQUIRE(first);
    CHECK(*first == InsertOp{7, 0, 1, root_id, "abc"});
    REQUIRE(replica.local_delete(1, 1));
    const auto after_tombstone = replica.local_insert(1, "X");
    REQUIRE(after_tombstone);
    CHECK(*after_tombstone == InsertOp{7, 4, 5, {7, 0}, "X"});
    CHECK(replica.text() == "aXc");
    CHECK(replica.local_insert(4, "!").error() == Errc::position_out_of_range);
    CHECK(ReferenceRga{}.local_insert(0, "a").error() == Errc::no_local_replica);
  }

  TEST_CASE("the tree definition equals the list rule on random honest histories") {
    for (std::uint64_t number = 0; number < 60; ++number) {
      CAPTURE(number);
      const auto c = weft::crdt::testing::random_case(number);
      ReferenceRga tree;
      ListReplica list;
      // Creation order is causal, and the re-sent copies after the original ops only repeat units.
      for (const Op& op : c.ops) {
        if (tree.apply_remote(op).status == ApplyStatus::applied) list.apply(op);
      }
      CHECK(per_element(tree.runs()) == per_element(list.runs()));
    }
  }
}
