// anchor.hpp — a cursor position that survives concurrent edits: an element id plus a side.
//
// {id, after} sits just after element `id`; {id, before} just before it. If the element is
// deleted, the anchor sits where the element was. Two anchors on ROOT are special:
// {root_id, after} is the start of the document, {root_id, before} its end.
#pragma once

#include <cstdint>

#include "crdt/types.hpp"

namespace weft::crdt {

enum class Side : std::uint8_t { before = 0, after = 1 };

struct Anchor {
  Id id = root_id;
  Side side = Side::after;
  friend constexpr bool operator==(const Anchor&, const Anchor&) = default;
};

}  // namespace weft::crdt
