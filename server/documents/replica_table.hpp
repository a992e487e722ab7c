// replica_table.hpp — who may author under which replica of a document (DocumentMeta.replicas).
//
// A new member gets replica max + 1 (starting at 1) and a 16-byte random resume token; only the
// token's SHA-256 is stored (ReplicaEntry::resume_hash), and presented tokens are compared in
// constant time. Invariant: entries ascending by replica, no replica twice. The caller makes the
// table durable (OpStream::update_meta) before it tells a client about a new replica.
#pragma once
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

// A random document epoch in [1, 2^53).
[[nodiscard]] std::uint64_t random_epoch();

}  // namespace weft::server::documents
