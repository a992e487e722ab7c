// shadow_text.hpp — ShadowText: the document's code points beside the replica, so that the tool
// can show what an op deleted and the text around a change without calling Rga::text().
//
// A gap buffer: an edit costs the distance from the previous one, which is small in human
// editing. Positions count code points, as the replica's do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weft::replay {

class ShadowText {
 public:
  ShadowText() = default;
  explicit ShadowText(std::string_view utf8) { assign(utf8); }

  void assign(std::string_view utf8);
  // Removes `del` code points at `pos`, then inserts `utf8` there.
  // Requires: pos + del <= size(); utf8 is valid UTF-8.
  void splice(std::uint64_t pos, std::uint64_t del, std::string_view utf8);

  [[nodiscard]] std::uint64_t size() const { return buf_.size() - (gap_end_ - gap_begin_); }
  // The code points [pos, pos + len) clamped to the text, as UTF-8.
  [[nodiscard]] std::string substr(std::uint64_t pos, std::uint64_t len) const;
  [[nodiscard]] std::string utf8() const { return substr(0, size()); }

 private:
  [[nodiscard]] char32_t at(std::uint64_t pos) const {
    return pos < gap_begin_ ? buf_[pos] : buf_[pos + (gap_end_ - gap_begin_)];
  }
  void move_gap(std::uint64_t pos);
  void reserve_gap(std::uint64_t n);

  std::vector<char32_t> buf_;  // text before the gap, the gap, text after it
  std::uint64_t gap_begin_ = 0;
  std::uint64_t gap_end_ = 0;
};

// Decodes well-formed UTF-8 into code points (appended to `out`).
void decode_utf8(std::string_view utf8, std::vector<char32_t>& out);
void append_utf8(char32_t cp, std::string& out);

}  // namespace weft::replay
