// op_log_chunk_test.cpp — proto::encode_chunk / decode_chunk: exact round trips, the committed
// chunk fixture, validation, and hostile bytes.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "crdt/rga.hpp"
#include "proto/records.hpp"

using namespace weft;
using proto::Errc;

namespace {

using Records = std::vector<proto::OpRecord>;

// The records proto/testdata/records/op_log_chunk.bin holds, written out literally: typing by
// replica 3 (one emoji), a second user's replica 2 inserting at ROOT and after replica 3's text,
// and a delete with two targets.
Records fixture_chunk() {
  return {
      {100, 1700000000000000, "alice@example.com", crdt::InsertOp{3, 0, 1, crdt::root_id, "h"}},
      {101, 1700000000001000, "alice@example.com", crdt::InsertOp{3, 1, 2, crdt::Id{3, 0}, "i"}},
      {102, 1700000000002500, "alice@example.com",
       crdt::InsertOp{3, 2, 3, crdt::Id{3, 1}, " \xF0\x9F\x91\x8B"}},
      {103, 1700000000001000, "bob", crdt::InsertOp{2, 0, 6, crdt::root_id, "\xC3\xA9"}},
      {104, 1700000000003000, "bob", crdt::InsertOp{2, 1, 7, crdt::Id{3, 3}, "!"}},
      {105, 1700000000004000, "alice@example.com",
       crdt::DeleteOp{3, 4, 8, {crdt::IdRange{3, 1, 1}, crdt::IdRange{2, 0, 2}}}},
  };
}

std::string fixture_path() {
  return std::string(WEFT_SOURCE_DIR) + "/proto/testdata/records/op_log_chunk.bin";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void check_round_trip(const Records& records) {
  const auto decoded = proto::decode_chunk(proto::encode_chunk(records));
  REQUIRE_MESSAGE(decoded, decoded.error().message());
  CHECK(*decoded == records);
}

// Three replicas (three users) editing at random and syncing now and then, logged in arrival
// order at one server, as a document's log would hold them.
Records random_log(std::uint64_t seed, std::uint64_t first_index) {
  std::mt19937_64 rng(seed);
  std::vector<crdt::Rga> replicas;
  for (crdt::ReplicaId r = 1; r <= 3; ++r) replicas.emplace_back(r * 1000);
  const std::vector<std::string> words = {"a", "\xC3\xA9t\xC3\xA9", "\xF0\x9F\x98\x80!", "xyz"};
  Records log;
  std::int64_t time = 1700000000000000;
  for (int step = 0; step < 400; ++step) {
    const std::size_t who = rng() % replicas.size();
    crdt::Rga& rga = replicas[who];
    Records::value_type record{first_index + log.size(),
                               time += static_cast<int>(rng() % 5000),
                               "user-" + std::to_string(who),
                               {}};
    if (rga.length() > 0 && rng() % 3 == 0) {
      const std::uint64_t pos = rng() % rga.length();
      auto op = rga.local_delete(pos, 1 + rng() % std::min<std::uint64_t>(4, rga.length() - pos));
      REQUIRE(op);
      record.op = std::move(*op);
    } else {
      auto op = rga.local_insert(rng() % (rga.length() + 1), words[rng() % words.size()]);
      REQUIRE(op);
      record.op = std::move(*op);
    }
    log.push_back(std::move(record));
    if (rng() % 8 == 0) {
      for (crdt::Rga& other : replicas) {
        for (const proto::OpRecord& r : log) static_cast<void>(other.apply_remote(r.op));
      }
    }
  }
  return log;
}

// Typing "abc..." by one replica, a millisecond apart: what the store mostly chunks.
Records typing(std::size_t n) {
  crdt::Rga rga{1};
  Records records;
  for (std::size_t i = 0; i < n; ++i) {
    const char ch = static_cast<char>('a' + i % 26);
    auto op = rga.local_insert(i, std::string_view{&ch, 1});
    REQUIRE(op);
    records.push_back({i, static_cast<std::int64_t>(i) * 1000, "typist", std::move(*op)});
  }
  return records;
}

}  // namespace

TEST_SUITE("op log chunks") {
  TEST_CASE("a chunk round trips exactly: emoji, deletes, two users, mixed replicas") {
    check_round_trip(fixture_chunk());
  }

  TEST_CASE("an empty chunk and a single record round trip") {
    check_round_trip({});
    check_round_trip({fixture_chunk()[2]});
    check_round_trip({fixture_chunk()[5]});
  }

  TEST_CASE("random multi-replica logs round trip") {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) check_round_trip(random_log(seed, seed * 77));
  }

