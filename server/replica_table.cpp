// replica_table.cpp — ReplicaTable: assignment, tokens, verification.
#include "server/replica_table.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace weft::server {
namespace {

void random_bytes(unsigned char* out, int n) {
  if (RAND_bytes(out, n) != 1) {
    std::fputs("weft-server: RAND_bytes failed\n", stderr);
    std::abort();
  }
}

}  // namespace

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
  const std::string hash = hash_token(token);
  if (it->resume_hash.size() != hash.size()) return false;
  return CRYPTO_memcmp(it->resume_hash.data(), hash.data(), hash.size()) == 0;
}

proto::ResumeToken ReplicaTable::random_token() {
  proto::ResumeToken token{};
  random_bytes(token.data(), static_cast<int>(token.size()));
  return token;
}

std::string ReplicaTable::hash_token(const proto::ResumeToken& token) {
  std::string hash(SHA256_DIGEST_LENGTH, '\0');
  SHA256(token.data(), token.size(), reinterpret_cast<unsigned char*>(hash.data()));
  return hash;
}

std::uint64_t random_epoch() {
  std::uint64_t value = 0;
  unsigned char bytes[8];
  random_bytes(bytes, sizeof bytes);
  for (const unsigned char b : bytes) value = (value << 8) | b;
  value &= crdt::id_limit - 1;
  return value == 0 ? 1 : value;
}

}  // namespace weft::server
