// replica_table.hpp — who may author under which replica of a document (DocumentMeta.replicas).
//
// A new member gets replica max + 1 (starting at 1) and a 16-byte random resume token; only the
// token's SHA-256 is stored (ReplicaEntry::resume_hash), and presented tokens are compared in
// constant time. Invariant: entries ascending by replica, no replica twice. The caller makes the
// table durable (OpStream::update_meta) before it tells a client about a new replica.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "crdt/types.hpp"
#include "proto/frame.hpp"
#include "proto/records.hpp"

namespace weft::server::documents {

class ReplicaTable {
 public:
  struct Assigned {
    crdt::ReplicaId replica = 0;
    proto::ResumeToken token{};
  };

  ReplicaTable() = default;
  explicit ReplicaTable(std::vector<proto::ReplicaEntry> entries);

  // Adds a replica above every one in the table and above `at_least_above` (e.g. the highest
  // replica the document's ops name, in case the table lost some).
  [[nodiscard]] Assigned assign(std::string user_id, std::int64_t now_us,
                                crdt::ReplicaId at_least_above = 0);
  // Removes the oldest entries (by first seen, then replica) until at most `max_entries` are left,
  // but never the highest replica (new replicas go above it, so no replica id is ever given out
  // twice) nor one for which `keep` holds (members, joins being prepared). An evicted replica can
  // no longer be resumed: its client gets a new replica (PROTOCOL.md §7.2). Returns how many it
  // removed.
  template <class Keep>
  std::size_t evict(std::size_t max_entries, Keep keep);
  // True if `token` is the resume token of `replica`.
  [[nodiscard]] bool verify(crdt::ReplicaId replica, const proto::ResumeToken& token) const;
  [[nodiscard]] const std::vector<proto::ReplicaEntry>& entries() const { return entries_; }

  // 16 bytes from OpenSSL's CSPRNG (aborts if it cannot deliver: a predictable token is worse).
  [[nodiscard]] static proto::ResumeToken random_token();
  // SHA-256 of the token, 32 bytes.
  [[nodiscard]] static std::string hash_token(const proto::ResumeToken& token);

 private:
  std::vector<proto::ReplicaEntry> entries_;
};

template <class Keep>
std::size_t ReplicaTable::evict(std::size_t max_entries, Keep keep) {
  if (entries_.size() <= max_entries) return 0;
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i + 1 < entries_.size(); ++i) {
    if (!keep(entries_[i].replica)) candidates.push_back(i);
  }
  const std::size_t excess = std::min(entries_.size() - max_entries, candidates.size());
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(excess),
                    candidates.end(), [&](std::size_t a, std::size_t b) {
                      const proto::ReplicaEntry& x = entries_[a];
                      const proto::ReplicaEntry& y = entries_[b];
                      return x.first_seen_us != y.first_seen_us ? x.first_seen_us < y.first_seen_us
                                                                : x.replica < y.replica;
                    });
  std::vector<bool> evicted(entries_.size(), false);
  for (std::size_t k = 0; k < excess; ++k) evicted[candidates[k]] = true;
  std::size_t out = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (evicted[i]) continue;
    if (out != i) entries_[out] = std::move(entries_[i]);
    ++out;
  }
  entries_.resize(out);
  return excess;
}

// A random document epoch in [1, 2^53).
[[nodiscard]] std::uint64_t random_epoch();

}  // namespace weft::server::documents
