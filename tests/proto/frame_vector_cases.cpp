// frame_vector_cases.cpp — the cases of proto/testdata/frames/frames.json.
//
// Valid cases are frame values (hex = encode_frame) or hand-written bytes (non-canonical forms);
// for both the file records describe(decode_frame(hex)) and whether encoding gives the bytes back.
// Invalid cases are hand-written bytes and the error code decode_frame must give. The writer
// aborts if the codec disagrees with a case, so the committed file never records a surprise.
#include "tests/proto/frame_vector_cases.hpp"

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <variant>
#include <vector>

#include "proto/frame_codec.hpp"
#include "tests/crdt/op_json.hpp"

namespace weft::proto::testing {

namespace {

using Json = nlohmann::ordered_json;
using crdt::Anchor;
using crdt::DeleteOp;
using crdt::IdRange;
using crdt::InsertOp;
using crdt::Side;
using crdt::VersionVector;
using crdt::testing::op_json;

constexpr std::uint64_t max_id = (std::uint64_t{1} << 53) - 1;  // the largest id a JS number holds

Json vv_json(const VersionVector& vv) {
  Json out = Json::array();
  for (const auto& e : vv.entries()) out.push_back({e.replica, e.next_seq});
  return out;
}

template <class Bytes>
std::string hex_of(const Bytes& bytes) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Json anchor_json(const std::optional<Anchor>& a) {
  if (!a) return nullptr;
  return {a->id.replica, a->id.seq, static_cast<int>(a->side)};
}

Json state_json(const PresenceState& s) {
  return {{"head", anchor_json(s.head)},
          {"anchor", anchor_json(s.anchor)},
          {"name", s.name},
          {"color", s.color},
          {"typing", s.typing}};
}

template <class T>
Json or_null(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json describe_fields(const Hello& f) { return {{"version", f.version}, {"client", f.client}}; }
Json describe_fields(const Welcome& f) {
  const ServerLimits& l = f.limits;
  return {{"version", f.version},
          {"server", f.server},
          {"limits",
           {{"max_frame_bytes", l.max_frame_bytes},
            {"max_ops_per_frame", l.max_ops_per_frame},
            {"max_run", l.max_run},
            {"max_docs_per_connection", l.max_docs_per_connection},
            {"max_frames_per_second", l.max_frames_per_second},
            {"presence_interval_ms", l.presence_interval_ms},
            {"digest_interval_ms", l.digest_interval_ms},
            {"idle_timeout_ms", l.idle_timeout_ms},
            {"max_ops_per_second", l.max_ops_per_second},
            {"max_bytes_per_second", l.max_bytes_per_second},
            {"max_connections_per_ip", l.max_connections_per_ip},
            {"max_buffered_ops", l.max_buffered_ops},
            {"max_document_bytes", l.max_document_bytes},
            {"max_outbound_bytes", l.max_outbound_bytes}}}};
}
Json describe_fields(const Join& f) {
  return {{"doc", f.doc},
          {"epoch", or_null(f.epoch)},
          {"replica", or_null(f.replica)},
          {"token", f.token ? Json(hex_of(*f.token)) : Json(nullptr)},
          {"vv", vv_json(f.version)}};
}
Json describe_fields(const Joined& f) {
  return {{"doc", f.doc},
          {"epoch", f.epoch},
          {"replica", f.replica},
          {"token", hex_of(f.token)},
          {"vv", vv_json(f.version)},
          {"reset", f.reset}};
}
Json describe_fields(const SnapshotChunk& f) {
  return {{"doc", f.doc}, {"offset", f.offset}, {"total", f.total}, {"bytes", to_hex(f.bytes)}};
}
Json describe_fields(const Ops& f) {
  Json ops = Json::array();
  for (const crdt::Op& op : f.ops) ops.push_back(op_json(op));
  return {{"doc", f.doc}, {"ops", ops}};
}
Json describe_fields(const Synced& f) {
  return {{"doc", f.doc}, {"vv", vv_json(f.version)}, {"digest", hex_of(f.digest)}};
}
Json describe_fields(const Ack& f) { return {{"doc", f.doc}, {"next_seq", f.next_seq}}; }
Json describe_fields(const Presence& f) { return {{"doc", f.doc}, {"state", state_json(f.state)}}; }
Json describe_fields(const Presences& f) {
  Json entries = Json::array();
  for (const auto& e : f.entries) {
    entries.push_back({e.replica, e.state ? state_json(*e.state) : Json(nullptr)});
  }
  return {{"doc", f.doc}, {"entries", entries}};
}
Json describe_fields(const Leave& f) { return {{"doc", f.doc}}; }
Json describe_fields(const Left& f) { return {{"doc", f.doc}}; }
Json describe_fields(const Refresh& f) { return {{"token", f.token}}; }
Json describe_fields(const Refreshed& f) { return {{"expires", or_null(f.expires)}}; }
Json describe_fields(const DigestFrame& f) {
  return {{"doc", f.doc}, {"vv", vv_json(f.version)}, {"digest", hex_of(f.digest)}};
}
Json describe_fields(const Diverged& f) {
  return {{"doc", f.doc}, {"vv", vv_json(f.version)}, {"digest", hex_of(f.digest)}};
}
Json describe_fields(const Error& f) {
  return {{"code", f.code},
          {"name", f.name},
          {"message", f.message},
          {"doc", or_null(f.doc)},
          {"op", f.op ? Json{f.op->replica, f.op->seq} : Json(nullptr)}};
}

constexpr std::string_view type_names[] = {"",          "hello",   "welcome",  "join",   "joined",
                                           "snapshot",  "ops",     "synced",   "ack",    "presence",
                                           "presences", "leave",   "left",     "digest", "diverged",
                                           "error",     "refresh", "refreshed"};

// ---- the cases ----

ResumeToken token_0_15() {
  ResumeToken t{};
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<std::uint8_t>(i);
  return t;
}

PresenceState full_state() {
  PresenceState s;
  s.head = Anchor{{1, 4}, Side::after};
  s.anchor = Anchor{{2, 0}, Side::before};
  s.name = "Ada";
  s.color = "#e0457b";
  s.typing = true;
  return s;
}

std::vector<std::pair<std::string, Frame>> frame_cases() {
  ServerLimits custom;
  custom.max_frame_bytes = 65536;
  custom.max_ops_per_frame = 100;
  custom.max_run = 1000;
  custom.max_docs_per_connection = 8;
  custom.max_frames_per_second = 200;
  custom.presence_interval_ms = 100;
  custom.digest_interval_ms = 5000;
  custom.idle_timeout_ms = 4294967296;  // uint64 form
  PresenceState head_only;
  head_only.head = Anchor{crdt::root_id, Side::after};
  PresenceState unresolvable;  // decodes: what an anchor names is the receiver's to resolve
  unresolvable.head = Anchor{{0, 5}, Side::after};
  std::string snapshot_bytes;
  for (int i = 0; i < 300; ++i) snapshot_bytes.push_back(static_cast<char>(i * 7));
  const std::string long_doc(128, 'd');
  return {
      {"hello", Hello{1, "weft-js/0.1"}},
      {"welcome_default_limits", Welcome{1, "weft-server/0.1", {}}},
      {"welcome_custom_limits", Welcome{1, "weft-server/0.1", custom}},
      {"join_fresh", Join{"notes", std::nullopt, std::nullopt, std::nullopt, {}}},
      {"join_resume", Join{"notes", max_id, 3, token_0_15(), {{1, 5}, {3, 12}}}},
      {"join_without_token", Join{"notes", 7, std::nullopt, std::nullopt, {{2, 1}}}},
      {"join_long_doc_id", Join{long_doc, 1, std::nullopt, std::nullopt, {}}},
      {"joined", Joined{"notes", max_id, 4, token_0_15(), {{1, 5}, {3, 12}}, false}},
      {"joined_reset", Joined{"notes", 1234567890123, 9, token_0_15(), {}, true}},
      {"snapshot_chunk", SnapshotChunk{"notes", 0, 10, std::string("\x01\x02\x03", 3)}},
      {"snapshot_chunk_bin16", SnapshotChunk{"notes", 700, 1000, snapshot_bytes}},
      {"ops_empty", Ops{"notes", {}}},
      {"ops_insert_at_root", Ops{"notes", {InsertOp{1, 0, 1, crdt::root_id, "hello"}}}},
      {"ops_insert_astral", Ops{"notes", {InsertOp{2, 7, 12, {1, 4}, "a\xf0\x9f\x98\x80z"}}}},
      {"ops_insert_str8",
       Ops{"notes", {InsertOp{1, 5, 6, {1, 4}, "the quick brown fox jumps over the lazy dog"}}}},
      {"ops_insert_invalid_utf8_text",
       Ops{"notes", {InsertOp{1, 0, 1, crdt::root_id, "\xc0\x80"}}}},
      {"ops_delete_several_targets",
       Ops{"notes", {DeleteOp{2, 3, 20, {{1, 3, 1}, {1, 2, 1}, {3, 0, 4}}}}}},
      {"ops_mixed", Ops{"notes",
                        {InsertOp{1, 0, 1, crdt::root_id, "ab"}, DeleteOp{1, 2, 3, {{1, 0, 1}}},
                         InsertOp{1, 3, 4, {1, 1}, "c"}}}},
      {"ops_big_integers",
       Ops{"notes",
           {InsertOp{max_id, max_id - 1, max_id - 1, {max_id - 2, max_id - 3}, "x"},
            DeleteOp{max_id, max_id - 2, 4294967296, {{max_id, 65536, 1}}}}}},
      {"synced", Synced{"notes", {{1, 5}, {3, 12}}, text_digest("hello")}},
      {"synced_empty_document", Synced{"notes", {}, text_digest("")}},
      {"ack", Ack{"notes", 42}},
      {"ack_2_pow_53", Ack{"notes", std::uint64_t{1} << 53}},
      {"presence_full", Presence{"notes", full_state()}},
      {"presence_head_only", Presence{"notes", head_only}},
      {"presence_empty", Presence{"notes", {}}},
      {"presence_head_not_an_element", Presence{"notes", unresolvable}},
      {"presences",
       Presences{"notes", {{2, full_state()}, {5, std::nullopt}, {7, PresenceState{}}}}},
      {"presences_empty", Presences{"notes", {}}},
      {"leave", Leave{"notes"}},
      {"left", Left{"notes"}},
      {"refresh", Refresh{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2ln"}},
      {"refreshed", Refreshed{1767225600}},
      {"refreshed_no_expiry", Refreshed{std::nullopt}},
      {"digest", DigestFrame{"notes", {{1, 5}}, text_digest("hello")}},
      {"diverged", Diverged{"notes", {{1, 5}}, text_digest("a")}},
      {"error_op_rejected",
       Error{110, "heap_violation", "insert lamport 3 <= its parent's 7", "notes", crdt::Id{4, 9}}},
      {"error_without_doc",
       Error{5, "hello_required", "send hello first", std::nullopt, std::nullopt}},
      {"error_unicode_message",
       Error{6, "bad_document_id", "\xc3\xa9t\xc3\xa9 is not allowed", "notes", std::nullopt}},
  };
}

// Valid bytes in forms the encoder does not write (or with extra content it drops).
std::vector<std::pair<std::string, std::string>> raw_valid_cases() {
  std::string deep_extra = from_hex("93 0c a1 61");  // [12, "a", <1000 nested arrays>]
  for (int i = 0; i < 1000; ++i) deep_extra += from_hex("91");
  deep_extra += from_hex("00");
  return {
      {"ack_next_seq_uint32", from_hex("93 08 a1 61 ce 00 00 00 05")},
      {"ack_next_seq_int8", from_hex("93 08 a1 61 d0 05")},
      {"ack_type_uint64", from_hex("93 cf 00 00 00 00 00 00 00 08 a1 61 05")},
      {"ack_doc_str8", from_hex("93 08 d9 01 61 05")},
      {"ack_array16", from_hex("dc 00 03 08 a1 61 05")},
      {"ack_extra_fields", from_hex("95 08 a1 61 05 c0 81 a1 78 01")},
      {"left_deep_extra_field", deep_extra},
      {"join_token_bin16",
       from_hex("96 03 a1 61 01 02 c5 00 10 000102030405060708090a0b0c0d0e0f 90")},
      {"digest_vv_entry_extra_element",
       from_hex("94 0d a1 61 91 93 01 02 63 c4 08 0011223344556677")},
      {"ops_insert_extra_element", from_hex("93 06 a1 61 91 98 01 01 00 01 00 00 a1 78 c3")},
      // {"zzz": [1, 2], "name": nil, "typing": false}
      {"presence_unknown_key_nil_and_false",
       from_hex("93 09 a1 61 83 a3 7a7a7a 92 01 02 a4 6e616d65 c0 a6 747970696e67 c2")},
      // {"typing": true, "name": "x"}: keys in another order
      {"presence_keys_reordered", from_hex("93 09 a1 61 82 a6 747970696e67 c3 a4 6e616d65 a1 78")},
      // {"max_run": 1000, "future_limit": 5}: the other limits keep their defaults
      {"welcome_partial_limits",
       from_hex("94 02 01 a1 73 82 a7 6d61785f72756e cd 03 e8 ac 6675747572655f6c696d6974 05")},
      // Unknown keys are skipped whatever their value (str, array, map, nil, bool, float, ext,
      // negative int, str of invalid UTF-8) and however often they appear (PROTOCOL.md §3).
      {"welcome_unknown_limits_any_type",
       from_hex("94 02 01 a1 73 8b a7 6d61785f72756e cd 03 e8"
                " a5 785f737472 a1 61  a5 785f617272 92 01 ff  a5 785f6d6170 81 a1 6b c0"
                " a5 785f6e696c c0  a6 785f626f6f6c c3  a7 785f666c6f6174 cb 3ff8000000000000"
                " a5 785f657874 d4 01 05  a5 785f6e6567 ff  a5 785f737472 c4 02 0102"
                " a5 785f757466 a2 c0 80")},
      // {"name": "x", "cursors": [[1,2,1],[3,4,0]], "z": {"a": 1.5}, "z": "dup", "ext": <ext>,
      // "neg": -8}: only name is known
      {"presence_unknown_keys_any_type",
       from_hex("93 09 a1 61 86 a4 6e616d65 a1 78  a7 637572736f7273 92 93 01 02 01 93 03 04 00"
                " a1 7a 81 a1 61 cb 3ff8000000000000  a1 7a a3 647570  a3 657874 d4 01 05"
                " a3 6e6567 d0 f8")},
  };
}

std::string repeat_hex(std::string_view hex, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += from_hex(hex);
  return out;
}

// {name, bytes, expected error}
struct InvalidCase {
  std::string name;
  std::string bytes;
  ErrorCode error;
};

std::vector<InvalidCase> invalid_cases() {
  constexpr ErrorCode bad = ErrorCode::malformed_frame;
  constexpr ErrorCode unknown = ErrorCode::unknown_frame_type;
  const std::string digest8 = "c4 08 0011223344556677";
  std::string deep_op = from_hex("93 06 a1 61");  // [6, "a", <1000 nested arrays>]
  deep_op += repeat_hex("91", 1000) + from_hex("01");
  return {
      {"empty_input", "", bad},
      {"not_an_array_uint", from_hex("08"), bad},
      {"not_an_array_map", from_hex("81 a1 61 01"), bad},
      {"empty_array", from_hex("90"), bad},
      {"type_negative", from_hex("91 ff"), bad},
      {"type_negative_int8", from_hex("92 d0 f8 a1 61"), bad},
      {"type_str", from_hex("92 a1 38 a1 61"), bad},
      {"type_float", from_hex("92 cb 4020000000000000 a1 61"), bad},
      {"type_nil", from_hex("91 c0"), bad},
      {"unknown_type_0", from_hex("91 00"), unknown},
      {"unknown_type_18", from_hex("92 12 a1 61"), unknown},
      {"unknown_type_99_with_fields", from_hex("93 63 c0 80"), unknown},
      {"unknown_type_max_uint64", from_hex("91 cf ffffffffffffffff"), unknown},
      {"unknown_type_with_trailing_bytes", from_hex("91 63 00"), bad},
      {"unknown_type_truncated", from_hex("92 63 a3 61"), bad},
      {"truncated_ack", from_hex("93 08 a1 61"), bad},
      {"truncated_str", from_hex("93 08 a5 61 62 05"), bad},
      {"truncated_uint32", from_hex("93 08 a1 61 ce 00 00"), bad},
      {"trailing_bytes", from_hex("93 08 a1 61 05 00"), bad},
      {"two_frames", from_hex("93 08 a1 61 05 93 08 a1 61 05"), bad},
      {"reserved_byte", from_hex("93 08 a1 61 c1"), bad},
      {"ack_missing_field", from_hex("92 08 a1 61"), bad},
      {"join_missing_vv", from_hex("95 03 a1 61 c0 c0 c0"), bad},
      {"ack_next_seq_negative", from_hex("93 08 a1 61 ff"), bad},
      {"ack_next_seq_negative_int64", from_hex("93 08 a1 61 d3 ffffffffffffffff"), bad},
      {"ack_next_seq_str", from_hex("93 08 a1 61 a1 35"), bad},
      {"ack_next_seq_float", from_hex("93 08 a1 61 cb 4014000000000000"), bad},
      {"ack_next_seq_ext", from_hex("93 08 a1 61 d4 01 05"), bad},
      {"ack_doc_bin", from_hex("93 08 c4 01 61 05"), bad},
      {"joined_reset_int",
       from_hex("97 04 a1 61 01 01 c4 10 000102030405060708090a0b0c0d0e0f 90 01"), bad},
      {"join_token_15_bytes", from_hex("96 03 a1 61 01 01 c4 0f 000102030405060708090a0b0c0d0e 90"),
       bad},
      {"join_token_17_bytes",
       from_hex("96 03 a1 61 01 01 c4 11 000102030405060708090a0b0c0d0e0f10 90"), bad},
      {"join_token_str", from_hex("96 03 a1 61 01 01 b0 30313233343536373839616263646566 90"), bad},
      {"join_vv_without_epoch", from_hex("96 03 a1 61 c0 c0 c0 91 92 01 05"), bad},
      {"synced_digest_7_bytes", from_hex("94 07 a1 61 90 c4 07 00112233445566"), bad},
      {"synced_digest_9_bytes", from_hex("94 07 a1 61 90 c4 09 001122334455667788"), bad},
      {"digest_vv_not_ascending", from_hex("94 0d a1 61 92 92 03 01 92 02 01" + digest8), bad},
      {"digest_vv_duplicate_replica", from_hex("94 0d a1 61 92 92 02 01 92 02 03" + digest8), bad},
      {"digest_vv_next_seq_0", from_hex("94 0d a1 61 91 92 02 00" + digest8), bad},
      {"digest_vv_entry_short", from_hex("94 0d a1 61 91 91 02" + digest8), bad},
      {"doc_overlong_utf8", from_hex("92 0b a2 c0 80"), bad},
      {"doc_surrogate_utf8", from_hex("92 0b a3 ed a0 80"), bad},
      {"doc_byte_ff", from_hex("92 0b a1 ff"), bad},
      {"error_message_invalid_utf8", from_hex("96 0f 01 a1 78 a2 e2 82 c0 c0"), bad},
      {"error_op_one_element", from_hex("96 0f 01 a1 78 a0 c0 91 01"), bad},
      {"ops_not_array", from_hex("93 06 a1 61 80"), bad},
      {"ops_unknown_kind", from_hex("93 06 a1 61 91 95 03 01 00 01 90"), bad},
      {"ops_insert_missing_text", from_hex("93 06 a1 61 91 96 01 01 00 01 00 00"), bad},
      {"ops_insert_text_bin", from_hex("93 06 a1 61 91 97 01 01 00 01 00 00 c4 01 78"), bad},
      {"ops_delete_target_short", from_hex("93 06 a1 61 91 95 02 01 00 01 91 92 01 00"), bad},
      {"ops_deep_nesting", deep_op, bad},
      {"ops_array32_bomb", from_hex("93 06 a1 61 dd ffffffff"), bad},
      {"map32_bomb_in_presence", from_hex("93 09 a1 61 df ffffffff"), bad},
      {"array_bomb_in_extra_field", from_hex("93 0c a1 61 dd ffffffff"), bad},
      {"str32_bomb", from_hex("92 0b db ffffffff 61"), bad},
      {"bin32_bomb", from_hex("95 05 a1 61 00 05 c6 ffffffff"), bad},
      {"snapshot_past_total", from_hex("95 05 a1 61 08 0a c4 03 010203"), bad},
      {"presence_not_map", from_hex("93 09 a1 61 90"), bad},
      {"presence_key_not_str", from_hex("93 09 a1 61 81 01 c3"), bad},
      {"presence_duplicate_key", from_hex("93 09 a1 61 82 a4 6e616d65 a1 78 a4 6e616d65 a1 79"),
       bad},
      {"presence_side_2", from_hex("93 09 a1 61 81 a4 68656164 93 01 02 02"), bad},
      {"presence_typing_int", from_hex("93 09 a1 61 81 a6 747970696e67 01"), bad},
      {"presence_name_65_bytes",
       from_hex("93 09 a1 61 81 a4 6e616d65 d9 41") + std::string(65, 'n'), bad},
      {"presences_entry_short", from_hex("93 0a a1 61 91 91 02"), bad},
      {"welcome_limit_str", from_hex("94 02 01 a1 73 81 a7 6d61785f72756e a1 31"), bad},
      {"welcome_limit_nil", from_hex("94 02 01 a1 73 81 a7 6d61785f72756e c0"), bad},
      {"welcome_limit_key_twice",
       from_hex("94 02 01 a1 73 82 a7 6d61785f72756e 01 a7 6d61785f72756e 02"), bad},
      {"welcome_limit_key_not_str", from_hex("94 02 01 a1 73 81 01 01"), bad},
      {"welcome_unknown_limit_reserved_byte", from_hex("94 02 01 a1 73 81 a1 78 c1"), bad},
      {"welcome_unknown_limit_key_invalid_utf8", from_hex("94 02 01 a1 73 81 a2 c0 80 01"), bad},
      {"presence_unknown_key_truncated", from_hex("93 09 a1 61 81 a1 7a 92 01"), bad},
      {"join_vv_replica_0", from_hex("96 03 a1 61 01 c0 c0 91 92 00 05"), bad},
      {"joined_vv_replica_0",
       from_hex("97 04 a1 61 01 01 c4 10 000102030405060708090a0b0c0d0e0f 91 92 00 01 c2"), bad},
      {"synced_vv_replica_0", from_hex("94 07 a1 61 91 92 00 01" + digest8), bad},
      {"digest_vv_replica_0", from_hex("94 0d a1 61 92 92 00 01 92 01 01" + digest8), bad},
      {"diverged_vv_replica_0", from_hex("94 0e a1 61 91 92 00 03" + digest8), bad},
      {"welcome_limits_array", from_hex("94 02 01 a1 73 90"), bad},
  };
}

Json valid_case(const std::string& name, const std::string& bytes) {
  const auto decoded = decode_frame(bytes);
  if (!decoded) {
    std::fprintf(stderr, "frame vectors: %s does not decode: %s\n", name.c_str(),
                 decoded.error().message.c_str());
    std::abort();
  }
  return {{"name", name},
          {"hex", to_hex(bytes)},
          {"frame", describe(*decoded)},
          {"canonical", encode_frame(*decoded) == bytes}};
}

}  // namespace

Json describe(const Frame& frame) {
  Json out = {{"type", type_names[static_cast<std::size_t>(frame_type(frame))]}};
  const Json fields = std::visit([](const auto& f) { return describe_fields(f); }, frame);
  for (const auto& [key, value] : fields.items()) out[key] = value;
  return out;
}

std::string to_hex(std::string_view bytes) { return crdt::testing::to_hex(bytes); }

std::string from_hex(std::string_view hex) {
  std::string out;
  int high = -1;
  for (const char c : hex) {
    if (c == ' ') continue;
    const int v = c <= '9' ? c - '0' : c - 'a' + 10;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>(high * 16 + v));
      high = -1;
    }
  }
  return out;
}

std::string make_frames_json() {
  std::vector<Json> cases;
  for (const auto& [name, frame] : frame_cases()) {
    const std::string bytes = encode_frame(frame);
    const auto decoded = decode_frame(bytes);
    if (!decoded || !(*decoded == frame)) {
      std::fprintf(stderr, "frame vectors: %s does not round-trip\n", name.c_str());
      std::abort();
    }
    cases.push_back(valid_case(name, bytes));
  }
  for (const auto& [name, bytes] : raw_valid_cases()) cases.push_back(valid_case(name, bytes));
  for (const InvalidCase& c : invalid_cases()) {
    const auto decoded = decode_frame(c.bytes);
    if (decoded || decoded.error().code != c.error) {
      std::fprintf(stderr, "frame vectors: %s does not fail with %s\n", c.name.c_str(),
                   std::string(error_name(c.error)).c_str());
      std::abort();
    }
    cases.push_back(
        {{"name", c.name}, {"hex", to_hex(c.bytes)}, {"error", std::string(error_name(c.error))}});
  }
  std::string out = "[\n";
  for (std::size_t i = 0; i < cases.size(); ++i) {
    out += cases[i].dump();
    out += i + 1 < cases.size() ? ",\n" : "\n";
  }
  out += "]\n";
  return out;
}

}  // namespace weft::proto::testing
