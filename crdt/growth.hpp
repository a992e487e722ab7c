// growth.hpp — capacity growth for the replica's arenas: 1.25x instead of the library's 2x.
//
// The arenas only grow, and a document's memory is dominated by them; doubling leaves up to half
// of each unused. Growing by a quarter keeps the slack under 20% at the price of copying each
// element about five times over its life instead of twice (they are small and trivially copied).
#pragma once

#include <cstddef>

namespace weft::crdt::detail {

// Makes room for `extra` more elements in a std::vector or std::string.
template <class Container>
void reserve_more(Container& c, std::size_t extra) {
  const std::size_t need = c.size() + extra;
  if (need <= c.capacity()) return;
  const std::size_t grown = c.capacity() + c.capacity() / 4 + 16;
  c.reserve(need > grown ? need : grown);
}

}  // namespace weft::crdt::detail
