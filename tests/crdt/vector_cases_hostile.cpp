// vector_cases_hostile.cpp — the hand-written rejection cases (hostile.json) and the local
// edit cases that pin down op generation (local.json).
#include <cstdint>
#include <vector>

#include "tests/crdt/vector_cases.hpp"

namespace weft::crdt::testing {

// ---- hostile: every rejection, in the order the checks run ------------------------------------

std::vector<ReplayCase> hostile_cases() {
  const std::uint64_t max = id_limit;  // 2^53, the first value out of range
  std::vector<ReplayCase> cases;
  cases.push_back(
      {"reject_bad_replica",
       "Replica 0 or 2^53 as the op's replica, a parent (0, s != 0) or (2^53, 0), "
       "and target replicas 0 or 2^53. Op 2 also has lamport 0: the replica is "
       "checked first. Nothing changes, so op 7 still applies at (1,0).",
       {ins(0, 0, 1, root_id, "a"), ins(max, 0, 1, root_id, "a"), ins(0, 0, 0, root_id, "a"),
        ins(1, 0, 1, {0, 5}, "a"), ins(1, 0, 1, {max, 0}, "a"), del(1, 0, 1, {{0, 0, 1}}),
        del(1, 0, 1, {{max, 0, 1}}), ins(1, 0, 1, root_id, "ok")},
       {in_order(8)}});
  cases.push_back(
      {"reject_bad_counter",
       "Lamport 0 or 2^53, seq 2^53, lamport or seq overflowing with the op's "
       "length (lamport + n - 1 < 2^53 and seq + n <= 2^53 are required), parent "
       "seq 2^53, a target range past 2^53, a delete whose seq overflows.",
       {ins(1, 0, 0, root_id, "a"), ins(1, 0, max, root_id, "a"), ins(1, max, 1, root_id, "a"),
        ins(1, 0, max - 1, root_id, "ab"), ins(1, max - 1, 1, root_id, "ab"),
        ins(1, 0, 1, {2, max}, "a"), del(1, 0, 1, {{2, max - 1, 2}}), del(1, 0, 1, {{2, max, 1}}),
        del(1, max - 1, 1, {{2, 0, 1}, {2, 1, 1}}), ins(1, 0, 1, root_id, "ok")},
       {in_order(10)}});
  cases.push_back({"counter_limits_accepted",
                   "The largest values are accepted: lamport 2^53-1 (the clock ends there), a "
                   "seq of 2^53-1 (buffered: replica 2 has no earlier seqs), and a delete with "
                   "lamport 2^53-2 that is lower than the clock.",
                   {ins(1, 0, max - 1, root_id, "z"), ins(2, max - 1, 5, root_id, "y"),
                    del(3, 0, max - 2, {{1, 0, 1}}), ins(3, 1, max - 1, root_id, "w")},
                   {in_order(4)}});
  cases.push_back({"reject_empty_op",
                   "An insert of \"\", a delete without targets, a delete with a zero-length "
                   "target range.",
                   {ins(1, 0, 1, root_id, ""), del(1, 0, 1, {}),
                    del(1, 0, 1, {{2, 0, 1}, {2, 1, 0}}), ins(1, 0, 1, root_id, "ok")},
                   {in_order(4)}});
  cases.push_back({"reject_run_too_long",
                   "Deletes of 2^20 + 1 units, in one target range and in two (max_run is "
                   "2^20 units per op, the default limit).",
                   {del(2, 0, 5, {{1, 0, 1048577}}), del(2, 0, 5, {{1, 0, 1048576}, {1, 0, 1}}),
                    ins(1, 0, 1, root_id, "ok")},
                   {in_order(3)}});
  {
    std::vector<Op> ops;
    for (const char* bytes : {"\xC0\xAF", "\xE0\x80\xAF", "\xF0\x82\x82\xAC", "\xED\xA0\x80",
                              "\xED\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF",
                              "\x80", "\xE2\x82", "\xE2\x82\x41", "a\xC3", "\xC3\xA9\xC3"}) {
      ops.push_back(ins(1, 0, 1, root_id, bytes));
    }
    ops.push_back(ins(1, 0, 1, root_id, "ok\u00E9"));
    cases.push_back({"reject_invalid_utf8",
                     "Texts given as hex bytes: overlong forms (C0 AF, E0 80 AF, F0 82 82 AC), "
                     "surrogates (ED A0 80, ED BF BF), above U+10FFFF (F4 90 80 80, F5 80 80 80), "
                     "FF, a lone continuation byte, truncated sequences at the end and before an "
                     "ASCII byte.",
                     ops,
                     {in_order(ops.size())}});
  }
  cases.push_back(
      {"reject_self_reference",
       "A parent that is the op's own first element or a later seq of its replica "
       "(rejected, not buffered), a delete of itself, and a delete whose target range "
       "reaches its own first seq.",
       {ins(1, 0, 1, {1, 0}, "a"), ins(1, 0, 1, {1, 5}, "a"), del(1, 0, 1, {{1, 0, 1}}),
        ins(1, 0, 1, root_id, "ab"), del(1, 2, 3, {{1, 0, 3}}), del(1, 2, 3, {{1, 0, 2}})},
       {in_order(6)}});
  cases.push_back({"reject_parent_not_element",
                   "Op 2's parent (1,2) is a unit of a delete op. Delivered first, it waits for "
                   "(1,2) and is rejected when released.",
                   {ins(1, 0, 1, root_id, "ab"), del(1, 2, 3, {{1, 0, 1}}),
                    ins(2, 0, 4, {1, 2}, "x"), ins(2, 0, 4, {1, 1}, "x")},
                   {in_order(4), {2, 0, 1, 3}}});
  cases.push_back({"reject_target_not_element",
                   "Op 2 names a delete unit (1,2) among its targets.",
                   {ins(1, 0, 1, root_id, "ab"), del(1, 2, 3, {{1, 0, 1}}),
                    del(2, 0, 4, {{1, 1, 1}, {1, 2, 1}}), del(2, 0, 4, {{1, 1, 1}})},
                   {in_order(4), {2, 0, 1, 3}}});
  cases.push_back(
      {"reject_lamport_not_increasing",
       "Replica 1's lamports must increase across its ops, deletes included. Op 2 "
       "also breaks the heap rule, but rule 2 is checked first.",
       {ins(1, 0, 5, root_id, "a"), ins(1, 1, 5, root_id, "b"), ins(1, 1, 3, {1, 0}, "b"),
        del(1, 1, 6, {{1, 0, 1}}), ins(1, 2, 6, root_id, "c"), ins(1, 2, 7, root_id, "c")},
       {in_order(6)}});
  cases.push_back({"reject_heap_violation",
                   "An insert's lamport must exceed its parent's: equal (op 1) and lower (op 2) "
                   "are rejected. Op 3 has b's lamport but a greater key, so it lands between a "
                   "and b: \"axb\".",
                   {ins(1, 0, 5, root_id, "ab"), ins(2, 0, 6, {1, 1}, "x"),
                    ins(2, 0, 2, {1, 0}, "x"), ins(2, 0, 6, {1, 0}, "x")},
                   {in_order(4)}});
  cases.push_back(
      {"reject_conflicting_duplicate",
       "Ops reusing held ids with another lamport (op 1), another kind (op 2, a "
       "delete over insert units, rejected although its target is unknown), another "
       "lamport in the overlapping part (op 3), and insert units over delete units "
       "(ops 5 and 6).",
       {ins(1, 0, 1, root_id, "ab"), ins(1, 0, 2, root_id, "ab"), del(1, 0, 1, {{2, 0, 1}}),
        ins(1, 1, 9, {1, 0}, "bc"), del(1, 2, 3, {{1, 0, 1}}), ins(1, 2, 3, {1, 1}, "z"),
        ins(1, 1, 2, {1, 0}, "bz")},
       {in_order(7)}});
  cases.push_back({"conflicting_duplicate_in_later_unit",
                   "Op 2 agrees with the held (1,0) but claims lamport 3 for (1,2), held with "
                   "lamport 10: every held unit is compared, not only the first.",
                   {ins(1, 0, 1, root_id, "ab"), ins(1, 2, 10, {1, 1}, "cd"),
                    ins(1, 0, 1, root_id, "abcd"), ins(1, 0, 1, root_id, "ab")},
                   {in_order(4)}});
  cases.push_back({"duplicate_content_not_compared",
                   "Duplicates are compared by kind and lamport only: a different text, parent "
                   "or target list under the same ids and lamports is a plain duplicate.",
                   {ins(1, 0, 1, root_id, "ab"), ins(1, 0, 1, {2, 7}, "xy"),
                    del(3, 0, 3, {{1, 0, 1}}), del(3, 0, 3, {{1, 1, 1}})},
                   {in_order(4)}});
  return cases;
}

// ---- local: the ops local edits must produce --------------------------------------------------

std::vector<LocalCase> local_cases() {
  std::vector<LocalCase> cases;
  cases.push_back(
      {"local_typing_and_deleting",
       "Parent = the live element before the position (ROOT at 0), lamport = clock "
       "+ 1, seq = the replica's next seq; the delete's targets coalesce across the "
       "two insert ops because their seqs are consecutive.",
       1,
       {type(0, "hello"), type(5, " world"), type(0, "\u00A1"), cut(4, 4), type(4, "p")}});
  cases.push_back({"local_delete_coalesces_in_document_order",
                   "Targets list the deleted elements in document order, merged only where seqs "
                   "of one replica are consecutive.",
                   2,
                   {remote(ins(1, 0, 1, root_id, "abc")), remote(ins(1, 3, 4, root_id, "XY")),
                    type(2, "-"), cut(0, 6), type(0, "z")}});
  cases.push_back({"local_insert_after_tombstones",
                   "The parent is the live element before the position, so text typed after "
                   "\"a\" lands before the tombstone of \"b\".",
                   1,
                   {type(0, "abc"), cut(1, 1), type(1, "X"), cut(0, 1), type(0, "Y")}});
  cases.push_back(
      {"local_clock_follows_remote",
       "The clock is the greatest lamport integrated, delete units included; our own "
       "op echoed back is a duplicate.",
       2,
       {remote(ins(1, 0, 100, root_id, "abc")), type(3, "d"), remote(del(1, 3, 200, {{2, 0, 1}})),
        type(0, "e"), remote(ins(2, 0, 103, {1, 2}, "d"))}});
  cases.push_back({"local_edit_releases_buffered_op",
                   "A remote op waiting for this replica's own next element is buffered; the "
                   "local insert that makes the element integrates it, which releases the "
                   "buffered op (crdt/README.md section 7.5: release follows every integration).",
                   1,
                   {remote(ins(9, 0, 2, {1, 0}, "x")), type(0, "a"), type(1, "b")}});
  cases.push_back({"local_position_out_of_range",
                   "Inserting past the end or deleting past the end is refused and changes "
                   "nothing.",
                   1,
                   {type(1, "a"), type(0, "ab"), cut(1, 2), cut(2, 1), type(3, "x"), type(2, "c"),
                    cut(0, 3), cut(0, 1)}});
  cases.push_back({"local_astral_positions",
                   "Positions count code points, not bytes or UTF-16 units.",
                   3,
                   {type(0, "\U0001F600\U0001D11E"), type(1, "\u00E9"), cut(0, 2), type(1, "!")}});
  return cases;
}

}  // namespace weft::crdt::testing
