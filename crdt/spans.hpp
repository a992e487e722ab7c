// spans.hpp — the items of the replica's two trees.
//
// The content tree holds Spans in document order: a span is a range of consecutive LVs that
// are neighbours in the document, all live or all deleted, weighing its live length. The index
// tree maps every LV range to the content leaf holding it (or no_node for delete units).
#pragma once

#include <cstdint>

#include "crdt/op_log.hpp"
#include "crdt/weighted_tree.hpp"

namespace weft::crdt::detail {

struct Span {
  Lv lv = 0;
  std::uint32_t len_deleted = 0;  // bit 31: tombstone; bits 0..30: length in elements

  static constexpr std::uint32_t deleted_bit = 0x80000000u;
  [[nodiscard]] std::uint32_t len() const { return len_deleted & ~deleted_bit; }
  [[nodiscard]] bool deleted() const { return (len_deleted & deleted_bit) != 0; }
  [[nodiscard]] Lv end() const { return lv + len(); }
  void set_len(std::uint32_t n) { len_deleted = (len_deleted & deleted_bit) | n; }
};

struct SpanWeight {
  // Branch-free: 0 for tombstones, the length otherwise (find() scans many spans per call).
  std::uint32_t operator()(const Span& s) const {
    return s.len_deleted & ((s.len_deleted >> 31) - 1u) & ~Span::deleted_bit;
  }
};

struct IndexItem {
  std::uint32_t len = 0;
  std::uint32_t leaf = no_node;
};

struct IndexWeight {
  std::uint32_t operator()(const IndexItem& it) const { return it.len; }
};

using ContentTree = WeightedTree<Span, SpanWeight, 32, 16>;
using IndexTree = WeightedTree<IndexItem, IndexWeight, 32, 16>;

}  // namespace weft::crdt::detail
