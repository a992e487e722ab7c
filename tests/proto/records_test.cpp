// records_test.cpp — proto/records.hpp: round trips, the committed fixtures, and hostile bytes.
// Validation errors are in records_validation_test.cpp.
#include "proto/records.hpp"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "crdt/rga.hpp"

using namespace weft;
using proto::Errc;

namespace {

constexpr crdt::Id root = crdt::root_id;

// The values the committed fixtures in proto/testdata/records/ hold, written out literally: if a
// schema change makes old bytes decode differently, the fixture test fails.
proto::OpRecord fixture_insert() {
  return {41, 1700000000000000, "alice@example.com",
          crdt::InsertOp{3, 10, 20, crdt::Id{2, 5}, "h\xC3\xA9llo \xF0\x9F\x91\x8B"}};
}

proto::OpRecord fixture_delete() {
  return {42, 1700000000250000, "bob",
          crdt::DeleteOp{2, 7, 28, {crdt::IdRange{3, 10, 2}, crdt::IdRange{2, 0, 3}}}};
}

// The state of the example in crdt/README.md §11.1.
proto::SnapshotRecord fixture_snapshot() {
  crdt::Snapshot state;
  state.replicas = {{1, 3, 4}, {2, 1, 3}};
  state.clock = 4;
  state.runs = {{1, 0, 1, 1, true}, {1, 1, 2, 1, false}, {2, 0, 3, 1, false}};
  state.text = "i!";
  return {1, 3, 1700000000123456, state};
}

proto::DocumentMeta fixture_meta() {
  return {"notes/2024 \xE2\x9C\x93",
          1700000000000000,
          0x0123456789ABCDEFu,
          1,
          {{1, "alice@example.com", "Alice", 1700000000000000, ""},
           {3, "bob",
            "B\xC3\xB8"
            "b \xF0\x9F\x8E\xB8",
            1700000000200000, ""}}};
}

std::string fixture_path(const std::string& name) {
  return std::string(WEFT_SOURCE_DIR) + "/proto/testdata/records/" + name;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Decodes `bytes` as every record type; only checks that nothing crashes and that whatever is
// accepted survives a second round trip unchanged.
void decode_all(std::string_view bytes) {
  if (const auto r = proto::decode_op_record(bytes)) {
    CHECK(proto::decode_op_record(proto::encode(*r)) == r);
  }
  if (const auto r = proto::decode_snapshot_record(bytes)) {
    CHECK(proto::decode_snapshot_record(proto::encode(*r)) == r);
  }
  if (const auto r = proto::decode_document_meta(bytes)) {
    CHECK(proto::decode_document_meta(proto::encode(*r)) == r);
  }
}

// Three replicas editing at random, synced pairwise now and then: many runs, both kinds of
// delta, deleted and live runs, multi-byte text.
crdt::Snapshot random_document(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<crdt::Rga> replicas;
  for (crdt::ReplicaId r = 1; r <= 3; ++r) replicas.emplace_back(r * 1000);
  std::vector<crdt::Op> log;
  const std::vector<std::string> words = {"a", "\xC3\xA9t\xC3\xA9", "\xF0\x9F\x98\x80!", "xyz"};
  for (int step = 0; step < 300; ++step) {
    crdt::Rga& rga = replicas[rng() % replicas.size()];
    if (rga.length() > 0 && rng() % 3 == 0) {
      const std::uint64_t pos = rng() % rga.length();
      const auto op =
          rga.local_delete(pos, 1 + rng() % std::min<std::uint64_t>(4, rga.length() - pos));
      REQUIRE(op);
      log.emplace_back(*op);
    } else {
      const auto op = rga.local_insert(rng() % (rga.length() + 1), words[rng() % words.size()]);
      REQUIRE(op);
      log.emplace_back(*op);
    }
    if (rng() % 8 == 0) {
      for (crdt::Rga& other : replicas) {
        for (const crdt::Op& op : log) {
          const crdt::ApplyResult r = other.apply_remote(op);
          REQUIRE(r.status != crdt::ApplyStatus::rejected);
        }
      }
    }
  }
  for (const crdt::Op& op : log) {
    const crdt::ApplyResult r = replicas[0].apply_remote(op);
    REQUIRE(r.status != crdt::ApplyStatus::rejected);
  }
  return replicas[0].snapshot();
}

}  // namespace

TEST_SUITE("records") {
  TEST_CASE("an insert op record round trips, emoji and all") {
    const proto::OpRecord record = fixture_insert();
    const std::string bytes = proto::encode(record);
    const auto decoded = proto::decode_op_record(bytes);
    REQUIRE_MESSAGE(decoded, decoded.error().message());
    CHECK(*decoded == record);
    CHECK(proto::encode(*decoded) == bytes);
  }

  TEST_CASE("an insert at ROOT, at the edge of the id range, round trips") {
    const std::uint64_t top = crdt::id_limit - 1;
    const proto::OpRecord record{0, -5, "", crdt::InsertOp{top, top, top, root, "z"}};
    const auto decoded = proto::decode_op_record(proto::encode(record));
    REQUIRE_MESSAGE(decoded, decoded.error().message());
    CHECK(*decoded == record);
  }

  TEST_CASE("a delete op record round trips with its targets in order") {
    const proto::OpRecord record = fixture_delete();
    const std::string bytes = proto::encode(record);
    const auto decoded = proto::decode_op_record(bytes);
    REQUIRE_MESSAGE(decoded, decoded.error().message());
    CHECK(*decoded == record);
    CHECK(proto::encode(*decoded) == bytes);
  }

  TEST_CASE("ops made by a real replica round trip") {
    crdt::Rga rga(7);
    const auto a = rga.local_insert(0, "caf\xC3\xA9 \xF0\x9F\x8D\xB0");
    const auto b = rga.local_delete(1, 3);
    const auto c = rga.local_insert(2, "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7");
    REQUIRE((a && b && c));
    std::uint64_t index = 0;
    for (const crdt::Op& op : std::vector<crdt::Op>{*a, *b, *c}) {
      const proto::OpRecord record{index++, 1700000000000000, "carol", op};
      const auto decoded = proto::decode_op_record(proto::encode(record));
      REQUIRE_MESSAGE(decoded, decoded.error().message());
      CHECK(*decoded == record);
    }
  }

  TEST_CASE("the snapshot of crdt/README.md §11.1 round trips") {
    const proto::SnapshotRecord record = fixture_snapshot();
    const std::string bytes = proto::encode(record);
    const auto decoded = proto::decode_snapshot_record(bytes);
    REQUIRE_MESSAGE(decoded, decoded.error().message());
    CHECK(*decoded == record);
    CHECK(proto::encode(*decoded) == bytes);
  }

  TEST_CASE("an empty document's snapshot round trips") {
    const proto::SnapshotRecord record{1, 0, 0, crdt::Rga(1).snapshot()};
    const auto decoded = proto::decode_snapshot_record(proto::encode(record));
    REQUIRE_MESSAGE(decoded, decoded.error().message());
    CHECK(*decoded == record);
  }

  TEST_CASE("snapshots of real replicas round trip and load into an equal replica") {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      CAPTURE(seed);
      const proto::SnapshotRecord record{1, 300 * seed, 1700000000000000, random_document(seed)};
      REQUIRE(record.state.runs.size() > 3);
      const std::string bytes = proto::encode(record);
      const auto decoded = proto::decode_snapshot_record(bytes);
      REQUIRE_MESSAGE(decoded, decoded.error().message());
      CHECK(*decoded == record);
      CHECK(proto::encode(*decoded) == bytes);
      const auto loaded = crdt::Rga::from_snapshot(decoded->state);
      REQUIRE_MESSAGE(loaded, loaded.error().message());
      loaded->check_invariants();
      CHECK(loaded->text() == record.state.text);
      CHECK(loaded->snapshot() == record.state);
    }
  }