  TEST_CASE("edge values round trip: ids at the limit, negative and decreasing times") {
    const std::uint64_t top = crdt::id_limit - 1;
    check_round_trip({
        {UINT64_MAX - 2, -5, "", crdt::InsertOp{top, top - 1, top, crdt::Id{top, top - 2}, "x"}},
        {UINT64_MAX - 1, INT64_MIN, "", crdt::InsertOp{1, 0, top, crdt::root_id, "y"}},
        {UINT64_MAX, INT64_MAX, "z", crdt::DeleteOp{2, 0, 1, {crdt::IdRange{1, 0, 1}}}},
    });
  }

  TEST_CASE("typing costs a few bytes per record") {
    const Records records = typing(512);
    check_round_trip(records);
    CHECK(proto::encode_chunk(records).size() < 512 * 8);
  }

  TEST_CASE("the committed op_log_chunk.bin still decodes (fixture written by an older build)") {
    const auto decoded = proto::decode_chunk(read_file(fixture_path()));
    REQUIRE_MESSAGE(decoded, decoded.error().message());
    CHECK(*decoded == fixture_chunk());
  }

  // Run once by hand (proto/testdata/records/README.md); the bytes are then never rewritten.
  TEST_CASE("write the chunk fixture when WEFT_WRITE_FIXTURES=1") {
    const char* flag = std::getenv("WEFT_WRITE_FIXTURES");
    if (flag == nullptr || std::string(flag) != "1") return;
    std::ofstream out(fixture_path(), std::ios::binary | std::ios::trunc);
    out << proto::encode_chunk(fixture_chunk());
    REQUIRE_MESSAGE(out.good(), "cannot write " << fixture_path());
  }

  TEST_CASE("records that decode_op_record refuses are refused inside a chunk too") {
    Records bad = fixture_chunk();
    // A cut code point, built as std::string(1, c): assigning the one-char literal "\xC3" trips
    // GCC 12's bogus -Wrestrict at -O3 (https://gcc.gnu.org/bugzilla/show_bug.cgi?id=105329).
    std::get<crdt::InsertOp>(bad[1].op).text = std::string(1, '\xC3');
    CHECK(proto::decode_chunk(proto::encode_chunk(bad)).error() == Errc::bad_utf8);
    Records zero_lamport = {fixture_chunk()[3]};
    std::get<crdt::InsertOp>(zero_lamport[0].op).lamport = 0;
    CHECK(proto::decode_chunk(proto::encode_chunk(zero_lamport)).error() == Errc::bad_field);
    Records self_target = {fixture_chunk()[5]};
    std::get<crdt::DeleteOp>(self_target[0].op).targets[0] = crdt::IdRange{3, 4, 1};
    CHECK(proto::decode_chunk(proto::encode_chunk(self_target)).error() == Errc::bad_field);
    Records bad_user = {fixture_chunk()[0]};
    bad_user[0].user_id = "\xFF";
    CHECK(proto::decode_chunk(proto::encode_chunk(bad_user)).error() == Errc::bad_utf8);
  }

  TEST_CASE("other records' bytes are not chunks") {
    CHECK(proto::decode_chunk("\x0A").error() == Errc::malformed);
    const std::string op = proto::encode(fixture_chunk()[0]);
    const auto as_chunk = proto::decode_chunk(op);
    if (as_chunk) CHECK(as_chunk->empty());  // field numbers may overlap; it must not crash
  }

  TEST_CASE("prefixes, bit flips and random bytes never crash; accepted chunks re-encode") {
    const std::vector<std::string> valid = {proto::encode_chunk(fixture_chunk()),
                                            proto::encode_chunk(random_log(9, 3))};
    const auto probe = [](const std::string& bytes) {
      if (const auto r = proto::decode_chunk(bytes)) {
        CHECK(proto::decode_chunk(proto::encode_chunk(*r)) == r);
      }
    };
    for (const std::string& bytes : valid) {
      for (std::size_t n = 0; n < bytes.size(); ++n) probe(bytes.substr(0, n));
    }
    const std::string& small = valid[0];
    for (std::size_t at = 0; at < small.size(); ++at) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string bytes = small;
        bytes[at] = static_cast<char>(bytes[at] ^ (1 << bit));
        probe(bytes);
      }
    }
    std::mt19937_64 rng(20261126);
    for (int i = 0; i < 20000; ++i) {
      std::string bytes(rng() % 64, '\0');
      for (char& c : bytes) c = static_cast<char>(rng());
      probe(bytes);
    }
  }
}
