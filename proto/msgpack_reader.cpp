// msgpack_reader.cpp — the msgpack formats (https://github.com/msgpack/msgpack/blob/master/spec.md)
// read in place, with the checks and failure rules of msgpack_reader.hpp.
#include "proto/msgpack_reader.hpp"

#include "crdt/utf8.hpp"

namespace weft::proto::detail {

namespace {

std::uint8_t byte_at(std::string_view bytes, std::size_t pos) {
  return static_cast<std::uint8_t>(bytes[pos]);
}

}  // namespace

std::string_view msgpack_type_name(std::uint8_t m) {
  if (m <= 0x7f || (m >= 0xcc && m <= 0xcf)) return "unsigned integer";
  if (m >= 0xe0 || (m >= 0xd0 && m <= 0xd3)) return "integer";
  if ((m >= 0x80 && m <= 0x8f) || m == 0xde || m == 0xdf) return "map";
  if ((m >= 0x90 && m <= 0x9f) || m == 0xdc || m == 0xdd) return "array";
  if ((m >= 0xa0 && m <= 0xbf) || (m >= 0xd9 && m <= 0xdb)) return "str";
  if (m >= 0xc4 && m <= 0xc6) return "bin";
  if (m == 0xc0) return "nil";
  if (m == 0xc2 || m == 0xc3) return "bool";
  if (m == 0xca || m == 0xcb) return "float";
  if (m == 0xc1) return "reserved byte 0xc1";
  return "ext";
}

void MsgpackReader::fail(std::string_view what) {
  if (failed_) return;
  failed_ = true;
  for (const Segment& s : path_) {
    if (!error_.empty()) error_ += ": ";
    switch (s.kind) {
      case Segment::Kind::plain:
        error_ += s.name;
        break;
      case Segment::Kind::indexed:
        error_ += s.name;
        error_ += ' ';
        error_ += std::to_string(s.index);
        break;
      case Segment::Kind::field:
        error_ += "field ";
        error_ += std::to_string(s.index);
        error_ += " (";
        error_ += s.name;
        error_ += ')';
        break;
    }
  }
  if (!error_.empty()) error_ += ": ";
  error_ += what;
}

void MsgpackReader::fail_type(std::string_view expected) {
  if (!has(1)) return fail("truncated");
  std::string what = "expected ";
  what += expected;
  what += ", found ";
  const std::uint8_t m = byte_at(bytes_, pos_);
  const bool negative =
      m >= 0xe0 || ((m >= 0xd0 && m <= 0xd3) && has(2) && (byte_at(bytes_, pos_ + 1) & 0x80) != 0);
  what += negative ? std::string_view("negative integer") : msgpack_type_name(m);
  fail(what);
}

std::uint64_t MsgpackReader::big_endian(std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | byte_at(bytes_, pos_ + i);
  pos_ += n;
  return v;
}

bool MsgpackReader::nil() {
  if (failed_ || !has(1) || byte_at(bytes_, pos_) != 0xc0) return false;
  ++pos_;
  return true;
}

bool MsgpackReader::next_is_uint() const {
  if (failed_ || !has(1)) return false;
  const std::uint8_t m = byte_at(bytes_, pos_);
  if (m <= 0x7f || (m >= 0xcc && m <= 0xcf)) return true;
  // int8 .. int64 holding a non-negative value: the sign bit of the first payload byte.
  return m >= 0xd0 && m <= 0xd3 && has(2) && (byte_at(bytes_, pos_ + 1) & 0x80) == 0;
}

std::uint64_t MsgpackReader::uint() {
  if (failed_) return 0;
  if (!next_is_uint()) {
    fail_type("a non-negative integer");
    return 0;
  }
  const std::uint8_t m = byte_at(bytes_, pos_);
  if (m <= 0x7f) {
    ++pos_;
    return m;
  }
  // 0xcc..0xcf: uint 8/16/32/64; 0xd0..0xd3: int 8/16/32/64 (known non-negative here).
  const std::size_t n = std::size_t{1} << ((m >= 0xd0 ? m - 0xd0 : m - 0xcc) & 3);
  if (!has(1 + n)) {
    fail("truncated integer");
    return 0;
  }
  ++pos_;
  return big_endian(n);
}

bool MsgpackReader::boolean() {
  if (failed_) return false;
  if (has(1) && (byte_at(bytes_, pos_) == 0xc2 || byte_at(bytes_, pos_) == 0xc3)) {
    return byte_at(bytes_, pos_++) == 0xc3;
  }
  fail_type("bool");
  return false;
}

std::string_view MsgpackReader::body(std::size_t length_bytes, std::string_view what) {
  if (!has(1 + length_bytes)) {
    fail("truncated length");
    return {};
  }
  ++pos_;
  const std::uint64_t length = big_endian(length_bytes);
  if (length > remaining()) {
    std::string message = "truncated ";
    message += what;
    fail(message);
    return {};
  }
  const std::string_view out = bytes_.substr(pos_, static_cast<std::size_t>(length));
  pos_ += static_cast<std::size_t>(length);
  return out;
}

std::string_view MsgpackReader::str(bool check_utf8) {
  if (failed_) return {};
  if (!has(1)) {
    fail_type("str");
    return {};
  }
  const std::uint8_t m = byte_at(bytes_, pos_);
  std::string_view out;
  if (m >= 0xa0 && m <= 0xbf) {
    const std::size_t length = m & 0x1fU;
    if (!has(1 + length)) {
      fail("truncated str");
      return {};
    }
    out = bytes_.substr(pos_ + 1, length);
    pos_ += 1 + length;
  } else if (m >= 0xd9 && m <= 0xdb) {
    out = body(std::size_t{1} << (m - 0xd9), "str");
  } else {
    fail_type("str");
    return {};
  }
  if (check_utf8 && !failed_ && !crdt::utf8::count_code_points(out)) {
    fail("str is not well-formed UTF-8");
    return {};
  }
  return out;
}

std::string_view MsgpackReader::bin() {
  if (failed_) return {};
  if (!has(1) || byte_at(bytes_, pos_) < 0xc4 || byte_at(bytes_, pos_) > 0xc6) {
    fail_type("bin");
    return {};
  }
  return body(std::size_t{1} << (byte_at(bytes_, pos_) - 0xc4), "bin");
}

std::uint32_t MsgpackReader::array(std::uint32_t min) {
  if (failed_) return 0;
  if (!has(1)) {
    fail_type("array");
    return 0;
  }
  const std::uint8_t m = byte_at(bytes_, pos_);
  std::uint64_t count = 0;
  if (m >= 0x90 && m <= 0x9f) {
    count = m & 0x0fU;
    ++pos_;
  } else if ((m == 0xdc && has(3)) || (m == 0xdd && has(5))) {
    ++pos_;
    count = big_endian(m == 0xdc ? 2 : 4);
  } else {
    fail_type("array");
    return 0;
  }
  if (count > remaining()) {
    fail("array declares " + std::to_string(count) + " elements but only " +
         std::to_string(remaining()) + " bytes remain");
    return 0;
  }
  if (count < min) {
    fail("array has " + std::to_string(count) + " elements, expected at least " +
         std::to_string(min));
    return 0;
  }
  return static_cast<std::uint32_t>(count);
}

std::uint32_t MsgpackReader::map() {
  if (failed_) return 0;
  if (!has(1)) {
    fail_type("map");
    return 0;
  }
  const std::uint8_t m = byte_at(bytes_, pos_);
  std::uint64_t count = 0;
  if (m >= 0x80 && m <= 0x8f) {
    count = m & 0x0fU;
    ++pos_;
  } else if ((m == 0xde && has(3)) || (m == 0xdf && has(5))) {
    ++pos_;
    count = big_endian(m == 0xde ? 2 : 4);
  } else {
    fail_type("map");
    return 0;
  }
  if (2 * count > remaining()) {
    fail("map declares " + std::to_string(count) + " pairs but only " +
         std::to_string(remaining()) + " bytes remain");
    return 0;
  }
  return static_cast<std::uint32_t>(count);
}

void MsgpackReader::skip(std::uint64_t count) {
  // Invariant: count <= remaining() after each step (every value takes at least one byte), so
  // the counter cannot overflow and a bomb fails as soon as it declares more than it holds.
  while (count > 0 && !failed_) {
    --count;
    if (!has(1)) return fail("truncated");
    const std::uint8_t m = byte_at(bytes_, pos_);
    std::size_t fixed = 0;        // payload bytes after the marker
    std::size_t length_size = 0;  // or: bytes of a length prefix, then that many payload bytes
    std::uint64_t children = 0;
    if (m <= 0x7f || m >= 0xe0 || m == 0xc0 || m == 0xc2 || m == 0xc3) {
    } else if (m <= 0x8f) {
      children = 2 * std::uint64_t{m & 0x0fU};
    } else if (m <= 0x9f) {
      children = m & 0x0fU;
    } else if (m <= 0xbf) {
      fixed = m & 0x1fU;
    } else if (m == 0xc1) {
      return fail("reserved byte 0xc1");
    } else if (m >= 0xc4 && m <= 0xc6) {
      length_size = std::size_t{1} << (m - 0xc4);
    } else if (m >= 0xc7 && m <= 0xc9) {
      length_size = std::size_t{1} << (m - 0xc7);
      fixed = 1;  // the ext type byte
    } else if (m == 0xca) {
      fixed = 4;
    } else if (m == 0xcb) {
      fixed = 8;
    } else if (m >= 0xcc && m <= 0xd3) {
      fixed = std::size_t{1} << ((m - 0xcc) & 3);
    } else if (m >= 0xd4 && m <= 0xd8) {
      fixed = 1 + (std::size_t{1} << (m - 0xd4));
    } else if (m >= 0xd9 && m <= 0xdb) {
      length_size = std::size_t{1} << (m - 0xd9);
    } else {  // 0xdc..0xdf: array 16/32, map 16/32
      length_size = (m == 0xdc || m == 0xde) ? 2 : 4;
    }
    ++pos_;
    std::uint64_t length = 0;
    if (length_size > 0) {
      if (!has(length_size)) return fail("truncated length");
      length = big_endian(length_size);
    }
    if (m >= 0xdc && m <= 0xdf) {
      children = m >= 0xde ? 2 * length : length;
    } else {
      const std::uint64_t payload = fixed + length;
      if (payload > remaining()) return fail("truncated value");
      pos_ += static_cast<std::size_t>(payload);
    }
    count += children;
    if (count > remaining()) {
      return fail("truncated: " + std::to_string(count) + " more values declared, " +
                  std::to_string(remaining()) + " bytes left");
    }
  }
}

}  // namespace weft::proto::detail
