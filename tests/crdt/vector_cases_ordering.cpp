// vector_cases_ordering.cpp — the hand-written replay cases: tree order and tie-breaks,
// idempotence, buffering and code points (ordering.json, idempotence.json, buffering.json,
// unicode.json). Each description says what the case shows and why the text is what it is.
#include <cstdint>
#include <string>
#include <vector>

#include "tests/crdt/reference_rga.hpp"
#include "tests/crdt/vector_cases.hpp"

namespace weft::crdt::testing {

// ---- ordering: the tree order, concurrency and tie-breaks ------------------------------------

std::vector<ReplayCase> ordering_cases() {
  std::vector<ReplayCase> cases;
  {
    Peers p{{1}};
    for (const char* c : {"h", "e", "l", "l", "o"}) p.insert(1, p.length(1), c);
    p.erase(1, 0, 1);
    cases.push_back({"sequential_typing",
                     "Replica 1 types \"hello\" one keystroke per op, each after the previous "
                     "character, then deletes the \"h\". Reversed, every op waits for its "
                     "predecessor and the first op made releases all the others.",
                     p.ops,
                     {in_order(6), reversed(6)}});
  }
  {
    Peers p{{1, 2}};
    for (std::uint64_t i = 0; i < 3; ++i) p.insert(1, i, std::string(1, "abc"[i]));
    for (std::uint64_t i = 0; i < 3; ++i) p.insert(2, i, std::string(1, "xyz"[i]));
    cases.push_back({"forward_concurrent_typing",
                     "crdt/README.md section 12: replicas 1 and 2 concurrently type \"abc\" and "
                     "\"xyz\" forward into an empty document, one op per keystroke. Each word "
                     "is a chain under its first character, and the chains sort as whole "
                     "subtrees under ROOT, x (1,2) before a (1,1): \"xyzabc\".",
                     p.ops,
                     {in_order(6), reversed(6), {3, 0, 4, 1, 5, 2}}});
  }
  {
    Peers p{{1, 2, 3}};
    p.insert(3, 0, "[]");
    p.sync(3, 1), p.sync(3, 2);
    for (std::uint64_t i = 0; i < 3; ++i) p.insert(1, 1 + i, std::string(1, "abc"[i]));
    for (std::uint64_t i = 0; i < 3; ++i) p.insert(2, 1 + i, std::string(1, "xyz"[i]));
    cases.push_back({"forward_concurrent_typing_inside_text",
                     "Replica 3 types \"[]\"; replicas 1 and 2 then concurrently type \"abc\" and "
                     "\"xyz\" forward between the brackets, one op per keystroke (lamports 3-5 "
                     "each). Each word is a chain under its first character, and the chains sort "
                     "as whole subtrees under \"[\", key (3,2) before (3,1): \"[xyzabc]\". "
                     "Forward typing never interleaves.",
                     p.ops,
                     {in_order(7), reversed(7), {0, 4, 1, 5, 2, 6, 3}}});
  }
  {
    Peers p{{1, 2}};
    for (const char* c : {"c", "b", "a"}) p.insert(1, 0, c);
    for (const char* c : {"z", "y", "x"}) p.insert(2, 0, c);
    cases.push_back({"backward_concurrent_typing",
                     "Replicas 1 and 2 concurrently type \"abc\" and \"xyz\" backwards at the "
                     "start of an empty document (c, b, a and z, y, x, each at position 0, "
                     "lamports 1-3). All six are children of ROOT and sort by key alone: x(3,2) "
                     "a(3,1) y(2,2) b(2,1) z(1,2) c(1,1), so the words interleave as \"xaybzc\": "
                     "the known RGA backward-typing anomaly.",
                     p.ops,
                     {in_order(6), {3, 0, 4, 1, 5, 2}, reversed(6)}});
  }
  {
    Peers p{{1, 2}};
    p.insert(1, 0, "world");
    p.insert(1, 0, "hello ");
    p.insert(2, 0, "XY");
    cases.push_back({"lesser_anomaly",
                     "crdt/README.md section 12: replica 1 types \"world\" (lamports 1-5), "
                     "then \"hello \" at its start (6-11). Concurrently replica 2, which has "
                     "not seen \"world\", types \"XY\" at the start (1-2). Under ROOT the keys "
                     "sort h (6,1), X (1,2), w (1,1): \"hello XYworld\", splitting replica 1's "
                     "text. This is RGA's lesser interleaving anomaly.",
                     p.ops,
                     {in_order(3), {2, 0, 1}, reversed(3)}});
  }
  {
    Peers p{{1, 2}};
    p.insert(1, 0, "world");
    p.insert(1, 0, "hello ");
    p.insert(2, 0, "ab");
    p.erase(2, 0, 2);
    p.insert(2, 0, "XY");
    cases.push_back({"lesser_anomaly_later_lamport",
                     "As lesser_anomaly, but replica 2 first types and deletes \"ab\" (1-3), so "
                     "\"XY\" gets lamports 4-5, still between replica 1's words: \"hello "
                     "XYworld\" again, with the tombstones of \"ab\" before \"world\".",
                     p.ops,
                     {in_order(5), {2, 3, 4, 0, 1}, reversed(5)}});
  }
  {
    Peers p{{1, 2, 3}};
    p.insert(1, 0, "one"), p.insert(2, 0, "two"), p.insert(3, 0, "three");
    p.sync_all();
    p.insert(1, 5, "a"), p.insert(2, 5, "b"), p.insert(3, 5, "c");
    cases.push_back({"lamport_ties_three_replicas",
                     "Replicas 1, 2 and 3 type \"one\", \"two\" and \"three\" into an empty "
                     "document, all from lamport 1: the replica id breaks the ties, highest "
                     "first: \"threetwoone\". After syncing, each inserts one character after "
                     "\"three\" with lamport 6: \"threecbatwoone\".",
                     p.ops,
                     {in_order(6), reversed(6), {5, 2, 4, 1, 3, 0}}});
  }
  {
    const ReplicaId r32 = ReplicaId{1} << 32, max = id_limit - 1;
    Peers p{{3, r32, r32 + 1, max}};
    p.insert(3, 0, "C"), p.insert(r32, 0, "L"), p.insert(r32 + 1, 0, "M"), p.insert(max, 0, "T");
    cases.push_back({"lamport_ties_large_replica_ids",
                     "Replicas 3, 2^32, 2^32+1 and 2^53-1 each insert one character at the start "
                     "with lamport 1. Keys compare as unsigned 64-bit integers (2^32 and 2^32+1 "
                     "catch 32-bit truncation): \"TMLC\".",
                     p.ops,
                     {in_order(4), reversed(4)}});
  }
  {
    Peers p{{1, 2}};
    p.insert(1, 0, "abc");
    p.sync(1, 2);
    p.erase(1, 1, 1);
    p.insert(2, 2, "X");
    p.insert(1, 1, "Y");
    cases.push_back({"insert_after_tombstone",
                     "Replica 1 types \"abc\" and deletes \"b\"; concurrently replica 2 inserts "
                     "\"X\" after \"b\" (its parent is now a tombstone); then replica 1 inserts "
                     "\"Y\" after \"a\". Y (5,1) sorts before a's older child b (2,1); under the "
                     "tombstone b, X (4,2) sorts before c (3,1): \"aYXc\".",
                     p.ops,
                     {in_order(4), {0, 2, 3, 1}, reversed(4)}});
  }
  {
    Peers p{{1, 2, 3}};
    p.insert(1, 0, "abcdef");
    p.sync(1, 2), p.sync(1, 3);
    p.insert(2, 3, "XY");
    p.insert(3, 3, "Z");
    cases.push_back({"insert_inside_run",
                     "Replica 1 inserts \"abcdef\" as one op; replicas 2 and 3 concurrently "
                     "insert \"XY\" and \"Z\" after \"c\", splitting the run, both with lamport "
                     "7: Z (7,3), X (7,2), then d (4,1): \"abcZXYdef\".",
                     p.ops,
                     {in_order(3), reversed(3), {0, 2, 1}}});
  }
  {
    Peers p{{5, 2, 9}};
    p.insert(5, 0, "abc");
    p.sync(5, 2), p.sync(5, 9);
    p.insert(5, 3, "def");
    p.insert(2, 3, "X");
    p.insert(9, 3, "Y");
    p.ops.push_back(ins(5, 0, 1, root_id, "abcdef"));
    cases.push_back({"insert_inside_run_sorted_after_tail",
                     "Replica 5 types \"abc\" (lamports 1-3), then \"def\" after it (4-6), which "
                     "joins one run (op 4 is both ops merged). Replicas 2 and 9 saw only \"abc\" "
                     "and insert after \"c\" with lamport 4: Y (4,9) sorts before d (4,5) and "
                     "splits the run; X (4,2) sorts after d and so after d's whole subtree: "
                     "\"abcYdefX\".",
                     p.ops,
                     {in_order(5), {4, 2, 3}, {3, 2, 1, 0}}});
  }
  cases.push_back(
      {"run_listing_example",
       "crdt/README.md section 9: \"X\" inserted after \"b\" splits replica 1's "
       "run, and deleting \"b\" splits it again by the deleted flag: \"aXc\".",
       {ins(1, 0, 1, root_id, "abc"), ins(2, 0, 4, {1, 1}, "X"), del(1, 3, 5, {{1, 1, 1}})},
       {in_order(3), reversed(3)}});
  cases.push_back({"delete_spanning_runs",
                   "One delete op names the range (1,0)..(1,5), which covers two runs of "
                   "replica 1 that are not neighbours (\"XYZ\" was inserted before \"abc\"), plus "
                   "two characters of replica 2: the text is \"3\". Delivered first, the delete "
                   "waits for every target.",
                   {ins(1, 0, 1, root_id, "abc"), ins(1, 3, 4, root_id, "XYZ"),
                    ins(2, 0, 7, {1, 2}, "123"), del(2, 3, 10, {{1, 0, 6}, {2, 0, 2}})},
                   {in_order(4), reversed(4), {1, 3, 0, 2}}});
  return cases;
}

// ---- idempotence: duplicates, overlaps, repeated deletes --------------------------------------

std::vector<ReplayCase> idempotence_cases() {
  std::vector<ReplayCase> cases;
  {
    Peers p{{1, 2}};
    p.insert(1, 0, "ab");
    p.sync(1, 2);
    p.erase(2, 0, 1);
    cases.push_back({"duplicate_ops",
                     "Every op is delivered twice, in three interleavings.",
                     p.ops,
                     {{0, 0, 1, 1}, {0, 1, 0, 1}, {1, 0, 1, 0}}});
  }
  cases.push_back(
      {"overlap_trim_insert",
       "The same elements (1,0)..(1,4) arrive as overlapping inserts: \"ab\", "
       "\"cd\", both merged (\"abcd\"), the middle slice \"bc\" and \"de\", which "
       "overlaps by one and adds \"e\". Units already held are trimmed off; the rest "
       "integrates after the last held unit: \"abcde\".",
       {ins(1, 0, 1, root_id, "ab"), ins(1, 2, 3, {1, 1}, "cd"), ins(1, 0, 1, root_id, "abcd"),
        ins(1, 1, 2, {1, 0}, "bc"), ins(1, 3, 4, {1, 2}, "de")},
       {in_order(5), {2, 0, 3, 1, 4}, {4, 3, 1, 0, 2}, {3, 4, 2}}});
  cases.push_back({"readme_trim_examples",
                   "crdt/README.md section 7.4: holding (3,0..1) from op 1, op 2 (\"abcd\") is "
                   "trimmed to InsertOp{3, 2, 7, (3,1), \"cd\"}; holding (3,0..6), op 5 is "
                   "trimmed to DeleteOp{3, 7, 12, [(2,6,2)]}.",
                   {ins(1, 0, 1, root_id, "abc"), ins(3, 0, 5, {1, 2}, "ab"),
                    ins(3, 0, 5, {1, 2}, "abcd"), ins(2, 0, 1, root_id, "01234567"),
                    del(3, 4, 9, {{1, 0, 2}, {2, 5, 1}}), del(3, 4, 9, {{1, 0, 2}, {2, 5, 3}})},
                   {in_order(6), {3, 5, 0, 1, 2, 4}}});
  {
    Peers p{{1}};
    p.insert(1, 0, "a"), p.insert(1, 1, "b"), p.insert(1, 2, "c");
    p.ops.push_back(ins(1, 0, 1, root_id, "abc"));
    p.ops.push_back(ins(1, 1, 2, {1, 0}, "bc"));
    cases.push_back({"resend_merged_with_successor",
                     "Replica 1 types \"abc\" one keystroke per op (ops 0-2). Ops 3 and 4 are the "
                     "same history re-sent merged into runs, as ops_since() sends it: each "
                     "arrives after a prefix of it and integrates only its new part.",
                     p.ops,
                     {{0, 3}, {0, 1, 3, 2}, {3, 0, 1, 2}, {0, 4, 2}}});
  }
  cases.push_back(
      {"overlap_trim_delete",
       "Replica 2's delete units (2,0)..(2,3) arrive as overlapping delete ops: "
       "(2,0) deleting \"ab\", (2,2) deleting \"e\", both merged, and (2,1) deleting "
       "\"b\", \"e\" and \"f\", whose trimming drops the first target units and can "
       "split a target range: \"cd\".",
       {ins(1, 0, 1, root_id, "abcdef"), del(2, 0, 7, {{1, 0, 2}}), del(2, 2, 9, {{1, 4, 1}}),
        del(2, 0, 7, {{1, 0, 2}, {1, 4, 1}}), del(2, 1, 8, {{1, 1, 1}, {1, 4, 2}})},
       {in_order(5), {0, 3, 4, 1, 2}, reversed(5), {0, 1, 4}}});
  {
    Peers p{{1}};
    p.insert(1, 0, "abcde");
    for (const std::uint64_t pos : {3, 2, 1}) p.erase(1, pos, 1);
    p.ops.push_back(del(1, 5, 6, {{1, 3, 1}, {1, 2, 1}, {1, 1, 1}}));
    cases.push_back({"overlap_trim_backspace_deletes",
                     "Three backspaces delete d, c, b (ops 1-3, one target each, seqs going "
                     "down). Op 4 is the three re-sent merged: its targets stay in unit order "
                     "(1,3), (1,2), (1,1) and cannot coalesce. Trimming drops the first targets: "
                     "\"ae\".",
                     p.ops,
                     {{0, 1, 4}, {0, 1, 2, 4, 3}, {4, 0, 1}, {0, 4, 3, 2, 1}}});
  }
  {
    Peers p{{1, 2}};
    p.insert(1, 0, "abc");
    p.sync(1, 2);
    p.erase(1, 1, 1);
    p.erase(2, 1, 2);
    p.ops.push_back(del(3, 0, 4, {{1, 1, 1}, {1, 0, 2}}));
    cases.push_back({"delete_already_deleted",
                     "Replicas 1 and 2 concurrently delete \"b\" and \"bc\"; replica 3's delete "
                     "names \"b\" twice (targets may repeat; each unit still counts, so it uses 3 "
                     "seqs). Deleting a tombstone is a no-op, and the text ends empty.",
                     p.ops,
                     {in_order(4), reversed(4), {0, 3, 2, 1, 3}}});
  }
  return cases;
}

// ---- buffering: ops whose dependencies arrive later ------------------------------------------

std::vector<ReplayCase> buffering_cases() {
  std::vector<ReplayCase> cases;
  cases.push_back({"delete_before_target",
                   "Deletes arrive before the elements they delete and wait; op 3 waits for "
                   "elements of two replicas and is released only when the last one arrives.",
                   {ins(1, 0, 1, root_id, "abc"), del(2, 0, 4, {{1, 1, 1}}),
                    ins(2, 1, 5, {1, 2}, "X"), del(3, 0, 6, {{1, 0, 1}, {2, 1, 1}})},
                   {{1, 3, 0, 2}, {3, 1, 2, 0}, in_order(4)}});
  {
    Peers p{{1}};
    p.insert(1, 0, "a"), p.insert(1, 0, "b"), p.erase(1, 1, 1), p.insert(1, 0, "c");
    cases.push_back({"op_before_same_replica_predecessor",
                     "An op of replica 1 waits until every earlier seq of replica 1 has arrived, "
                     "even when its parent is ROOT.",
                     p.ops,
                     {{1, 0, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}}});
  }
  {
    Peers p{{1, 2}};
    p.insert(1, 0, "ab");
    p.sync(1, 2);
    p.insert(2, 1, "X");
    cases.push_back({"insert_before_parent",
                     "Replica 2's insert after \"a\" arrives first.",
                     p.ops,
                     {{1, 0}, {0, 1}}});
  }
  {
    Peers p{{1, 2}};
    for (std::uint64_t i = 0; i < 6; ++i) {
      const ReplicaId who = i % 2 == 0 ? 1 : 2;
      p.insert(who, i, std::string(1, "abcdef"[i]));
      p.sync(who, 3 - who);
    }
    cases.push_back({"chain_released_in_one_step",
                     "Replicas 1 and 2 take turns typing \"abcdef\", each character after the "
                     "other's. Delivered in reverse, everything waits until the first op arrives "
                     "and then integrates in one step.",
                     p.ops,
                     {reversed(6), in_order(6)}});
  }
  {
    Peers p{{1}};
    p.insert(1, 0, "ab"), p.insert(1, 2, "cd");
    cases.push_back({"buffered_duplicates",
                     "A not-ready op delivered twice is buffered twice; when its predecessor "
                     "arrives one copy integrates and the other is a duplicate.",
                     p.ops,
                     {{1, 1, 0, 1}, {1, 0}}});
  }
  cases.push_back({"never_ready_stays_buffered",
                   "Ops waiting for a parent, a seq or a target that never arrives stay "
                   "buffered (expect.buffered = 3) and change nothing.",
                   {ins(1, 0, 1, root_id, "ab"), ins(2, 0, 5, {7, 0}, "x"),
                    ins(1, 3, 9, {1, 1}, "z"), del(3, 0, 6, {{1, 0, 1}, {7, 3, 1}})},
                   {in_order(4), reversed(4)}});
  cases.push_back({"hostile_op_rejected_on_release",
                   "Ops that break rule 3 (op 1, heap) or rule 2 (op 2, lamport) are buffered when "
                   "they arrive early and rejected when released; the released rejections are not "
                   "separate steps. Replica 2's seq 0 is still free for op 3.",
                   {ins(1, 0, 5, root_id, "ab"), ins(2, 0, 3, {1, 1}, "x"),
                    ins(1, 2, 6, {1, 1}, "c"), ins(2, 0, 7, {1, 1}, "x")},
                   {{1, 2, 0, 3}, in_order(4)}});
  return cases;
}

// ---- unicode: the unit is one code point ------------------------------------------------------

std::vector<ReplayCase> unicode_cases() {
  std::vector<ReplayCase> cases;
  {
    Peers p{{1, 2, 3}};
    p.insert(1, 0, "a\U0001F600b\U0001D11Ec");
    p.sync(1, 2), p.sync(1, 3);
    p.insert(2, 2, "\u00E9\u4E2D");
    p.erase(3, 1, 1);
    p.insert(3, 3, "\U0001F642");
    cases.push_back({"astral_characters",
                     "Positions and ids count code points: 4-byte characters (U+1F600, U+1D11E, "
                     "U+1F642) are one element each, mixed with 1-, 2- and 3-byte ones.",
                     p.ops,
                     {in_order(4), reversed(4), {0, 3, 2, 1}}});
  }
  {
    Peers p{{1, 2}};
    p.insert(1, 0, "\U0001F600\U0001F603\U0001F604\U0001F601");
    p.sync(1, 2);
    p.insert(2, 2, "x");
    p.erase(1, 1, 2);
    cases.push_back({"astral_run_split",
                     "A run of four emoji is split by an insert after its second element and "
                     "partly deleted concurrently.",
                     p.ops,
                     {in_order(3), reversed(3)}});
  }
  {
    const std::u32string edges = {0x0,    0x7F,   0x80,   0x7FF,   0x800,   0xD7FF,
                                  0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF};
    Peers p{{1, 2}};
    p.insert(1, 0, encode_utf8(edges));
    p.sync(1, 2);
    p.insert(2, 5, "|");
    p.erase(1, 1, 1);
    cases.push_back(
        {"boundary_scalar_values",
         "Every UTF-8 length boundary and the scalar values next to the surrogate "
         "gap: U+0000, U+007F, U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFD, "
         "U+FFFF, U+10000, U+10FFFF. U+0000 is an ordinary character; U+007F is deleted.",
         p.ops,
         {in_order(3), reversed(3)}});
  }
  return cases;
}

}  // namespace weft::crdt::testing
