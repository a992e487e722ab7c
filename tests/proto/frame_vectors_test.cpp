// frame_vectors_test.cpp — the codec against the golden wire vectors (proto/testdata/frames/), and
// the committed vectors against the cases that made them.
//
// The expected frames are built from the JSON by frame_from_json() below, independently of the
// describe() that wrote them, so a codec change that alters a decoded value fails here even
// though make_frame_vectors would happily record it.
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "proto/frame_codec.hpp"
#include "tests/proto/frame_vector_cases.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace weft::proto;
using weft::proto::testing::from_hex;

fs::path frames_file() {
  return fs::path(WEFT_SOURCE_DIR) / "proto" / "testdata" / "frames" / "frames.json";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::uint64_t u(const json& j) { return j.get<std::uint64_t>(); }

template <std::size_t N>
std::array<std::uint8_t, N> fixed_bytes(const json& j) {
  const std::string bytes = from_hex(j.get<std::string>());
  REQUIRE(bytes.size() == N);
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>(bytes[i]);
  return out;
}

weft::crdt::VersionVector vv(const json& j) {
  weft::crdt::VersionVector out;
  for (const json& e : j) out.set(u(e.at(0)), u(e.at(1)));
  return out;
}

std::optional<weft::crdt::Anchor> anchor(const json& j) {
  if (j.is_null()) return std::nullopt;
  return weft::crdt::Anchor{{u(j.at(0)), u(j.at(1))},
                            u(j.at(2)) == 0 ? weft::crdt::Side::before : weft::crdt::Side::after};
}

PresenceState state(const json& j) {
  return PresenceState{anchor(j.at("head")), anchor(j.at("anchor")),
                       j.at("name").get<std::string>(), j.at("color").get<std::string>(),
                       j.at("typing").get<bool>()};
}

weft::crdt::Op op(const json& j) {
  if (j.contains("insert")) {
    const json& b = j.at("insert");
    return weft::crdt::InsertOp{u(b.at("replica")),
                                u(b.at("seq")),
                                u(b.at("lamport")),
                                {u(b.at("parent").at(0)), u(b.at("parent").at(1))},
                                b.contains("text") ? b.at("text").get<std::string>()
                                                   : from_hex(b.at("text_hex").get<std::string>())};
  }
  const json& b = j.at("delete");
  weft::crdt::DeleteOp out{u(b.at("replica")), u(b.at("seq")), u(b.at("lamport")), {}};
  for (const json& t : b.at("targets")) out.targets.push_back({u(t.at(0)), u(t.at(1)), u(t.at(2))});
  return out;
}

std::optional<std::uint64_t> optional_u(const json& j) {
  if (j.is_null()) return std::nullopt;
  return u(j);
}

Frame frame_from_json(const json& j) {
  const std::string type = j.at("type").get<std::string>();
  if (type == "hello") return Hello{u(j.at("version")), j.at("client").get<std::string>()};
  if (type == "welcome") {
    const json& l = j.at("limits");
    return Welcome{u(j.at("version")), j.at("server").get<std::string>(),
                   ServerLimits{u(l.at("max_frame_bytes")), u(l.at("max_ops_per_frame")),
                                u(l.at("max_run")), u(l.at("max_docs_per_connection")),
                                u(l.at("max_frames_per_second")), u(l.at("presence_interval_ms")),
                                u(l.at("digest_interval_ms")), u(l.at("idle_timeout_ms")),
                                u(l.at("max_ops_per_second")), u(l.at("max_bytes_per_second")),
                                u(l.at("max_connections_per_ip")), u(l.at("max_buffered_ops")),
                                u(l.at("max_document_bytes")), u(l.at("max_outbound_bytes"))}};
  }
  if (type == "refresh") return Refresh{j.at("token").get<std::string>()};
  if (type == "refreshed") {
    if (j.at("expires").is_null()) return Refreshed{std::nullopt};
    return Refreshed{u(j.at("expires"))};
  }
  const std::string doc = type == "error" ? std::string() : j.at("doc").get<std::string>();
  if (type == "join") {
    std::optional<ResumeToken> token;
    if (!j.at("token").is_null()) token = fixed_bytes<16>(j.at("token"));
    return Join{doc, optional_u(j.at("epoch")), optional_u(j.at("replica")), token, vv(j.at("vv"))};
  }
  if (type == "joined") {
    return Joined{doc,
                  u(j.at("epoch")),
                  u(j.at("replica")),
                  fixed_bytes<16>(j.at("token")),
                  vv(j.at("vv")),
                  j.at("reset").get<bool>()};
  }
  if (type == "snapshot") {
    return SnapshotChunk{doc, u(j.at("offset")), u(j.at("total")),
                         from_hex(j.at("bytes").get<std::string>())};
  }
  if (type == "ops") {
    Ops out{doc, {}};
    for (const json& o : j.at("ops")) out.ops.push_back(op(o));
    return out;
  }
  if (type == "synced") return Synced{doc, vv(j.at("vv")), fixed_bytes<8>(j.at("digest"))};
  if (type == "ack") return Ack{doc, u(j.at("next_seq"))};
  if (type == "presence") return Presence{doc, state(j.at("state"))};
  if (type == "presences") {
    Presences out{doc, {}};
    for (const json& e : j.at("entries")) {
      std::optional<PresenceState> s;
      if (!e.at(1).is_null()) s = state(e.at(1));
      out.entries.push_back({u(e.at(0)), s});
    }
    return out;
  }
  if (type == "leave") return Leave{doc};
  if (type == "left") return Left{doc};
  if (type == "digest") return DigestFrame{doc, vv(j.at("vv")), fixed_bytes<8>(j.at("digest"))};
  if (type == "diverged") return Diverged{doc, vv(j.at("vv")), fixed_bytes<8>(j.at("digest"))};
  REQUIRE(type == "error");
  std::optional<std::string> error_doc;
  if (!j.at("doc").is_null()) error_doc = j.at("doc").get<std::string>();
  std::optional<weft::crdt::Id> id;
  if (!j.at("op").is_null()) id = weft::crdt::Id{u(j.at("op").at(0)), u(j.at("op").at(1))};
  return Error{u(j.at("code")), j.at("name").get<std::string>(), j.at("message").get<std::string>(),
               error_doc, id};
}

json load_cases() { return json::parse(read_file(frames_file())); }

}  // namespace

