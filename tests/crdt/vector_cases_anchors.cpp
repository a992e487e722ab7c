// vector_cases_anchors.cpp — the presence anchor cases (anchors.json): what a sender makes of
// its cursor and selection (anchor_at, side after) and what a receiver's replica makes of them
// (resolve) as the document changes under them (crdt/README.md §10, proto/PROTOCOL.md §5.9).
#include <vector>

#include "tests/crdt/vector_cases.hpp"

namespace weft::crdt::testing {

std::vector<LocalCase> anchor_cases() {
  constexpr Side after = Side::after;
  constexpr Side before = Side::before;
  std::vector<LocalCase> cases;
  cases.push_back(
      {"presence_cursor",
       "A member's cursor after \"hel\" in \"hello\" is sent as anchor_at(3, after) = [1,2,1], "
       "the element left of the gap; at the start of the document it is [0,0,1]. A receiver "
       "(replica 2) resolves it to 3; text another member inserts at that gap lands after the "
       "cursor; its own typing before it moves it; when the anchored element is deleted the "
       "cursor stays where the element was. An anchor on an element the receiver has not seen "
       "(replica 4's op, not yet delivered) or on a delete unit (1,5) resolves to nothing (no "
       "cursor shown) until that element arrives.",
       2,
       {remote(ins(1, 0, 1, root_id, "hello")), anchor_at(3, after), anchor_at(0, after),
        anchor_at(5, after), resolve({1, 2}, after), remote(ins(3, 0, 6, {1, 2}, "XY")),
        resolve({1, 2}, after), type(0, "ab"), resolve({1, 2}, after),
        remote(del(1, 5, 7, {{1, 2, 1}})), resolve({1, 2}, after), resolve({1, 5}, after),
        resolve({4, 0}, after), remote(ins(4, 0, 8, {1, 4}, "!")), resolve({4, 0}, after),
        resolve(root_id, after), resolve(root_id, before), resolve({0, 7}, after)}});
  cases.push_back(
      {"presence_selection",
       "A selection of \"world\" in \"hello world\": both ends are sent with side after, "
       "anchor_at(6, after) = [1,5,1] (the space) and anchor_at(11, after) = [1,10,1] (the d). "
       "Text inserted at the selection's start lands inside it, text at its end outside. When "
       "the selected text is deleted the end resolves to where its element was, and when "
       "everything is deleted both ends resolve to 0: an empty selection. Side before (another "
       "client may send it) resolves to the gap before its element.",
       2,
       {remote(ins(1, 0, 1, root_id, "hello world")), anchor_at(6, after), anchor_at(11, after),
        resolve({1, 5}, after), resolve({1, 10}, after), remote(ins(3, 0, 12, {1, 5}, "big ")),
        resolve({1, 5}, after), resolve({1, 10}, after), resolve({1, 6}, before),
        remote(ins(3, 4, 16, {1, 10}, "!")), resolve({1, 10}, after),
        remote(del(1, 11, 17, {{1, 6, 5}})), resolve({1, 5}, after), resolve({1, 10}, after),
        resolve({1, 6}, before), cut(0, 11), resolve({1, 5}, after), resolve({1, 10}, after)}});
  return cases;
}

}  // namespace weft::crdt::testing
