// frame_codec.hpp — frames to msgpack bytes and back (PROTOCOL.md is the byte-level spec).
//
// encode_frame() writes the canonical form: the shortest msgpack encoding of every integer, str
// for text, bin for tokens, digests and snapshot bytes. decode_frame() accepts any valid msgpack
// encoding of the right shape (e.g. a uint8 written as uint32), rejects everything else with a
// value, never throws, and never allocates more than a small multiple of the input size.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "proto/frame.hpp"

namespace weft::proto {

struct FrameError {
  ErrorCode code = ErrorCode::malformed_frame;  // malformed_frame or unknown_frame_type
  std::string message;                          // what was wrong, e.g. "join: field 2 (epoch) ..."
};

[[nodiscard]] std::string encode_frame(const Frame& frame);
// Decodes one whole message. Checks shapes and types, UTF-8 of every str except insert text
// (the document model checks that and names the op), version vectors strictly ascending by
// replica with next_seq >= 1, bin sizes of tokens and digests. Integers are not range-checked
// against 2^53 here: crdt::Rga rejects out-of-range ops with the error that names them.
[[nodiscard]] tl::expected<Frame, FrameError> decode_frame(std::string_view bytes);

// Encodes one op alone ([1, r, s, l, pr, ps, text] or [2, r, s, l, [[r, s, n], ...]]), e.g. to
// measure a frame's size before sending.
[[nodiscard]] std::string encode_op(const crdt::Op& op);

// One key of welcome.limits and its value.
struct LimitEntry {
  std::string_view name;  // e.g. "max_run"; weft-server's flag is the same with dashes
  std::uint64_t value = 0;
};
inline constexpr std::size_t limit_count = 14;
// `limits` as welcome carries them: every key, in the order encode_frame() writes them. The one
// list of keys, so tests can walk it against the server's flags and the spec.
[[nodiscard]] std::array<LimitEntry, limit_count> limit_entries(const ServerLimits& limits);

// FNV-1a 64 of `text`, big-endian: the digest of a document whose visible text is `text`.
[[nodiscard]] Digest text_digest(std::string_view text);

}  // namespace weft::proto