TEST_SUITE("frame vectors") {
  TEST_CASE("every valid vector decodes to the frame its JSON describes") {
    int checked = 0;
    for (const json& c : load_cases()) {
      if (!c.contains("frame")) continue;
      INFO(c.at("name").get<std::string>());
      const auto decoded = decode_frame(from_hex(c.at("hex").get<std::string>()));
      REQUIRE_MESSAGE(decoded.has_value(), (decoded ? "" : decoded.error().message));
      CHECK(*decoded == frame_from_json(c.at("frame")));
      CHECK(json::parse(testing::describe(*decoded).dump()) == c.at("frame"));
      ++checked;
    }
    CHECK(checked >= 40);
  }

  TEST_CASE("canonical vectors re-encode byte for byte, the others to an equal frame") {
    int canonical = 0;
    int other = 0;
    for (const json& c : load_cases()) {
      if (!c.contains("frame")) continue;
      INFO(c.at("name").get<std::string>());
      const std::string hex = c.at("hex").get<std::string>();
      const Frame frame = frame_from_json(c.at("frame"));
      const std::string encoded = encode_frame(frame);
      if (c.at("canonical").get<bool>()) {
        CHECK(testing::to_hex(encoded) == hex);
        ++canonical;
      } else {
        CHECK(testing::to_hex(encoded) != hex);
        const auto again = decode_frame(encoded);
        CHECK((again && *again == frame));
        ++other;
      }
    }
    CHECK(canonical >= 30);
    CHECK(other >= 10);
  }

  TEST_CASE("every invalid vector fails with the error it names") {
    int checked = 0;
    for (const json& c : load_cases()) {
      if (!c.contains("error")) continue;
      INFO(c.at("name").get<std::string>());
      const auto decoded = decode_frame(from_hex(c.at("hex").get<std::string>()));
      REQUIRE_FALSE(decoded.has_value());
      CHECK(error_name(decoded.error().code) == c.at("error").get<std::string>());
      CHECK_FALSE(decoded.error().message.empty());
      ++checked;
    }
    CHECK(checked >= 50);
  }

  TEST_CASE("the vectors cover every frame type") {
    std::set<std::string> types;
    for (const json& c : load_cases()) {
      if (c.contains("frame")) types.insert(c.at("frame").at("type").get<std::string>());
    }
    CHECK(types.size() == 17);
  }

  TEST_CASE("the committed vectors are exactly what make_frame_vectors writes") {
    INFO("frames.json differs from the cases: rebuild, run make_frame_vectors, review the diff");
    CHECK(read_file(frames_file()) == testing::make_frames_json());
  }
}
