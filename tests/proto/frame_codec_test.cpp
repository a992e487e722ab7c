// frame_codec_test.cpp — proto/frame_codec.hpp: round trips, canonical bytes, digests, and every
// class of malformed input with the message that names it. The golden vectors are checked in
// frame_vectors_test.cpp.
#include "proto/frame_codec.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/proto/frame_vector_cases.hpp"

using namespace weft;
using namespace weft::proto;
using proto::testing::from_hex;
using proto::testing::to_hex;

namespace {

ResumeToken token() {
  ResumeToken t{};
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<std::uint8_t>(0xa0 + i);
  return t;
}

PresenceState selection() {
  PresenceState s;
  s.head = crdt::Anchor{{3, 9}, crdt::Side::after};
  s.anchor = crdt::Anchor{{3, 2}, crdt::Side::before};
  s.name = "Grace";
  s.color = "#3366ff";
  s.typing = true;
  return s;
}

// One frame of each type, with optionals both present and absent.
std::vector<Frame> sample_frames() {
  ServerLimits limits;
  limits.max_run = 77;
  return {
      Hello{1, "test-client"},
      Welcome{1, "test-server", limits},
      Join{"doc-1", std::nullopt, std::nullopt, std::nullopt, {}},
      Join{"doc-1", 99, 3, token(), {{1, 4}, {3, 10}}},
      Joined{"doc-1", 99, 3, token(), {{1, 4}}, true},
      SnapshotChunk{"doc-1", 4, 9, "abc"},
      Ops{"doc-1",
          {crdt::InsertOp{3, 0, 5, {1, 2}, "h\xc3\xa9llo"}, crdt::DeleteOp{3, 6, 11, {{1, 0, 2}}}}},
      Synced{"doc-1", {{1, 4}}, text_digest("x")},
      Ack{"doc-1", 7},
      Presence{"doc-1", selection()},
      Presence{"doc-1", {}},
      Presences{"doc-1", {{4, selection()}, {5, std::nullopt}}},
      Leave{"doc-1"},
      Left{"doc-1"},
      DigestFrame{"doc-1", {{2, 1}}, text_digest("y")},
      Diverged{"doc-1", {}, text_digest("")},
      Error{112, "buffer_full", "too many pending ops", "doc-1", crdt::Id{3, 4}},
      Error{1, "malformed_frame", "ops: field 2 (ops): ...", std::nullopt, std::nullopt},
  };
}

std::string digest_hex(std::string_view text) {
  const Digest d = text_digest(text);
  return to_hex(std::string(d.begin(), d.end()));
}

std::string decode_error(std::string_view hex) {
  const auto decoded = decode_frame(from_hex(hex));
  if (decoded) return "(decoded)";
  return std::string(error_name(decoded.error().code)) + ": " + decoded.error().message;
}

}  // namespace