  TEST_CASE("document metadata round trips") {
    const proto::DocumentMeta record = fixture_meta();
    const std::string bytes = proto::encode(record);
    const auto decoded = proto::decode_document_meta(bytes);
    REQUIRE_MESSAGE(decoded, decoded.error().message());
    CHECK(*decoded == record);
    CHECK(proto::encode(*decoded) == bytes);
    const proto::DocumentMeta empty{"d", 0, 0, 1, {}};
    CHECK(proto::decode_document_meta(proto::encode(empty)) == empty);
  }

  TEST_CASE("a named version round trips") {
    const proto::NamedVersion record{"draft ü", 5, "ana", 1764133300000000};
    const std::string bytes = proto::encode(record);
    const auto decoded = proto::decode_named_version(bytes);
    REQUIRE_MESSAGE(decoded, decoded.error().message());
    CHECK(*decoded == record);
    CHECK(proto::encode(*decoded) == bytes);
  }

  TEST_CASE("a named version with an empty, long or control-character name does not decode") {
    for (const std::string& name : {std::string(), std::string(201, 'a'), std::string("a\tb"),
                                    std::string("a\x7F"), std::string("a\xC2\x85")}) {
      const auto decoded =
          proto::decode_named_version(proto::encode(proto::NamedVersion{name, 0, "", 0}));
      CHECK(decoded.error() == proto::Errc::bad_field);
    }
    CHECK(
        proto::decode_named_version(proto::encode(proto::NamedVersion{"\xFF", 0, "", 0})).error() ==
        proto::Errc::bad_utf8);
    CHECK(proto::is_valid_version_name(std::string(200, 'a')));
  }

