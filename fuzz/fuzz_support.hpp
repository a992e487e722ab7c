// fuzz_support.hpp — what the fuzz targets share: a front-to-back byte reader, readable
// renderings of ops and runs, and a failure that prints them and aborts.
//
// Reading past the end of the input yields zeros, so every input decodes to something.
// Front-to-back reading keeps corpora readable and lets one mutation change one decision.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crdt/element_run.hpp"
#include "crdt/op.hpp"
#include "crdt/rga.hpp"
#include "crdt/version_vector.hpp"

namespace weft::fuzz {

class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  [[nodiscard]] bool done() const { return pos_ >= size_; }
  [[nodiscard]] std::size_t remaining() const { return done() ? 0 : size_ - pos_; }

  std::uint8_t u8() { return done() ? 0 : data_[pos_++]; }
  std::uint16_t u16() {
    const std::uint16_t lo = u8();
    return static_cast<std::uint16_t>(lo | (u8() << 8));
  }
  std::uint32_t u32() {
    const std::uint32_t lo = u16();
    return lo | (std::uint32_t{u16()} << 16);
  }
  std::uint64_t u64() {
    const std::uint64_t lo = u32();
    return lo | (std::uint64_t{u32()} << 32);
  }
  // A value in [0, n); 0 when n == 0. Reads one byte for small n, so corpora stay short.
  std::uint64_t below(std::uint64_t n) {
    if (n == 0) return 0;
    if (n <= 0x100) return u8() % n;
    if (n <= 0x10000) return u16() % n;
    return u64() % n;
  }
  // Up to n raw bytes (fewer at the end of the input).
  std::string_view bytes(std::size_t n) {
    const std::size_t k = n < remaining() ? n : remaining();
    const std::string_view out(reinterpret_cast<const char*>(data_ + pos_), k);
    pos_ += k;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// One code point each: 1-, 2-, 3- and 4-byte UTF-8, the edges of the surrogate gap, U+10FFFF.
inline constexpr std::string_view code_points[] = {
    "a",
    "b",
    "c",
    " ",
    "\n",
    "\xC3\xA9",
    "\xD0\xB6",
    "\xE2\x82\xAC",
    "\xE4\xB8\xAD",
    "\xED\x9F\xBF",
    "\xEE\x80\x80",
    "\xF0\x9F\x98\x80",
    "\xF0\x9D\x84\x9E",
    "\xF4\x8F\xBF\xBF",
    std::string_view("\0", 1),
    "z",
};

// n code points chosen by the input.
inline std::string read_text(ByteReader& in, std::uint64_t n) {
  std::string text;
  for (std::uint64_t i = 0; i < n; ++i) text += code_points[in.u8() % std::size(code_points)];
  return text;
}

inline std::string describe(const crdt::Op& op) {
  std::ostringstream out;
  if (const auto* ins = std::get_if<crdt::InsertOp>(&op)) {
    out << "InsertOp{" << ins->replica << ", " << ins->seq << ", " << ins->lamport << ", {"
        << ins->parent.replica << ", " << ins->parent.seq << "}, \"";
    for (const char ch : ins->text) {
      const auto c = static_cast<unsigned char>(ch);
      if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
        out << ch;
      } else {
        static constexpr char hex[] = "0123456789ABCDEF";
        out << "\\x" << hex[c >> 4] << hex[c & 15];
      }
    }
    out << "\"}";
  } else {
    const auto& del = std::get<crdt::DeleteOp>(op);
    out << "DeleteOp{" << del.replica << ", " << del.seq << ", " << del.lamport << ", {";
    for (const crdt::IdRange& t : del.targets) {
      out << "{" << t.replica << ", " << t.seq << ", " << t.len << "}";
    }
    out << "}}";
  }
  return out.str();
}

inline std::string describe(const std::vector<crdt::ElementRun>& runs) {
  std::ostringstream out;
  for (const crdt::ElementRun& r : runs) {
    out << r.replica << ":" << r.seq << "@" << r.lamport << "x" << r.len
        << (r.deleted ? "- " : "+ ");
  }
  return out.str();
}

inline std::string describe(const crdt::VersionVector& vv) {
  std::ostringstream out;
  for (const auto& e : vv.entries()) out << e.replica << ":" << e.next_seq << " ";
  return out.str();
}

inline std::string describe(crdt::ApplyStatus s) { return std::string(crdt::status_name(s)); }

// What a fuzz input did so far, one line per event, printed when a check fails: with the
// input's ops and delivery order it is a reproducer.
using Trail = std::vector<std::string>;

// Prints what went wrong and the trail that led there, then aborts so that libFuzzer saves the
// input.
[[noreturn]] inline void fail(const std::string& what, const Trail* trail = nullptr) {
  std::fprintf(stderr, "FUZZ FAILURE: %s\n", what.c_str());
  if (trail != nullptr) {
    std::fprintf(stderr, "trail (%zu events):\n", trail->size());
    for (const std::string& line : *trail) std::fprintf(stderr, "  %s\n", line.c_str());
  }
  std::abort();
}

// Two replicas' observable state, compared field by field.
inline void expect_same_state(const crdt::Rga& a, const crdt::Rga& b, const std::string& context,
                              const Trail* trail = nullptr) {
  if (a.version() != b.version()) {
    fail(context + ": versions differ: " + describe(a.version()) + " vs " + describe(b.version()),
         trail);
  }
  if (a.runs() != b.runs()) {
    fail(context + ": runs differ:\n  " + describe(a.runs()) + "\n  " + describe(b.runs()), trail);
  }
  if (a.text() != b.text()) fail(context + ": texts differ", trail);
  if (a.length() != b.length()) fail(context + ": lengths differ", trail);
}

}  // namespace weft::fuzz
