// reference_text.cpp — the gap buffer behind ReferenceText.
#include "bench/reference_text.hpp"

#include <algorithm>

namespace weft::bench {
namespace {

// Bytes in the UTF-8 sequence that starts with lead byte b (valid text only).
std::size_t sequence_length(unsigned char b) {
  return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

}  // namespace

bool ReferenceText::splice(std::uint64_t pos, std::uint64_t del, std::string_view utf8) {
  if (pos > size() || del > size() - pos) return false;
  move_gap(static_cast<std::size_t>(pos));
  gap_end_ += static_cast<std::size_t>(del);
  reserve_gap(utf8.size());
  for (std::size_t at = 0; at < utf8.size();) {
    const std::size_t n = sequence_length(static_cast<unsigned char>(utf8[at]));
    std::uint32_t packed = 0;
    for (std::size_t k = 0; k < n && at + k < utf8.size(); ++k) {
      packed |= std::uint32_t{static_cast<unsigned char>(utf8[at + k])} << (8 * k);
    }
    buf_[gap_begin_++] = packed;
    at += n;
  }
  return true;
}

std::string ReferenceText::utf8() const {
  std::string out;
  out.reserve(static_cast<std::size_t>(size()));
  const auto append = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      const std::uint32_t packed = buf_[i];
      const std::size_t n = sequence_length(static_cast<unsigned char>(packed & 0xFF));
      for (std::size_t k = 0; k < n; ++k)
        out.push_back(static_cast<char>((packed >> (8 * k)) & 0xFF));
    }
  };
  append(0, gap_begin_);
  append(gap_end_, buf_.size());
  return out;
}

void ReferenceText::move_gap(std::size_t pos) {
  if (pos < gap_begin_) {
    const std::size_t n = gap_begin_ - pos;
    std::copy_backward(buf_.begin() + static_cast<std::ptrdiff_t>(pos),
                       buf_.begin() + static_cast<std::ptrdiff_t>(gap_begin_),
                       buf_.begin() + static_cast<std::ptrdiff_t>(gap_end_));
    gap_begin_ -= n;
    gap_end_ -= n;
  } else if (pos > gap_begin_) {
    const std::size_t n = pos - gap_begin_;
    std::copy(buf_.begin() + static_cast<std::ptrdiff_t>(gap_end_),
              buf_.begin() + static_cast<std::ptrdiff_t>(gap_end_ + n),
              buf_.begin() + static_cast<std::ptrdiff_t>(gap_begin_));
    gap_begin_ += n;
    gap_end_ += n;
  }
}

// Makes room for at least n code points in the gap (n bytes of UTF-8 never hold more).
void ReferenceText::reserve_gap(std::size_t n) {
  if (gap_end_ - gap_begin_ >= n) return;
  const std::size_t tail = buf_.size() - gap_end_;
  const std::size_t new_size = std::max(buf_.size() * 2, buf_.size() + n + 1024);
  buf_.resize(new_size);
  std::copy_backward(buf_.begin() + static_cast<std::ptrdiff_t>(gap_end_),
                     buf_.begin() + static_cast<std::ptrdiff_t>(gap_end_ + tail), buf_.end());
  gap_end_ = new_size - tail;
}

}  // namespace weft::bench