  TEST_CASE("records written by older builds still decode (committed fixtures)") {
    const auto insert = proto::decode_op_record(read_file(fixture_path("insert_op.bin")));
    REQUIRE_MESSAGE(insert, insert.error().message());
    CHECK(*insert == fixture_insert());
    const auto del = proto::decode_op_record(read_file(fixture_path("delete_op.bin")));
    REQUIRE_MESSAGE(del, del.error().message());
    CHECK(*del == fixture_delete());
    const auto snapshot = proto::decode_snapshot_record(read_file(fixture_path("snapshot.bin")));
    REQUIRE_MESSAGE(snapshot, snapshot.error().message());
    CHECK(*snapshot == fixture_snapshot());
    const auto meta = proto::decode_document_meta(read_file(fixture_path("document_meta.bin")));
    REQUIRE_MESSAGE(meta, meta.error().message());
    CHECK(*meta == fixture_meta());
  }

  // Run once by hand (proto/testdata/records/README.md); the bytes are then committed and never
  // rewritten, since the point is to keep decoding what an old build wrote.
  TEST_CASE("write the fixtures when WEFT_WRITE_FIXTURES=1") {
    const char* flag = std::getenv("WEFT_WRITE_FIXTURES");
    if (flag == nullptr || std::string(flag) != "1") return;
    const auto write = [](const std::string& name, const std::string& bytes) {
      std::ofstream out(fixture_path(name), std::ios::binary | std::ios::trunc);
      out << bytes;
      REQUIRE_MESSAGE(out.good(), "cannot write " << fixture_path(name));
    };
    write("insert_op.bin", proto::encode(fixture_insert()));
    write("delete_op.bin", proto::encode(fixture_delete()));
    write("snapshot.bin", proto::encode(fixture_snapshot()));
    write("document_meta.bin", proto::encode(fixture_meta()));
  }

  TEST_CASE("truncated records never crash and are errors") {
    const std::vector<std::string> valid = {
        proto::encode(fixture_insert()), proto::encode(fixture_delete()),
        proto::encode(fixture_snapshot()), proto::encode(fixture_meta()),
        proto::encode(proto::SnapshotRecord{1, 9, 9, random_document(9)})};
    for (const std::string& bytes : valid) {
      for (std::size_t n = 0; n < bytes.size(); ++n) decode_all(bytes.substr(0, n));
    }
    // A prefix of an op record can still parse (fields end where they end), but never with an op
    // whose last field got cut: every proper prefix of these is an error.
    const std::string insert = proto::encode(fixture_insert());
    for (std::size_t n = 0; n < insert.size(); ++n)
      CHECK(!proto::decode_op_record(insert.substr(0, n)));
  }

  TEST_CASE("random bytes and bit flips never crash") {
    std::mt19937_64 rng(20240531);
    for (int i = 0; i < 20000; ++i) {
      std::string bytes(rng() % 48, '\0');
      for (char& c : bytes) c = static_cast<char>(rng());
      decode_all(bytes);
    }
    const std::vector<std::string> valid = {
        proto::encode(fixture_insert()), proto::encode(fixture_delete()),
        proto::encode(fixture_snapshot()), proto::encode(fixture_meta())};
    for (const std::string& original : valid) {
      for (std::size_t at = 0; at < original.size(); ++at) {
        for (int bit = 0; bit < 8; ++bit) {
          std::string bytes = original;
          bytes[at] = static_cast<char>(bytes[at] ^ (1 << bit));
          decode_all(bytes);
        }
      }
    }
  }
}
