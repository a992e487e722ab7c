// msgpack_reader.hpp — private to proto: a zero-copy, non-throwing msgpack reader for decode_frame.
//
// Why not msgpack::unpack: it materialises the whole object tree in a zone (allocating from the
// declared sizes unless every unpack_limit is tuned), reports errors by exception, and its
// errors cannot name the frame field at fault. This reader walks the bytes in place, so decoding
// allocates only what the decoded Frame holds, and every failure becomes a message that names
// where it happened ("join: field 5 (vv): entry 2: ...").
//
// Contract: after the first failure the reader is "failed": every read returns a neutral value
// (0, "", false, count 0) and consumes nothing, so decoders can read a whole shape and check
// ok() once at the end; the first error message is kept. Declared lengths are checked against
// the bytes that remain before anything is allocated or skipped, so a 10-byte input that
// declares 2^32 elements fails at once. skip() is iterative: nesting depth costs no stack.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weft::proto::detail {

class MsgpackReader {
 public:
  explicit MsgpackReader(std::string_view bytes) : bytes_(bytes) { path_.reserve(8); }

  [[nodiscard]] bool ok() const { return !failed_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::size_t position() const { return pos_; }
  [[nodiscard]] std::size_t remaining() const { return bytes_.size() - pos_; }

  // True (and consumed) when the next value is nil; false (nothing consumed) otherwise.
  [[nodiscard]] bool nil();
  // Any msgpack integer format holding a non-negative value.
  [[nodiscard]] std::uint64_t uint();
  // Only as the frame type: distinguishes "not an integer" (malformed) from an unknown number.
  [[nodiscard]] bool next_is_uint() const;
  [[nodiscard]] bool boolean();
  // A str; well-formed UTF-8 (crdt/README.md §3) unless `check_utf8` is false.
  [[nodiscard]] std::string_view str(bool check_utf8 = true);
  [[nodiscard]] std::string_view bin();
  // The element count of an array with at least `min` elements.
  [[nodiscard]] std::uint32_t array(std::uint32_t min);
  // The pair count of a map.
  [[nodiscard]] std::uint32_t map();
  // Skips `count` whole values of any type (well-formedness is still checked).
  void skip(std::uint64_t count);

  // Records the first failure: "<path>: <what>".
  void fail(std::string_view what);

  // The location that prefixes error messages, innermost last. Use Scope to push and pop.
  struct Segment {
    enum class Kind : std::uint8_t { plain, indexed, field };
    Kind kind = Kind::plain;
    std::string_view name;
    std::uint64_t index = 0;
  };
  class Scope {
   public:
    Scope(MsgpackReader& reader, Segment segment) : reader_(reader) {
      reader_.path_.push_back(segment);
    }
    ~Scope() { reader_.path_.pop_back(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    MsgpackReader& reader_;
  };
  [[nodiscard]] static Segment plain(std::string_view name) { return {Segment::Kind::plain, name}; }
  [[nodiscard]] static Segment item(std::string_view name, std::uint64_t index) {
    return {Segment::Kind::indexed, name, index};
  }
  [[nodiscard]] static Segment field(std::uint64_t index, std::string_view name) {
    return {Segment::Kind::field, name, index};
  }

 private:
  [[nodiscard]] bool has(std::size_t n) const { return n <= remaining(); }
  [[nodiscard]] std::uint64_t big_endian(std::size_t n);  // requires has(n)
  // Reads a length-prefixed body after its 1-byte marker and an n-byte length.
  [[nodiscard]] std::string_view body(std::size_t length_bytes, std::string_view what);
  void fail_type(std::string_view expected);

  std::string_view bytes_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::string error_;
  std::vector<Segment> path_;
};

// What a value starting with `marker` is, for messages: "str", "map", "negative integer", ...
[[nodiscard]] std::string_view msgpack_type_name(std::uint8_t marker);

}  // namespace weft::proto::detail
