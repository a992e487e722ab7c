// presence_board.cpp — PresenceBoard.
#include "server/documents/presence_board.hpp"

#include <utility>

namespace weft::server::documents {

void PresenceBoard::set(crdt::ReplicaId replica, proto::PresenceState state) {
  auto [it, inserted] = states_.try_emplace(replica, state);
  if (!inserted) {
    if (it->second == state) return;
    it->second = std::move(state);
  }
  changed_.insert(replica);
}

void PresenceBoard::remove(crdt::ReplicaId replica) {
  if (states_.erase(replica) > 0) changed_.insert(replica);
}

std::vector<proto::Presences::Entry> PresenceBoard::take_changes() {
  std::vector<proto::Presences::Entry> entries;
  entries.reserve(changed_.size());
  for (const crdt::ReplicaId replica : changed_) {
    const auto it = states_.find(replica);
    entries.push_back({replica, it == states_.end()
                                    ? std::nullopt
                                    : std::optional<proto::PresenceState>(it->second)});
  }
  changed_.clear();
  return entries;
}

std::vector<proto::Presences::Entry> PresenceBoard::current() const {
  std::vector<proto::Presences::Entry> entries;
  entries.reserve(states_.size());
  for (const auto& [replica, state] : states_) entries.push_back({replica, state});
  return entries;
}

}  // namespace weft::server::documents
