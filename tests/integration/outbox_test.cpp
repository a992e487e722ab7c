// outbox_test.cpp — client::Outbox on its own, without a server: what waits, what is in flight,
// and what an ack, a refusal, a reconnect or a reset does to them.
#include "client/outbox.hpp"

#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace weft::client {
namespace {

constexpr crdt::ReplicaId me = 7;

// An insert of `text` (ASCII: one seq per byte) by `me` at `seq`.
crdt::Op insert(crdt::Seq seq, const std::string& text) {
  return crdt::InsertOp{me, seq, seq + 1, crdt::root_id, text};
}

// A delete by `me` at `seq` of `targets` one-element ranges.
crdt::Op erase(crdt::Seq seq, std::size_t targets) {
  crdt::DeleteOp op{me, seq, seq + 1, {}};
  for (std::size_t i = 0; i < targets; ++i) op.targets.push_back({1, i, 1});
  return op;
}

// The seqs of `ops`, e.g. "0 3 5".
std::string seqs(const std::vector<crdt::Op>& ops) {
  std::string out;
  for (const crdt::Op& op : ops) {
    if (!out.empty()) out += ' ';
    out += std::to_string(crdt::op_seq(op));
  }
  return out;
}

// The outbox's ops by seq, those in flight before a bar and those waiting after it: "0 3 | 5".
std::string dump(const Outbox& outbox) {
  const std::vector<crdt::Op> ops(outbox.ops().begin(), outbox.ops().end());
  const auto split = ops.begin() + static_cast<std::ptrdiff_t>(outbox.in_flight());
  const std::string sent = seqs(std::vector<crdt::Op>(ops.begin(), split));
  const std::string waiting = seqs(std::vector<crdt::Op>(split, ops.end()));
  return sent + (sent.empty() ? "| " : " | ") + waiting;
}

// An outbox holding inserts at seqs 0 ("abc"), 3 ("de") and 5 ("f"), none sent.
Outbox three_inserts() {
  Outbox outbox;
  outbox.push(insert(0, "abc"));
  outbox.push(insert(3, "de"));
  outbox.push(insert(5, "f"));
  return outbox;
}

constexpr std::uint64_t no_byte_limit = 1U << 20U;

}  // namespace

TEST_SUITE("client::Outbox") {
  TEST_CASE("a pushed op waits to be sent") {
    Outbox outbox;
    outbox.push(insert(0, "a"));
    CHECK(outbox.has_waiting());
    CHECK(outbox.size() == 1);
    CHECK(dump(outbox) == "| 0");
  }

  TEST_CASE("a frame takes the waiting ops oldest first and puts them in flight") {
    Outbox outbox = three_inserts();
    CHECK(seqs(outbox.take_frame(10, no_byte_limit)) == "0 3 5");
    CHECK(dump(outbox) == "0 3 5 | ");
    CHECK_FALSE(outbox.has_waiting());
    CHECK(outbox.take_frame(10, no_byte_limit).empty());
  }

  TEST_CASE("a frame holds at most max_ops ops") {
    Outbox outbox = three_inserts();
    CHECK(seqs(outbox.take_frame(2, no_byte_limit)) == "0 3");
    CHECK(seqs(outbox.take_frame(2, no_byte_limit)) == "5");
  }

  TEST_CASE("a frame stops before max_bytes, but holds at least one op") {
    Outbox outbox;
    outbox.push(insert(0, std::string(100, 'x')));  // about 164 bytes on the wire
    outbox.push(insert(100, "y"));                  // about 65
    outbox.push(erase(101, 3));                     // about 154
    CHECK(seqs(outbox.take_frame(10, 50)) == "0");
    CHECK(seqs(outbox.take_frame(10, 250)) == "100 101");
  }

  TEST_CASE("an ack drops the ops it covers, in flight or not") {
    Outbox outbox = three_inserts();
    (void)outbox.take_frame(1, no_byte_limit);
    outbox.acknowledge(5);
    CHECK(dump(outbox) == "| 5");
    CHECK(outbox.acked() == 5);
  }

  TEST_CASE("an ack that covers part of an op keeps the op") {
    Outbox outbox = three_inserts();
    outbox.acknowledge(2);
    CHECK(dump(outbox) == "| 0 3 5");
  }

  TEST_CASE("an older ack changes nothing") {
    Outbox outbox = three_inserts();
    outbox.acknowledge(3);
    outbox.acknowledge(1);
    CHECK(outbox.acked() == 3);
    CHECK(dump(outbox) == "| 3 5");
  }

  TEST_CASE("a refused frame goes back to waiting with every op sent after it") {
    Outbox outbox = three_inserts();
    (void)outbox.take_frame(1, no_byte_limit);
    (void)outbox.take_frame(1, no_byte_limit);
    (void)outbox.take_frame(1, no_byte_limit);
    outbox.refused({me, 3});
    CHECK(dump(outbox) == "0 | 3 5");
    CHECK(seqs(outbox.take_frame(10, no_byte_limit)) == "3 5");
  }

  TEST_CASE("a refusal of an op that is not in flight changes nothing") {
    Outbox outbox = three_inserts();
    (void)outbox.take_frame(1, no_byte_limit);
    outbox.refused({me, 3});      // waiting, not sent
    outbox.refused({me + 1, 0});  // another replica's
    CHECK(dump(outbox) == "0 | 3 5");
  }

  TEST_CASE("after a reconnect every op waits to be sent again") {
    Outbox outbox = three_inserts();
    (void)outbox.take_frame(10, no_byte_limit);
    outbox.resend_all();
    CHECK(dump(outbox) == "| 0 3 5");
  }

  TEST_CASE("abandoning the replica drops its ops and its acknowledged seq") {
    Outbox outbox = three_inserts();
    outbox.acknowledge(3);
    CHECK(outbox.abandon() == 2);
    CHECK(outbox.empty());
    CHECK(outbox.acked() == 0);
    // The next replica counts from seq 0: its first op is not taken for acknowledged.
    outbox.push(insert(0, "new"));
    outbox.acknowledge(0);
    CHECK(dump(outbox) == "| 0");
  }
}

}  // namespace weft::client
