// commit_pipeline.hpp — CommitPipeline: a document's replica and the path every op takes to
// durability: integrated into the current batch at once, the batch appended as one store write
// (at most one in flight), then acknowledged to its authors and relayed to the other members.
//
// Pure state and rules: no strand, no store, no frames sent. Document drives it (integrate on an
// ops event, start when idle, complete when the append is durable) and does the I/O.
//
// Invariants (check_invariants()):
//   1. At most one append in flight; the batch is integrated after it (indexes follow on).
//   2. next_index() = the durable log's length + the in-flight records + the batch's records.
//   3. With no append in flight and an empty batch, rga().version() equals durable() (ops
//      buffered inside the Rga, waiting for their causes, are never acked or relayed).
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crdt/rga.hpp"
#include "proto/frame.hpp"
#include "proto/records.hpp"

namespace weft::server::documents {

class CommitPipeline {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Who sent an ops frame: the member's connection, replica and user id.
  struct Author {
    std::uint64_t connection = 0;
    crdt::ReplicaId replica = 0;
    std::string user_id;
  };
  // A refusal for the author of a buffered op that was rejected when another op released it:
  // that author may be another member than the one whose frame did it.
  struct DroppedError {
    crdt::ReplicaId replica = 0;
    proto::Error error;
  };
  // What integrating one ops frame did: ops new to the document, ops refused (each with the
  // error frame its author is sent, in op order), buffered ops it released and then refused.
  struct Integrated {
    std::uint64_t applied = 0;
    std::uint64_t rejected = 0;
    std::vector<proto::Error> errors;
    std::vector<DroppedError> dropped;
  };
  // A batch that is durable: ack the members holding `replicas` (every replica with a record in
  // it, so an op released by another's arrival is acked with that op) and `authors`
  // (connections whose frames held applied or duplicate ops: a duplicate is acked again), relay
  // `records` to everyone else.
  struct Completed {
    std::vector<proto::OpRecord> records;
    std::set<std::uint64_t> authors;
    std::set<crdt::ReplicaId> replicas;
    std::vector<TimePoint> received;  // arrival of each acked ops frame (the ack latency metric)
  };

  // An empty document (no log): the crdt limits of its replica.
  explicit CommitPipeline(crdt::Limits limits);

  // The document as loaded: `rga` holds exactly the durable log of `next_index` records.
  void load(crdt::Rga rga, std::uint64_t next_index);

  // Integrates ops frame `ops` of document `doc` by `author` into the current batch. Ops authored
  // under another replica, ops beyond max_document_ops (document_limits.hpp), or inserts that
  // would grow the document past `max_document_bytes`, are refused; the others are applied,
  // buffered or found duplicate. An applied or duplicate op is acked when the batch completes; a
  // buffered one is not acked now but with the batch that integrates it (PROTOCOL.md §5.8).
  // Requires: !appending().
  [[nodiscard]] Integrated integrate(const Author& author, const proto::Ops& ops,
                                     TimePoint received, std::uint64_t max_document_bytes);

  [[nodiscard]] bool has_batch() const {
    return !batch_.records.empty() || !batch_.authors.empty();
  }
  [[nodiscard]] bool appending() const { return appending_; }

  // Puts the batch in flight. A batch without records (duplicates, buffered ops) needs no write:
  // it is complete at once and returned. Otherwise nullopt: append in_flight(), then complete().
  // Requires: has_batch(), !appending().
  [[nodiscard]] std::optional<Completed> start();
  // The records of the append in flight. Requires: appending().
  [[nodiscard]] const std::vector<proto::OpRecord>& in_flight() const { return in_flight_.records; }
  // The append in flight is durable. Requires: appending().
  [[nodiscard]] Completed complete();
  // The append failed: the replica holds ops that are not durable; everything is dropped and the
  // pipeline must not be used again (the document fails).
  void fail();

  [[nodiscard]] const crdt::Rga& rga() const { return rga_; }
  // What the store holds: acks and catch-up never go past it.
  [[nodiscard]] const crdt::VersionVector& durable() const { return durable_; }
  // The log index the next integrated record gets.
  [[nodiscard]] std::uint64_t next_index() const { return next_index_; }
  // The size max_document_bytes bounds (document_limits.hpp).
  [[nodiscard]] std::uint64_t document_bytes() const { return document_bytes_; }

  // Aborts (WEFT_CHECK-style, with a message) if an invariant above is broken.
  void check_invariants() const;

 private:
  struct Batch {
    std::vector<proto::OpRecord> records;
    std::set<std::uint64_t> authors;
    std::set<crdt::ReplicaId> replicas;
    std::vector<TimePoint> received;
  };

  crdt::Rga rga_;
  std::uint64_t document_bytes_ = 0;
  crdt::VersionVector durable_;
  std::uint64_t durable_index_ = 0;  // records in the store
  std::uint64_t next_index_ = 0;
  Batch batch_;
  bool appending_ = false;
  Batch in_flight_;
  crdt::VersionVector in_flight_version_;  // rga_'s version when the append started
};

}  // namespace weft::server::documents
