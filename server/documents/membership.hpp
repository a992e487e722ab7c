// membership.hpp — Membership: who is in a document: its members (by connection), the joins
// being prepared, the replica table (who may author under which replica) and the presence board.
//
// A join is prepared first (its replica decided: the one it resumes with a valid token, else a
// new one, which changes the replica table) and admitted once the table is durable; admitting it
// takes the replica over from any member that had it. Pure state and rules: Document sends the
// frames and writes the table.
//
// Invariants (check_invariants()):
//   1. No two members share a replica; every member's replica is in the replica table.
//   2. The presence board holds states of members' replicas only.
//   3. A connection is a member or being prepared, never both, and never twice.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crdt/op.hpp"
#include "crdt/version_vector.hpp"
#include "proto/frame.hpp"
#include "proto/records.hpp"
#include "server/base/principal.hpp"
#include "server/documents/peer.hpp"
#include "server/documents/presence_board.hpp"
#include "server/documents/replica_table.hpp"

namespace weft::server::documents {

// A client's request to join, with what its token allows.
struct JoinRequest {
  std::uint64_t connection = 0;
  std::shared_ptr<Peer> peer;
  proto::Join join;
  base::Access access = base::Access::write;  // never none
  std::string user_id;
};

struct Member {
  std::shared_ptr<Peer> peer;
  crdt::ReplicaId replica = 0;
  std::string user_id;
  base::Access access = base::Access::write;  // read: ops refused with read_only
};

// A join whose replica is decided, waiting (at most) for the replica table to be durable.
struct PreparedJoin {
  JoinRequest request;
  crdt::ReplicaId replica = 0;
  proto::ResumeToken token{};
  bool reset = false;     // the client's epoch is not the document's: it starts over
  bool snapshot = false;  // fresh or reset: catch up with a snapshot
};

class Membership {
 public:
  // The document's replica table as stored.
  // `max_replicas`: the replica table's size at most (ServerConfig::max_replicas_per_document).
  explicit Membership(std::size_t max_replicas = 4096) : max_replicas_(max_replicas) {}

  void load(std::vector<proto::ReplicaEntry> replicas);

  // Decides the replica of `request` against the document's `epoch` and `version` (new replicas
  // go above every replica it names); a new replica that fills the table past max_replicas
  // evicts the oldest entries that no member or prepared join holds (ReplicaTable::evict). An
  // error frame for the joiner if it is refused.
  [[nodiscard]] std::optional<proto::Error> prepare(JoinRequest request, std::uint64_t epoch,
                                                    const crdt::VersionVector& version);
  [[nodiscard]] bool has_prepared() const { return !prepared_.empty(); }
  // True if a prepared join added a replica: write table() before admitting them.
  [[nodiscard]] bool table_changed() const { return table_changed_; }
  [[nodiscard]] const std::vector<proto::ReplicaEntry>& table() const { return table_.entries(); }
  // The prepared joins, in order; the table is taken as durable.
  [[nodiscard]] std::vector<PreparedJoin> take_prepared();

  // Makes the prepared joiner a member. Returns the members it took the replica from (they are
  // members no more; their presence is removed).
  [[nodiscard]] std::vector<Member> admit(const PreparedJoin& join);
  // Ends `connection`'s membership (its presence is removed). Its replica, if it was a member.
  std::optional<crdt::ReplicaId> remove(std::uint64_t connection);
  // Ends every membership and drops every prepared join; returns what was dropped.
  struct Dropped {
    std::vector<Member> members;
    std::vector<PreparedJoin> prepared;
  };
  [[nodiscard]] Dropped clear();

  [[nodiscard]] Member* find(std::uint64_t connection);
  // The member holding `replica` (at most one: invariant 1), if any. Linear in the members: for
  // the rare frames not addressed to the connection at hand.
  [[nodiscard]] const Member* find_replica(crdt::ReplicaId replica) const;
  [[nodiscard]] const std::map<std::uint64_t, Member>& members() const { return members_; }
  [[nodiscard]] PresenceBoard& presence() { return presence_; }

  void check_invariants() const;

 private:
  // The replicas of the members and of the prepared joins.
  [[nodiscard]] std::set<crdt::ReplicaId> held_replicas() const;

  std::size_t max_replicas_;
  ReplicaTable table_;
  bool table_changed_ = false;
  std::map<std::uint64_t, Member> members_;
  std::vector<PreparedJoin> prepared_;
  PresenceBoard presence_;
};

}  // namespace weft::server::documents
