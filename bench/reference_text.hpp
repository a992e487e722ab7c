// reference_text.hpp — ReferenceText: a plain gap buffer of code points that replays trace patches
// the obviously correct way, so a replica's text can be compared with it patch by patch.
//
// Cost per patch is the distance from the previous edit, which is small in human editing traces.
// Used to locate where a replica first departs from a trace, never in timed code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weft::bench {

class ReferenceText {
 public:
  // Removes `del` code points at `pos`, then inserts `utf8` there. Returns false (and changes
  // nothing) if the range is beyond the text. Requires: utf8 is valid UTF-8.
  bool splice(std::uint64_t pos, std::uint64_t del, std::string_view utf8);

  [[nodiscard]] std::uint64_t size() const { return buf_.size() - (gap_end_ - gap_begin_); }
  [[nodiscard]] std::string utf8() const;

 private:
  void move_gap(std::size_t pos);
  void reserve_gap(std::size_t n);

  // One code point per slot, as its UTF-8 bytes packed low byte first: text before the gap, the
  // gap, text after it.
  std::vector<std::uint32_t> buf_;
  std::size_t gap_begin_ = 0;
  std::size_t gap_end_ = 0;
};

}  // namespace weft::bench
