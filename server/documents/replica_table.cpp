// replica_table.cpp — ReplicaTable: assignment, tokens, verification.
#include "server/documents/replica_table.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "server/base/sha256.hpp"

namespace weft::server::documents {

ReplicaTable::ReplicaTable(std::vector<proto::ReplicaEntry> entries)
    : entries_(std::move(entries)) {
  std::sort(entries_.begin(), entries_.end(),
            [](const auto& a, const auto& b) { return a.replica < b.replica; });
}

ReplicaTable::Assigned ReplicaTable::assign(std::string user_id, std::int64_t now_us,
                                            crdt::ReplicaId at_least_above) {
  crdt::ReplicaId top = at_least_above;
  if (!entries_.empty()) top = std::max(top, entries_.back().replica);
  Assigned assigned{top + 1, random_token()};
  proto::ReplicaEntry entry;
  entry.replica = assigned.replica;
  entry.user_id = std::move(user_id);
  entry.first_seen_us = now_us;
  entry.resume_hash = hash_token(assigned.token);
  entries_.push_back(std::move(entry));
  return assigned;
}

bool ReplicaTable::verify(crdt::ReplicaId replica, const proto::ResumeToken& token) const {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), replica,
                                   [](const auto& e, crdt::ReplicaId r) { return e.replica < r; });
  if (it == entries_.end() || it->replica != replica) return false;
  return base::constant_time_equal(it->resume_hash, hash_token(token));
}

proto::ResumeToken ReplicaTable::random_token() {
  proto::ResumeToken token{};
  base::random_bytes(token);
  return token;
}

std::string ReplicaTable::hash_token(const proto::ResumeToken& token) {
  const base::Sha256Digest digest = base::sha256(token);
  return std::string(digest.begin(), digest.end());
}

std::uint64_t random_epoch() {
  std::uint64_t value = 0;
  std::array<std::uint8_t, 8> bytes{};
  base::random_bytes(bytes);
  for (const unsigned char b : bytes) value = (value << 8) | b;
  value &= crdt::id_limit - 1;
  return value == 0 ? 1 : value;
}

}  // namespace weft::server::documents
