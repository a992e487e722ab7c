// records_validation_test.cpp — proto/records.hpp: every error a decoder reports, one case each.
//
// Invalid values are made with encode() (which does not validate) where the C++ value can say
// them; shapes it cannot say (no op, unequal columns) are written as raw Protobuf wire bytes.
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

#include <doctest/doctest.h>

#include "proto/records.hpp"

using namespace weft;
using proto::Errc;

namespace {

constexpr std::uint64_t limit = crdt::id_limit;
constexpr crdt::Id root = crdt::root_id;

template <class T>
std::error_code error_of(const proto::Result<T>& result) {
  return result ? std::error_code{} : result.error();
}

std::error_code op_error(const crdt::Op& op, std::string user_id = "u") {
  return error_of(
      proto::decode_op_record(proto::encode(proto::OpRecord{0, 0, std::move(user_id), op})));
}

std::error_code snapshot_error(const crdt::Snapshot& state, std::uint32_t algo = 1) {
  return error_of(
      proto::decode_snapshot_record(proto::encode(proto::SnapshotRecord{algo, 0, 0, state})));
}

std::error_code meta_error(const proto::DocumentMeta& meta) {
  return error_of(proto::decode_document_meta(proto::encode(meta)));
}

// Protobuf wire format, for shapes encode() cannot produce.
std::string varint(std::uint64_t v) {
  std::string out;
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>((v & 0x7F) | 0x80));
  out.push_back(static_cast<char>(v));
  return out;
}
std::string field(int number, std::uint64_t v) {
  return varint(static_cast<std::uint64_t>(number) << 3) + varint(v);
}
std::string field(int number, const std::string& bytes) {
  return varint((static_cast<std::uint64_t>(number) << 3) | 2) + varint(bytes.size()) + bytes;
}

// A snapshot with one deleted run (1, 0, lamport 1, len 1) whose replica index is `index`.
std::string one_run_snapshot(std::uint64_t index) {
  return field(1, 1) + field(4, 1) + field(5, varint(1)) + field(6, varint(1)) +
         field(7, varint(1)) + field(8, varint(index)) + field(9, varint(0)) +
         field(10, varint(2)) + field(11, varint(3));
}

crdt::Snapshot one_replica(crdt::Snapshot::ReplicaState r, crdt::Lamport clock) {
  crdt::Snapshot s;
  s.replicas = {r};
  s.clock = clock;
  return s;
}

}  // namespace

