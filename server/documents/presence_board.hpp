// presence_board.hpp — the presence states of one document's members, and what changed since the
// last flush.
//
// Members send presence at any rate; the document keeps only the latest state per replica and
// relays the changes as one `presences` frame per tick (proto/PROTOCOL.md §5.10, §7.5).
// Invariant: every replica in changed_ is either in states_ (a new state) or was removed since
// the last take_changes() (relayed as a nil state). Pure data: no timers, no frames.
#pragma once
#include <map>
#include <set>
#include <vector>

#include "crdt/types.hpp"
#include "proto/frame.hpp"

namespace weft::server::documents {

class PresenceBoard {
 public:
  void set(crdt::ReplicaId replica, proto::PresenceState state);
  // The member left: others learn it as a nil state at the next flush. No-op if unknown.
  void remove(crdt::ReplicaId replica);
  // The entries changed since the last call (nil state = removed), ascending by replica; clears
  // the change set.
  [[nodiscard]] std::vector<proto::Presences::Entry> take_changes();
  [[nodiscard]] bool has_changes() const { return !changed_.empty(); }
  // Every current state, ascending by replica: what a member joining now is sent.
  [[nodiscard]] std::vector<proto::Presences::Entry> current() const;

 private:
  std::map<crdt::ReplicaId, proto::PresenceState> states_;
  std::set<crdt::ReplicaId> changed_;
};

}  // namespace weft::server::documents
