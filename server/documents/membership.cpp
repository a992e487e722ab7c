// membership.cpp — Membership: preparing and admitting joins, takeovers, leaving.
#include "server/documents/membership.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "proto/error_frame.hpp"
#include "server/base/check.hpp"
#include "server/base/clock.hpp"

namespace weft::server::documents {
namespace {

// The highest replica the version vector names (new replicas go above it).
crdt::ReplicaId top_replica(const crdt::VersionVector& vv) {
  return vv.empty() ? 0 : vv.entries().back().replica;
}

}  // namespace

void Membership::load(std::vector<proto::ReplicaEntry> replicas) {
  table_ = ReplicaTable(std::move(replicas));
}

std::optional<proto::Error> Membership::prepare(JoinRequest request, std::uint64_t epoch,
                                                const crdt::VersionVector& version) {
  const proto::Join& join = request.join;
  const auto same_connection = [&](const PreparedJoin& p) {
    return p.request.connection == request.connection;
  };
  if (members_.contains(request.connection) || std::ranges::any_of(prepared_, same_connection)) {
    return proto::make_error(proto::ErrorCode::already_joined, "already joined", join.doc);
  }
  if (!join.epoch && !join.version.empty()) {
    return proto::make_error(proto::ErrorCode::malformed_frame,
                             "join: a version vector without an epoch", join.doc);
  }
  PreparedJoin prepared;
  prepared.reset = join.epoch && *join.epoch != epoch;
  prepared.snapshot = !join.epoch || prepared.reset;
  const bool resume = join.epoch && !prepared.reset && join.replica && join.token &&
                      table_.verify(*join.replica, *join.token);
  if (resume) {
    prepared.replica = *join.replica;
    prepared.token = *join.token;
  } else {
    const auto assigned = table_.assign(request.user_id, base::now_us(), top_replica(version));
    prepared.replica = assigned.replica;
    prepared.token = assigned.token;
    table_changed_ = true;
    if (table_.entries().size() > max_replicas_) {
      const std::set<crdt::ReplicaId> held = held_replicas();
      (void)table_.evict(max_replicas_, [&](crdt::ReplicaId r) { return held.contains(r); });
    }
  }
  prepared.request = std::move(request);
  prepared_.push_back(std::move(prepared));
  return std::nullopt;
}

std::set<crdt::ReplicaId> Membership::held_replicas() const {
  std::set<crdt::ReplicaId> held;
  for (const auto& [connection, member] : members_) held.insert(member.replica);
  for (const PreparedJoin& join : prepared_) held.insert(join.replica);
  return held;
}

std::vector<PreparedJoin> Membership::take_prepared() {
  table_changed_ = false;
  return std::exchange(prepared_, {});
}

std::vector<Member> Membership::admit(const PreparedJoin& join) {
  std::vector<Member> taken;
  for (auto it = members_.begin(); it != members_.end();) {
    if (it->second.replica != join.replica) {
      ++it;
      continue;
    }
    taken.push_back(std::move(it->second));
    it = members_.erase(it);
    presence_.remove(join.replica);
  }
  const JoinRequest& request = join.request;
  members_[request.connection] =
      Member{request.peer, join.replica, request.user_id, request.access};
  return taken;
}

std::optional<crdt::ReplicaId> Membership::remove(std::uint64_t connection) {
  const auto it = members_.find(connection);
  if (it == members_.end()) return std::nullopt;
  const crdt::ReplicaId replica = it->second.replica;
  members_.erase(it);
  presence_.remove(replica);
  return replica;
}

Membership::Dropped Membership::clear() {
  Dropped dropped;
  for (auto& [connection, member] : std::exchange(members_, {})) {
    presence_.remove(member.replica);
    dropped.members.push_back(std::move(member));
  }
  dropped.prepared = std::exchange(prepared_, {});
  table_changed_ = false;
  return dropped;
}

Member* Membership::find(std::uint64_t connection) {
  const auto it = members_.find(connection);
  return it == members_.end() ? nullptr : &it->second;
}

const Member* Membership::find_replica(crdt::ReplicaId replica) const {
  for (const auto& [connection, member] : members_) {
    if (member.replica == replica) return &member;
  }
  return nullptr;
}

void Membership::check_invariants() const {
  std::set<crdt::ReplicaId> replicas;
  for (const auto& [connection, member] : members_) {
    const crdt::ReplicaId replica = member.replica;
    WEFT_CHECK(replicas.insert(replica).second, "1: no two members share a replica");
    WEFT_CHECK(std::ranges::any_of(
                   table_.entries(),
                   [replica](const proto::ReplicaEntry& e) { return e.replica == replica; }),
               "1: a member's replica is in the replica table");
    WEFT_CHECK(member.access != base::Access::none, "a member has some access");
  }
  for (const auto& entry : presence_.current()) {
    WEFT_CHECK(replicas.contains(entry.replica), "2: presence of members only");
  }
  std::set<std::uint64_t> joining;
  for (const PreparedJoin& join : prepared_) {
    WEFT_CHECK(!members_.contains(join.request.connection), "3: a member is not also joining");
    WEFT_CHECK(joining.insert(join.request.connection).second, "3: one prepared join each");
  }
}

}  // namespace weft::server::documents
