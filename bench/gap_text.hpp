// gap_text.hpp — GapText: a plain gap buffer of code points, the obviously correct text that
// trace patches and replayed ops can be checked against (bench/replay.hpp's find_divergence())
// and shown from (weft-replay's walker) without asking a replica for its whole text.
//
// An edit costs the distance from the previous one, which is small in human editing; positions
// count code points, as a replica's do. Never used in timed code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weft::bench {

class GapText {
 public:
  GapText() = default;
  // Requires: utf8 is valid UTF-8 (as for every function here that takes text).
  explicit GapText(std::string_view utf8) { assign(utf8); }

  void assign(std::string_view utf8);
  // Removes `del` code points at `pos`, then inserts `utf8` there. Returns false (and changes
  // nothing) if [pos, pos + del) is beyond the text.
  [[nodiscard]] bool splice(std::uint64_t pos, std::uint64_t del, std::string_view utf8);

  [[nodiscard]] std::uint64_t size() const { return buf_.size() - (gap_end_ - gap_begin_); }
  // Requires: pos < size().
  [[nodiscard]] char32_t at(std::uint64_t pos) const {
    return pos < gap_begin_ ? buf_[pos] : buf_[pos + (gap_end_ - gap_begin_)];
  }
  // The code points [pos, pos + len) clamped to the text, as UTF-8.
  [[nodiscard]] std::string substr(std::uint64_t pos, std::uint64_t len) const;
  [[nodiscard]] std::string utf8() const { return substr(0, size()); }

 private:
  void move_gap(std::uint64_t pos);
  void reserve_gap(std::uint64_t n);

  std::vector<char32_t> buf_;  // text before the gap, the gap, text after it
  std::uint64_t gap_begin_ = 0;
  std::uint64_t gap_end_ = 0;
};

}  // namespace weft::bench