TEST_SUITE("frame codec") {
  TEST_CASE("every frame type survives encode then decode") {
    for (const Frame& frame : sample_frames()) {
      INFO(to_hex(encode_frame(frame)));
      const auto decoded = decode_frame(encode_frame(frame));
      REQUIRE_MESSAGE(decoded.has_value(), (decoded ? "" : decoded.error().message));
      CHECK(*decoded == frame);
    }
  }

  TEST_CASE("frame_type follows the variant and error_name spells the enumerator") {
    CHECK(frame_type(Hello{}) == FrameType::hello);
    CHECK(frame_type(DigestFrame{}) == FrameType::digest);
    CHECK(frame_type(Error{}) == FrameType::error);
    CHECK(error_name(ErrorCode::malformed_frame) == "malformed_frame");
    CHECK(error_name(ErrorCode::replica_taken_over) == "replica_taken_over");
    CHECK(error_name(ErrorCode::internal_error) == "internal_error");
  }

  TEST_CASE("integers are written in their shortest form") {
    CHECK(to_hex(encode_frame(Ack{"a", 127})) == "9308a1617f");
    CHECK(to_hex(encode_frame(Ack{"a", 128})) == "9308a161cc80");
    CHECK(to_hex(encode_frame(Ack{"a", 65535})) == "9308a161cdffff");
    CHECK(to_hex(encode_frame(Ack{"a", 65536})) == "9308a161ce00010000");
    CHECK(to_hex(encode_frame(Ack{"a", std::uint64_t{1} << 53})) == "9308a161cf0020000000000000");
  }

  TEST_CASE("absent optionals are nil and tokens and digests are bin") {
    CHECK(to_hex(encode_frame(Join{"a", std::nullopt, std::nullopt, std::nullopt, {}})) ==
          "9603a161c0c0c090");
    CHECK(to_hex(encode_frame(Synced{"a", {{1, 2}}, text_digest("")})) ==
          "9407a16191920102c408cbf29ce484222325");
  }

  TEST_CASE("a presence state writes only the keys that are set, in the order of the spec") {
    PresenceState s;
    s.typing = true;
    s.name = "x";
    CHECK(to_hex(encode_frame(Presence{"a", s})) == "9309a16182a46e616d65a178a6747970696e67c3");
    CHECK(to_hex(encode_frame(Presence{"a", {}})) == "9309a16180");
  }

  TEST_CASE("encode_op writes the op as it appears inside an ops frame") {
    const crdt::Op op = crdt::DeleteOp{2, 5, 9, {{1, 0, 3}, {2, 1, 1}}};
    CHECK(to_hex(encode_op(op)) == "9502020509929301000393020101");
    const std::string frame = encode_frame(Ops{"a", {op}});
    CHECK(frame.substr(frame.size() - encode_op(op).size()) == encode_op(op));
  }

  TEST_CASE("the digest is FNV-1a 64 of the text's bytes, big-endian") {
    CHECK(digest_hex("") == "cbf29ce484222325");
    CHECK(digest_hex("a") == "af63dc4c8601ec8c");
    CHECK(digest_hex("hello") == "a430d84680aabd0b");
    CHECK(digest_hex("h\xc3\xa9") == "3130f1192e1ad66f");
  }

  TEST_CASE("an unknown non-negative frame type is unknown_frame_type, other types malformed") {
    CHECK(decode_error("92 12 a1 61") == "unknown_frame_type: unknown frame type 18");
    CHECK(decode_error("91 00") == "unknown_frame_type: unknown frame type 0");
    CHECK(decode_error("91 ff") ==
          "malformed_frame: frame: field 0 (type): expected a non-negative integer, found negative "
          "integer");
    CHECK(decode_error("91 a1 61") ==
          "malformed_frame: frame: field 0 (type): expected a non-negative integer, found str");
  }

  TEST_CASE("input that is not exactly one msgpack array is malformed") {
    CHECK(decode_error("") == "malformed_frame: not msgpack: truncated");
    CHECK(decode_error("90") ==
          "malformed_frame: frame: array has 0 elements, expected at least 1");
    CHECK(decode_error("05") == "malformed_frame: frame: expected array, found unsigned integer");
    CHECK(decode_error("93 08 a1 61 05 00") == "malformed_frame: 1 trailing bytes after the frame");
    CHECK(decode_error("93 08 a1 61") ==
          "malformed_frame: not msgpack: truncated: 1 more values declared, 0 bytes left");
    CHECK(decode_error("93 08 a1 61 c1") == "malformed_frame: not msgpack: reserved byte 0xc1");
  }

  TEST_CASE("a missing field is malformed and names the frame") {
    CHECK(decode_error("92 08 a1 61") ==
          "malformed_frame: ack: has 1 fields after the type, expected at least 2");
  }

  TEST_CASE("fields beyond the known ones are skipped") {
    const auto decoded = decode_frame(from_hex("95 08 a1 61 05 c0 92 01 a1 78"));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == Frame{Ack{"a", 5}});
  }

  TEST_CASE("a field of the wrong type is malformed and names the field") {
    CHECK(decode_error("93 08 a1 61 a1 35") ==
          "malformed_frame: ack: field 2 (next_seq): expected a non-negative integer, found str");
    CHECK(decode_error("93 08 a1 61 ff") ==
          "malformed_frame: ack: field 2 (next_seq): expected a non-negative integer, found "
          "negative integer");
    CHECK(decode_error("93 08 c4 01 61 05") ==
          "malformed_frame: ack: field 1 (doc): expected str, found bin");
  }

  TEST_CASE("version vectors must be strictly ascending with next_seq of at least 1") {
    CHECK(decode_error("94 0d a1 61 92 92 03 01 92 02 01 c4 08 0000000000000000") ==
          "malformed_frame: digest: field 2 (vv): entry 1: replicas not strictly ascending (2 "
          "after 3)");
    CHECK(decode_error("94 0d a1 61 91 92 02 00 c4 08 0000000000000000") ==
          "malformed_frame: digest: field 2 (vv): entry 0: next_seq is 0 (entries have next_seq "
          ">= 1)");
  }

  TEST_CASE("a fresh join (nil epoch) must carry an empty version vector") {
    CHECK(decode_error("96 03 a1 61 c0 c0 c0 91 92 01 05") ==
          "malformed_frame: join: field 5 (vv): must be empty when epoch is nil");
  }

  TEST_CASE("tokens are bin 16 and digests bin 8") {
    CHECK(decode_error("96 03 a1 61 01 01 c4 01 00 90") ==
          "malformed_frame: join: field 4 (token): expected bin 16, found bin 1");
    CHECK(decode_error("94 07 a1 61 90 c4 07 00112233445566") ==
          "malformed_frame: synced: field 3 (digest): expected bin 8, found bin 7");
  }

  TEST_CASE("strs must be UTF-8 except insert text, which the document model checks") {
    CHECK(decode_error("92 0b a2 c0 80") ==
          "malformed_frame: leave: field 1 (doc): str is not well-formed UTF-8");
    const auto insert = decode_frame(from_hex("93 06 a1 61 91 97 01 01 00 01 00 00 a2 c0 80"));
    REQUIRE(insert.has_value());
    CHECK(std::get<crdt::InsertOp>(std::get<Ops>(*insert).ops.at(0)).text == "\xc0\x80");
  }

  TEST_CASE("ops are checked element by element and name the op") {
    CHECK(decode_error("93 06 a1 61 92 97 01 01 00 01 00 00 a1 78 95 03 01 00 01 90") ==
          "malformed_frame: ops: field 2 (ops): op 1: unknown op kind 3 (1 insert, 2 delete)");
    CHECK(decode_error("93 06 a1 61 91 95 02 01 00 01 91 92 01 00") ==
          "malformed_frame: ops: field 2 (ops): op 0: target 0: array has 2 elements, expected "
          "at least 3");
  }

  TEST_CASE("declared sizes beyond the input fail before anything is allocated") {
    CHECK(decode_error("93 06 a1 61 dd ffffffff") ==
          "malformed_frame: not msgpack: truncated: 4294967295 more values declared, 0 bytes left");
    CHECK(decode_error("93 09 a1 61 df ffffffff") ==
          "malformed_frame: not msgpack: truncated: 8589934590 more values declared, 0 bytes left");
    CHECK(decode_error("92 0b db ffffffff 61") == "malformed_frame: not msgpack: truncated value");
  }

  TEST_CASE("deep nesting costs no stack: skipped when extra, malformed where an op belongs") {
    std::string extra = from_hex("93 0c a1 61");
    std::string op = from_hex("93 06 a1 61");
    for (int i = 0; i < 100000; ++i) {
      extra += '\x91';
      op += '\x91';
    }
    extra += '\x00';
    op += '\x00';
    CHECK(decode_frame(extra).has_value());
    CHECK(decode_error(to_hex(op)) ==
          "malformed_frame: ops: field 2 (ops): op 0: expected a non-negative integer, found "
          "array");
  }

  TEST_CASE("presence maps ignore unknown keys, treat nil as absent and refuse duplicates") {
    const auto decoded = decode_frame(
        from_hex("93 09 a1 61 83 a3 7a7a7a 92 01 02 a4 6e616d65 c0 a5 636f6c6f72 a1 78"));
    REQUIRE(decoded.has_value());
    PresenceState expected;
    expected.color = "x";
    CHECK(*decoded == Frame{Presence{"a", expected}});
    CHECK(decode_error("93 09 a1 61 82 a4 6e616d65 a1 78 a4 6e616d65 a1 79") ==
          "malformed_frame: presence: field 2 (state): name: key appears twice");
  }

  TEST_CASE("welcome limits keep their defaults when missing and ignore unknown keys") {
    const auto decoded = decode_frame(
        from_hex("94 02 01 a1 73 82 a7 6d61785f72756e cd 03 e8 ac 6675747572655f6c696d6974 05"));
    REQUIRE(decoded.has_value());
    ServerLimits expected;
    expected.max_run = 1000;
    CHECK(*decoded == Frame{Welcome{1, "s", expected}});
  }

  TEST_CASE("every single-byte change of a valid frame either fails or decodes to a stable frame") {
    for (const Frame& frame : sample_frames()) {
      const std::string bytes = encode_frame(frame);
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        for (const int delta : {1, 0x40, 0x80, 0xff}) {
          std::string changed = bytes;
          changed[i] = static_cast<char>(static_cast<unsigned char>(changed[i]) + delta);
          const auto decoded = decode_frame(changed);
          if (!decoded) continue;
          const auto again = decode_frame(encode_frame(*decoded));
          INFO(to_hex(changed));
          CHECK((again && *again == *decoded));
        }
      }
    }
  }

  TEST_CASE("randomly mutated frames either fail or decode to a frame that round-trips") {
    std::mt19937_64 rng(20240604);
    const std::vector<Frame> frames = sample_frames();
    int decoded_count = 0;
    int failed_count = 0;
    for (int n = 0; n < 20000; ++n) {
      std::string bytes = encode_frame(frames[rng() % frames.size()]);
      for (std::uint64_t k = 1 + rng() % 3; k > 0 && !bytes.empty(); --k) {
        const std::size_t at = rng() % bytes.size();
        switch (rng() % 4) {
          case 0:
            bytes[at] = static_cast<char>(rng());
            break;
          case 1:
            bytes[at] = static_cast<char>(rng() % 4);
            break;
          case 2:
            bytes.insert(at, 1, static_cast<char>(rng()));
            break;
          default:
            bytes.erase(at, 1);
            break;
        }
      }
      const auto decoded = decode_frame(bytes);
      if (!decoded) {
        CHECK_FALSE(decoded.error().message.empty());
        ++failed_count;
        continue;
      }
      ++decoded_count;
      const auto again = decode_frame(encode_frame(*decoded));
      INFO(to_hex(bytes));
      CHECK((again && *again == *decoded));
    }
    CHECK(decoded_count > 100);
    CHECK(failed_count > 100);
  }
}
