// weighted_tree.hpp — an order-statistic B+tree of items in arenas, addressed by uint32 indices.
//
// Items live in leaves in sequence order; every inner node stores, per child, the summed weight
// of the items under it, so finding the item that holds weight offset w and computing the weight
// before an item are both O(log n). Nodes are never freed and never move between slots, so a
// leaf index stays valid for as long as the tree lives (items may move to other leaves on
// splits: the tree reports those moves to the caller).
//
// Invariants (check()):
//   1. Every inner weight equals the summed weight of the items under that child.
//   2. Parent and sibling links are mutual; all leaves are at depth height().
//   3. Every node holds at least one entry (except a root leaf of an empty tree).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "crdt/growth.hpp"

namespace weft::crdt::detail {

inline constexpr std::uint32_t no_node = 0xFFFFFFFFu;

[[noreturn]] inline void invariant_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "weft: broken invariant: %s (%s:%d)\n", what, file, line);
  std::abort();
}

#define WEFT_ASSERT(cond)                                                           \
  do {                                                                              \
    if (!(cond)) ::weft::crdt::detail::invariant_failed(#cond, __FILE__, __LINE__); \
  } while (false)

// Weigh: a stateless functor `std::uint32_t operator()(const Item&) const`.
template <class Item, class Weigh, std::uint32_t LeafCap = 32, std::uint32_t InnerCap = 16>
class WeightedTree {
 public:
  struct Leaf {
    std::uint32_t count = 0;
    std::uint32_t parent = no_node;
    std::uint32_t slot = 0;  // index in the parent's child array
    std::uint32_t prev = no_node;
    std::uint32_t next = no_node;
    std::array<Item, LeafCap> items;
  };
  struct Inner {
    std::uint32_t count = 0;
    std::uint32_t parent = no_node;
    std::uint32_t slot = 0;
    std::array<std::uint32_t, InnerCap + 1> child;  // one spare slot, used while splitting
    std::array<std::uint32_t, InnerCap + 1> weight;
  };
  // An item and an offset into its weight.
  struct Cursor {
    std::uint32_t leaf = no_node;
    std::uint32_t idx = 0;
    std::uint32_t offset = 0;
  };

  WeightedTree() { clear(); }

  void clear() {
    leaves_.clear();
    inners_.clear();
    leaves_.emplace_back();
    root_ = 0;
    height_ = 0;
    last_leaf_ = 0;
  }

  [[nodiscard]] std::uint32_t first_leaf() const { return 0; }  // leaf 0 is never split away
  [[nodiscard]] std::uint32_t last_leaf() const { return last_leaf_; }
  [[nodiscard]] const Leaf& leaf(std::uint32_t i) const { return leaves_[i]; }
  [[nodiscard]] std::uint32_t leaf_count() const {
    return static_cast<std::uint32_t>(leaves_.size());
  }
  [[nodiscard]] Item& item(std::uint32_t leaf, std::uint32_t idx) {
    return leaves_[leaf].items[idx];
  }
  [[nodiscard]] const Item& item(std::uint32_t leaf, std::uint32_t idx) const {
    return leaves_[leaf].items[idx];
  }
  [[nodiscard]] std::uint64_t total_weight() const {
    if (height_ == 0) return leaf_weight(root_);
    const Inner& r = inners_[root_];
    std::uint64_t total = 0;
    for (std::uint32_t i = 0; i < r.count; ++i) total += r.weight[i];
    return total;
  }

  // The item holding weight offset w. Requires: w < total_weight().
  [[nodiscard]] Cursor find(std::uint64_t w) const {
    std::uint32_t node = root_;
    for (std::uint32_t h = height_; h > 0; --h) {
      const Inner& in = inners_[node];
      std::uint32_t i = 0;
      while (i + 1 < in.count && w >= in.weight[i]) w -= in.weight[i++];
      node = in.child[i];
    }
    const Leaf& lf = leaves_[node];
    std::uint32_t i = 0;
    for (;; ++i) {
      WEFT_ASSERT(i < lf.count);
      const std::uint32_t wt = Weigh{}(lf.items[i]);
      if (w < wt) break;
      w -= wt;
    }
    return Cursor{node, i, static_cast<std::uint32_t>(w)};
  }

  // Summed weight of every item before (leaf, idx).
  [[nodiscard]] std::uint64_t weight_before(std::uint32_t leaf, std::uint32_t idx) const {
    std::uint64_t w = 0;
    const Leaf& lf = leaves_[leaf];
    for (std::uint32_t i = 0; i < idx; ++i) w += Weigh{}(lf.items[i]);
    std::uint32_t slot = lf.slot;
    for (std::uint32_t p = lf.parent; p != no_node; slot = inners_[p].slot, p = inners_[p].parent) {
      const Inner& in = inners_[p];
      for (std::uint32_t i = 0; i < slot; ++i) w += in.weight[i];
    }
    return w;
  }

  // Adds delta to the weights on the path above `leaf`, after its items changed weight.
  void add_weight(std::uint32_t leaf, std::int64_t delta) {
    const auto d = static_cast<std::uint32_t>(delta);  // modular: adding d == adding delta
    std::uint32_t slot = leaves_[leaf].slot;
    for (std::uint32_t p = leaves_[leaf].parent; p != no_node;
         slot = inners_[p].slot, p = inners_[p].parent) {
      inners_[p].weight[slot] += d;
    }
  }

  // Inserts `it` before position idx of `leaf` (idx == count appends) and returns where it is.
  // Items moved to a new leaf by a split are reported as on_move(new_leaf, first, end).
  template <class OnMove>
  Cursor insert(std::uint32_t leaf, std::uint32_t idx, const Item& it, OnMove&& on_move) {
    if (leaves_[leaf].count == LeafCap && shift_to_sibling(leaf, idx, on_move)) {
      // idx now names the position in `leaf` or in the sibling that received it.
    } else if (leaves_[leaf].count == LeafCap) {
      const std::uint32_t right = split_leaf(leaf, idx);
      const std::uint32_t moved = leaves_[right].count;
      if (moved > 0) on_move(right, 0u, moved);
      const std::uint32_t kept = leaves_[leaf].count;
      if (idx > kept) {
        leaf = right;
        idx -= kept;
      } else if (idx == kept && moved == 0) {
        leaf = right;
        idx = 0;
      }
    }
    Leaf& lf = leaves_[leaf];
    for (std::uint32_t i = lf.count; i > idx; --i) lf.items[i] = lf.items[i - 1];
    lf.items[idx] = it;
    ++lf.count;
    add_weight(leaf, Weigh{}(it));
    return Cursor{leaf, idx, 0};
  }

  // Removes an item whose weight the caller already moved elsewhere in the same leaf.
  // Requires: the leaf keeps at least one item.
  void erase_weightless(std::uint32_t leaf, std::uint32_t idx) {
    Leaf& lf = leaves_[leaf];
    WEFT_ASSERT(lf.count > 1);
    for (std::uint32_t i = idx; i + 1 < lf.count; ++i) lf.items[i] = lf.items[i + 1];
    --lf.count;
  }

  // Builds the tree from items in order, filling leaves to `fill` items. Replaces the contents.
  template <class OnLeaf>
  void build(const std::vector<Item>& items, std::uint32_t fill, OnLeaf&& on_leaf) {
    clear();
    leaves_.reserve(items.size() / fill + 1);
    std::vector<std::uint32_t> level;
    std::vector<std::uint32_t> weights;
    for (std::size_t at = 0; at < items.size() || level.empty();) {
      const std::uint32_t id = level.empty() ? 0 : new_leaf();
      Leaf& lf = leaves_[id];
      std::uint32_t w = 0;
      while (lf.count < fill && at < items.size()) {
        lf.items[lf.count++] = items[at];
        w += Weigh{}(items[at++]);
      }
      if (!level.empty()) {
        lf.prev = level.back();
        leaves_[level.back()].next = id;
      }
      on_leaf(id, lf.count);
      level.push_back(id);
      weights.push_back(w);
    }
    last_leaf_ = level.back();
    bool children_are_leaves = true;
    while (level.size() > 1) {
      std::vector<std::uint32_t> up;
      std::vector<std::uint32_t> up_weights;
      const std::uint32_t per = InnerCap - InnerCap / 4;
      for (std::size_t at = 0; at < level.size();) {
        const std::uint32_t id = new_inner();
        Inner& in = inners_[id];
        std::uint32_t w = 0;
        while (in.count < per && at < level.size()) {
          in.child[in.count] = level[at];
          in.weight[in.count++] = weights[at];
          w += weights[at];
          set_parent(level[at++], children_are_leaves, id, in.count - 1);
        }
        up.push_back(id);
        up_weights.push_back(w);
      }
      level = std::move(up);
      weights = std::move(up_weights);
      children_are_leaves = false;
      ++height_;
    }
    root_ = level.front();
  }

  [[nodiscard]] std::size_t memory_bytes() const {
    return leaves_.capacity() * sizeof(Leaf) + inners_.capacity() * sizeof(Inner);
  }

  // Verifies the invariants in the header comment and returns the total weight.
  std::uint64_t check() const {
    std::uint32_t expected_next = first_leaf();
    std::uint32_t prev = no_node;
    const std::uint64_t total = check_node(root_, height_, no_node, expected_next, prev);
    WEFT_ASSERT(expected_next == no_node);
    WEFT_ASSERT(prev == last_leaf_);
    return total;
  }

 private:
  [[nodiscard]] std::uint32_t leaf_weight(std::uint32_t leaf) const {
    std::uint32_t w = 0;
    const Leaf& lf = leaves_[leaf];
    for (std::uint32_t i = 0; i < lf.count; ++i) w += Weigh{}(lf.items[i]);
    return w;
  }

  std::uint32_t new_leaf() {
    reserve_more(leaves_, 1);
    leaves_.emplace_back();
    return static_cast<std::uint32_t>(leaves_.size() - 1);
  }
  std::uint32_t new_inner() {
    reserve_more(inners_, 1);
    inners_.emplace_back();
    return static_cast<std::uint32_t>(inners_.size() - 1);
  }
  void set_parent(std::uint32_t node, bool is_leaf, std::uint32_t parent, std::uint32_t slot) {
    if (is_leaf) {
      leaves_[node].parent = parent;
      leaves_[node].slot = slot;
    } else {
      inners_[node].parent = parent;
      inners_[node].slot = slot;
    }
  }

  // Before splitting a full leaf, hands some of its items to a sibling under the same parent
  // that has room (as B*-trees do), so leaves stay about 80% full instead of about 65%. On
  // success, (leaf, idx) is updated to where the new item goes.
  template <class OnMove>
  bool shift_to_sibling(std::uint32_t& leaf, std::uint32_t& idx, OnMove&& on_move) {
    Leaf& lf = leaves_[leaf];
    if (lf.parent == no_node) return false;
    Inner& parent = inners_[lf.parent];
    if (lf.next != no_node && leaves_[lf.next].parent == lf.parent &&
        leaves_[lf.next].count + 2 <= LeafCap && idx > 0) {
      const std::uint32_t right = lf.next;
      Leaf& rt = leaves_[right];
      const std::uint32_t k = (LeafCap - rt.count) / 2;
      std::uint32_t w = 0;
      for (std::uint32_t i = rt.count; i-- > 0;) rt.items[i + k] = rt.items[i];
      for (std::uint32_t i = 0; i < k; ++i) {
        rt.items[i] = lf.items[LeafCap - k + i];
        w += Weigh{}(rt.items[i]);
      }
      rt.count += k;
      lf.count -= k;
      parent.weight[lf.slot] -= w;
      parent.weight[rt.slot] += w;
      on_move(right, 0u, k);
      if (idx > lf.count) {
        idx -= lf.count;
        leaf = right;
      }
      return true;
    }
    if (lf.prev != no_node && leaves_[lf.prev].parent == lf.parent &&
        leaves_[lf.prev].count + 2 <= LeafCap && idx < LeafCap) {
      const std::uint32_t left = lf.prev;
      Leaf& lt = leaves_[left];
      const std::uint32_t k = (LeafCap - lt.count) / 2;
      const std::uint32_t base = lt.count;
      std::uint32_t w = 0;
      for (std::uint32_t i = 0; i < k; ++i) {
        lt.items[base + i] = lf.items[i];
        w += Weigh{}(lf.items[i]);
      }
      for (std::uint32_t i = k; i < LeafCap; ++i) lf.items[i - k] = lf.items[i];
      lt.count += k;
      lf.count -= k;
      parent.weight[lf.slot] -= w;
      parent.weight[lt.slot] += w;
      on_move(left, base, base + k);
      if (idx < k) {
        idx += base;
        leaf = left;
      } else {
        idx -= k;
      }
      return true;
    }
    return false;
  }

  // Splits a full leaf, moving its upper items to a new right sibling, and returns the sibling.
  // Appending at the end of the last leaf moves nothing, so sequential appends fill leaves.
  std::uint32_t split_leaf(std::uint32_t leaf, std::uint32_t insert_idx) {
    const std::uint32_t right = new_leaf();
    Leaf& lf = leaves_[leaf];
    Leaf& rt = leaves_[right];
    const std::uint32_t keep =
        (insert_idx == LeafCap && lf.next == no_node) ? LeafCap : LeafCap / 2;
    std::uint32_t moved_weight = 0;
    for (std::uint32_t i = keep; i < LeafCap; ++i) {
      rt.items[i - keep] = lf.items[i];
      moved_weight += Weigh{}(lf.items[i]);
    }
    rt.count = LeafCap - keep;
    lf.count = keep;
    rt.prev = leaf;
    rt.next = lf.next;
    if (lf.next != no_node) {
      leaves_[lf.next].prev = right;
    } else {
      last_leaf_ = right;
    }
    lf.next = right;
    insert_child_after(leaf, true, right, moved_weight);
    return right;
  }

  // Registers `added` (whose subtree weighs w, until now counted under `left`) as the sibling
  // right after `left`. Weight-neutral for every ancestor. Inner nodes have room for one child
  // more than InnerCap, so a node is split only after the new child is in place.
  void insert_child_after(std::uint32_t left, bool is_leaf, std::uint32_t added, std::uint32_t w) {
    const std::uint32_t parent = is_leaf ? leaves_[left].parent : inners_[left].parent;
    if (parent == no_node) {
      const std::uint32_t root = new_inner();
      Inner& r = inners_[root];
      r.count = 2;
      r.child[0] = left;
      r.weight[0] = static_cast<std::uint32_t>(total_weight_of(left, is_leaf));
      r.child[1] = added;
      r.weight[1] = w;
      set_parent(left, is_leaf, root, 0);
      set_parent(added, is_leaf, root, 1);
      root_ = root;
      ++height_;
      return;
    }
    Inner& p = inners_[parent];
    std::uint32_t pos = is_leaf ? leaves_[left].slot : inners_[left].slot;
    p.weight[pos] -= w;
    ++pos;
    for (std::uint32_t i = p.count; i > pos; --i) {
      p.child[i] = p.child[i - 1];
      p.weight[i] = p.weight[i - 1];
      set_parent(p.child[i], is_leaf, parent, i);
    }
    p.child[pos] = added;
    p.weight[pos] = w;
    ++p.count;
    set_parent(added, is_leaf, parent, pos);
    if (p.count <= InnerCap) return;
    const std::uint32_t right = new_inner();
    Inner& full = inners_[parent];  // new_inner() may have moved the arena
    Inner& rt = inners_[right];
    const std::uint32_t keep = full.count / 2;
    std::uint32_t moved_weight = 0;
    for (std::uint32_t i = keep; i < full.count; ++i) {
      rt.child[i - keep] = full.child[i];
      rt.weight[i - keep] = full.weight[i];
      moved_weight += full.weight[i];
      set_parent(full.child[i], is_leaf, right, i - keep);
    }
    rt.count = full.count - keep;
    full.count = keep;
    insert_child_after(parent, false, right, moved_weight);
  }

  [[nodiscard]] std::uint64_t total_weight_of(std::uint32_t node, bool is_leaf) const {
    if (is_leaf) return leaf_weight(node);
    std::uint64_t w = 0;
    const Inner& in = inners_[node];
    for (std::uint32_t i = 0; i < in.count; ++i) w += in.weight[i];
    return w;
  }

  std::uint64_t check_node(std::uint32_t node, std::uint32_t h, std::uint32_t parent,
                           std::uint32_t& expected_leaf, std::uint32_t& prev) const {
    if (h == 0) {
      const Leaf& lf = leaves_[node];
      WEFT_ASSERT(node == expected_leaf);
      WEFT_ASSERT(lf.parent == parent);
      WEFT_ASSERT(parent == no_node || inners_[parent].child[lf.slot] == node);
      WEFT_ASSERT(lf.prev == prev);
      WEFT_ASSERT(lf.count <= LeafCap);
      WEFT_ASSERT(lf.count > 0 || (parent == no_node && h == height_));
      prev = node;
      expected_leaf = lf.next;
      return leaf_weight(node);
    }
    const Inner& in = inners_[node];
    WEFT_ASSERT(in.parent == parent);
    WEFT_ASSERT(parent == no_node || inners_[parent].child[in.slot] == node);
    WEFT_ASSERT(in.count > 0 && in.count <= InnerCap);
    std::uint64_t total = 0;
    for (std::uint32_t i = 0; i < in.count; ++i) {
      const std::uint64_t w = check_node(in.child[i], h - 1, node, expected_leaf, prev);
      WEFT_ASSERT(w == in.weight[i]);
      total += w;
    }
    return total;
  }

  std::vector<Leaf> leaves_;
  std::vector<Inner> inners_;
  std::uint32_t root_ = 0;
  std::uint32_t height_ = 0;
  std::uint32_t last_leaf_ = 0;
};

}  // namespace weft::crdt::detail