TEST_SUITE("records validation") {
  TEST_CASE("the error category names itself and every code") {
    CHECK(std::string(proto::category().name()) == "weft.proto");
    for (const Errc e :
         {Errc::malformed, Errc::bad_field, Errc::bad_utf8, Errc::unsupported_algo}) {
      const std::error_code ec = e;
      CHECK(ec.category() == proto::category());
      CHECK(ec.message().find("unknown") == std::string::npos);
    }
  }

  TEST_CASE("bytes that are not Protobuf are malformed") {
    CHECK(error_of(proto::decode_op_record("\xFF\xFF")) == Errc::malformed);
    CHECK(error_of(proto::decode_snapshot_record("\x08")) == Errc::malformed);
    CHECK(error_of(proto::decode_document_meta("\x0A\x05"
                                               "ab")) == Errc::malformed);
    CHECK(error_of(proto::decode_op_record(field(1, 3) + "\x2A\x09\x08")) == Errc::malformed);
  }

  TEST_CASE("an op record without an op is malformed") {
    CHECK(error_of(proto::decode_op_record("")) == Errc::malformed);
    CHECK(error_of(proto::decode_op_record(field(1, 5) + field(3, "u"))) == Errc::malformed);
  }

  TEST_CASE("author_replica must be the op's replica") {
    const std::string good =
        proto::encode(proto::OpRecord{0, 0, "u", crdt::InsertOp{2, 0, 1, root, "x"}});
    REQUIRE(proto::decode_op_record(good));
    CHECK(error_of(proto::decode_op_record(good + field(4, 3))) == Errc::bad_field);
  }

  TEST_CASE("insert ops out of the ranges of crdt/README.md §3 are bad fields") {
    CHECK(!op_error(crdt::InsertOp{1, limit - 1, limit - 1, root, "x"}));
    CHECK(op_error(crdt::InsertOp{0, 0, 1, root, "x"}) == Errc::bad_field);
    CHECK(op_error(crdt::InsertOp{limit, 0, 1, root, "x"}) == Errc::bad_field);
    CHECK(op_error(crdt::InsertOp{1, limit - 1, 1, root, "xy"}) == Errc::bad_field);
    CHECK(op_error(crdt::InsertOp{1, limit, 1, root, "x"}) == Errc::bad_field);
    CHECK(op_error(crdt::InsertOp{1, 0, 0, root, "x"}) == Errc::bad_field);
    CHECK(op_error(crdt::InsertOp{1, 0, limit - 1, root, "xy"}) == Errc::bad_field);
    CHECK(op_error(crdt::InsertOp{1, 0, 1, root, ""}) == Errc::bad_field);
    CHECK(op_error(crdt::InsertOp{1, 0, 1, crdt::Id{0, 4}, "x"}) == Errc::bad_field);
    CHECK(op_error(crdt::InsertOp{1, 0, 1, crdt::Id{limit, 0}, "x"}) == Errc::bad_field);
    CHECK(op_error(crdt::InsertOp{1, 0, 1, crdt::Id{2, limit}, "x"}) == Errc::bad_field);
    CHECK(op_error(crdt::InsertOp{1, 5, 9, crdt::Id{1, 5}, "x"}) == Errc::bad_field);
    CHECK(!op_error(crdt::InsertOp{1, 5, 9, crdt::Id{1, 4}, "x"}));
  }

  TEST_CASE("insert text and user ids must be UTF-8") {
    CHECK(op_error(crdt::InsertOp{1, 0, 1, root, "a\xC0\x80"}) == Errc::bad_utf8);
    CHECK(op_error(crdt::InsertOp{1, 0, 1, root, "\xED\xA0\x80"}) == Errc::bad_utf8);
    CHECK(op_error(crdt::InsertOp{1, 0, 1, root, "\xF0\x9F\x98"}) == Errc::bad_utf8);
    CHECK(op_error(crdt::InsertOp{1, 0, 1, root, "x"}, "\xFF") == Errc::bad_utf8);
    CHECK(op_error(crdt::DeleteOp{1, 1, 2, {{1, 0, 1}}}, "\x80") == Errc::bad_utf8);
  }

  TEST_CASE("delete ops out of range, empty or deleting themselves are bad fields") {
    CHECK(!op_error(crdt::DeleteOp{1, 3, 4, {{1, 0, 3}, {2, limit - 1, 1}}}));
    CHECK(op_error(crdt::DeleteOp{0, 3, 4, {{2, 0, 1}}}) == Errc::bad_field);
    CHECK(op_error(crdt::DeleteOp{1, 3, 4, {}}) == Errc::bad_field);
    CHECK(op_error(crdt::DeleteOp{1, 3, 4, {{2, 0, 0}}}) == Errc::bad_field);
    CHECK(op_error(crdt::DeleteOp{1, 3, 4, {{0, 0, 1}}}) == Errc::bad_field);
    CHECK(op_error(crdt::DeleteOp{1, 3, 4, {{2, limit - 1, 2}}}) == Errc::bad_field);
    CHECK(op_error(crdt::DeleteOp{1, 3, 4, {{1, 2, 2}}}) == Errc::bad_field);
    CHECK(op_error(crdt::DeleteOp{1, 3, 0, {{2, 0, 1}}}) == Errc::bad_field);
    CHECK(op_error(crdt::DeleteOp{1, limit - 1, 4, {{2, 0, 2}}}) == Errc::bad_field);
    CHECK(op_error(crdt::DeleteOp{1, 0, 4, {{2, 0, limit}, {2, 0, limit}}}) == Errc::bad_field);
  }

  TEST_CASE("delete target columns of different lengths are bad fields") {
    const std::string good =
        proto::encode(proto::OpRecord{0, 0, "u", crdt::DeleteOp{1, 1, 2, {{2, 0, 1}}}});
    REQUIRE(proto::decode_op_record(good));
    const std::string extra_len = field(6, field(6, varint(1)));  // merges into the delete op
    CHECK(error_of(proto::decode_op_record(good + extra_len)) == Errc::bad_field);
    const std::string extra_seq = field(6, field(5, varint(1)));
    CHECK(error_of(proto::decode_op_record(good + extra_seq)) == Errc::bad_field);
  }

  TEST_CASE("snapshots and documents of another algorithm are unsupported") {
    CHECK(snapshot_error({}, 2) == Errc::unsupported_algo);
    CHECK(snapshot_error({}, 0) == Errc::unsupported_algo);
    CHECK(meta_error({"d", 0, 0, 7, {}}) == Errc::unsupported_algo);
    CHECK(meta_error({"d", 0, 0, 0, {}}) == Errc::unsupported_algo);
  }

  TEST_CASE("snapshot columns of different lengths are bad fields") {
    const std::string good =
        proto::encode(proto::SnapshotRecord{1, 0, 0, one_replica({1, 1, 1}, 1)});
    REQUIRE(proto::decode_snapshot_record(good));
    CHECK(error_of(proto::decode_snapshot_record(good + field(6, varint(1)))) == Errc::bad_field);
    CHECK(error_of(proto::decode_snapshot_record(good + field(7, varint(1)))) == Errc::bad_field);
    CHECK(error_of(proto::decode_snapshot_record(good + field(5, varint(2)))) == Errc::bad_field);
    const std::string run = one_run_snapshot(0);
    REQUIRE(proto::decode_snapshot_record(run));
    for (int column = 8; column <= 11; ++column) {
      CHECK(error_of(proto::decode_snapshot_record(run + field(column, varint(0)))) ==
            Errc::bad_field);
    }
  }

  TEST_CASE("a run's replica index must be inside the replica table") {
    CHECK(error_of(proto::decode_snapshot_record(one_run_snapshot(1))) == Errc::bad_field);
    CHECK(error_of(proto::decode_snapshot_record(one_run_snapshot(0xFFFFFFFF))) == Errc::bad_field);
  }

  TEST_CASE("snapshot replica tables follow crdt/README.md §11.2") {
    CHECK(!snapshot_error(one_replica({limit - 1, limit, limit - 1}, limit - 1)));
    CHECK(snapshot_error(one_replica({1, 1, 1}, limit)) == Errc::bad_field);  // clock
    CHECK(snapshot_error(one_replica({0, 1, 1}, 1)) == Errc::bad_field);
    CHECK(snapshot_error(one_replica({limit, 1, 1}, 1)) == Errc::bad_field);
    CHECK(snapshot_error(one_replica({1, 0, 1}, 1)) == Errc::bad_field);
    CHECK(snapshot_error(one_replica({1, limit + 1, 1}, 1)) == Errc::bad_field);
    CHECK(snapshot_error(one_replica({1, 1, 2}, 1)) == Errc::bad_field);  // last_lamport > clock
    crdt::Snapshot twice = one_replica({2, 1, 1}, 1);
    twice.replicas.push_back({2, 1, 1});
    CHECK(snapshot_error(twice) == Errc::bad_field);
    crdt::Snapshot descending = one_replica({2, 1, 1}, 1);
    descending.replicas.push_back({1, 1, 1});
    CHECK(snapshot_error(descending) == Errc::bad_field);
  }

  TEST_CASE("snapshot runs stay within their replica's counters") {
    // Replica 1 made seqs 0..4 with lamports up to 9; the clock is 10.
    crdt::Snapshot s = one_replica({1, 5, 9}, 10);
    const auto with_run = [&s](crdt::ElementRun run, std::string text) {
      crdt::Snapshot copy = s;
      copy.runs = {run};
      copy.text = std::move(text);
      return snapshot_error(copy);
    };
    CHECK(!with_run({1, 0, 5, 5, false}, "abcde"));
    CHECK(!with_run({1, 4, 9, 1, true}, ""));
    CHECK(with_run({1, 0, 1, 0, true}, "") == Errc::bad_field);   // empty run
    CHECK(with_run({1, 3, 5, 3, true}, "") == Errc::bad_field);   // seq + len > next_seq
    CHECK(with_run({1, 0, 0, 1, true}, "") == Errc::bad_field);   // lamport 0
    CHECK(with_run({1, 0, 8, 3, true}, "") == Errc::bad_field);   // beyond last_lamport
    CHECK(with_run({1, 0, 10, 1, true}, "") == Errc::bad_field);  // beyond last_lamport
  }

  TEST_CASE("snapshot text is UTF-8 with one code point per live element") {
    crdt::Snapshot s = one_replica({1, 2, 2}, 2);
    s.runs = {{1, 0, 1, 2, false}};
    s.text = std::string("\xF0\x9F\x91\x8B\xC3\xA9");
    CHECK(!snapshot_error(s));
    s.text = std::string("\xF0\x9F\x91\x8B");
    CHECK(snapshot_error(s) == Errc::bad_field);
    s.text = std::string("abc");
    CHECK(snapshot_error(s) == Errc::bad_field);
    s.text = std::string("a\xFF");
    CHECK(snapshot_error(s) == Errc::bad_utf8);
    s.runs[0].deleted = true;
    s.text = std::string("a");
    CHECK(snapshot_error(s) == Errc::bad_field);
  }

  TEST_CASE("document ids, user ids and display names must be UTF-8") {
    CHECK(!meta_error({"\xE2\x9C\x93", 0, 0, 1, {{1, "\xC3\xA9", "\xF0\x9F\x8E\xB8", 0, ""}}}));
    CHECK(meta_error({"d\xFF", 0, 0, 1, {}}) == Errc::bad_utf8);
    CHECK(meta_error({"d", 0, 0, 1, {{1, "\xC3", "n", 0, ""}}}) == Errc::bad_utf8);
    CHECK(meta_error({"d", 0, 0, 1, {{1, "u", "\xED\xBF\xBF", 0, ""}}}) == Errc::bad_utf8);
  }

  TEST_CASE("document replica tables are ascending replica ids in range") {
    CHECK(meta_error({"d", 0, 0, 1, {{0, "u", "n", 0, ""}}}) == Errc::bad_field);
    CHECK(meta_error({"d", 0, 0, 1, {{limit, "u", "n", 0, ""}}}) == Errc::bad_field);
    CHECK(meta_error({"d", 0, 0, 1, {{2, "u", "n", 0, ""}, {2, "v", "m", 0, ""}}}) ==
          Errc::bad_field);
    CHECK(meta_error({"d", 0, 0, 1, {{3, "u", "n", 0, ""}, {2, "v", "m", 0, ""}}}) ==
          Errc::bad_field);
  }

  TEST_CASE("a replica's resume hash is empty or a 32-byte SHA-256") {
    CHECK(!meta_error({"d", 0, 0, 1, {{1, "u", "n", 0, std::string(32, 'h')}}}));
    CHECK(meta_error({"d", 0, 0, 1, {{1, "u", "n", 0, std::string(31, 'h')}}}) == Errc::bad_field);
    CHECK(meta_error({"d", 0, 0, 1, {{1, "u", "n", 0, std::string(33, 'h')}}}) == Errc::bad_field);
  }
}
