// gap_text.cpp — the gap buffer behind GapText, and its UTF-8 in and out.
#include "bench/gap_text.hpp"

#include <algorithm>

namespace weft::bench {

namespace {

// Appends the code points of well-formed `utf8` to `out`.
void decode_utf8(std::string_view utf8, std::vector<char32_t>& out) {
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (std::size_t k = 1; k < n && i + k < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3Fu);
    }
    out.push_back(cp);
    i += n;
  }
}

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

void GapText::assign(std::string_view utf8) {
  buf_.clear();
  decode_utf8(utf8, buf_);
  gap_begin_ = gap_end_ = buf_.size();
}

bool GapText::splice(std::uint64_t pos, std::uint64_t del, std::string_view utf8) {
  if (pos > size() || del > size() - pos) return false;
  move_gap(pos);
  gap_end_ += del;
  if (utf8.empty()) return true;
  std::vector<char32_t> cps;
  decode_utf8(utf8, cps);
  reserve_gap(cps.size());
  std::copy(cps.begin(), cps.end(), buf_.begin() + static_cast<std::ptrdiff_t>(gap_begin_));
  gap_begin_ += cps.size();
  return true;
}

std::string GapText::substr(std::uint64_t pos, std::uint64_t len) const {
  std::string out;
  const std::uint64_t end = std::min(size(), pos + std::min(len, size()));
  for (std::uint64_t i = pos; i < end; ++i) append_utf8(at(i), out);
  return out;
}

void GapText::move_gap(std::uint64_t pos) {
  if (pos < gap_begin_) {
    const auto n = gap_begin_ - pos;
    std::move_backward(buf_.begin() + static_cast<std::ptrdiff_t>(pos),
                       buf_.begin() + static_cast<std::ptrdiff_t>(gap_begin_),
                       buf_.begin() + static_cast<std::ptrdiff_t>(gap_end_));
    gap_begin_ -= n;
    gap_end_ -= n;
  } else if (pos > gap_begin_) {
    const auto n = pos - gap_begin_;
    std::move(buf_.begin() + static_cast<std::ptrdiff_t>(gap_end_),
              buf_.begin() + static_cast<std::ptrdiff_t>(gap_end_ + n),
              buf_.begin() + static_cast<std::ptrdiff_t>(gap_begin_));
    gap_begin_ += n;
    gap_end_ += n;
  }
}

// Makes room for at least n code points in the gap; grows by half the buffer at least, so that
// a long run of inserts costs amortized O(1) each.
void GapText::reserve_gap(std::uint64_t n) {
  if (gap_end_ - gap_begin_ >= n) return;
  const std::uint64_t tail = buf_.size() - gap_end_;
  const std::uint64_t grow = std::max<std::uint64_t>(n, buf_.size() / 2 + 64);
  buf_.resize(buf_.size() + grow);
  std::move_backward(buf_.begin() + static_cast<std::ptrdiff_t>(gap_end_),
                     buf_.begin() + static_cast<std::ptrdiff_t>(gap_end_ + tail), buf_.end());
  gap_end_ += grow;
}

}  // namespace weft::bench
