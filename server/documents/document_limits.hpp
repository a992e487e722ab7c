// document_limits.hpp — the per-document limits of ServerLimits: what the replica is allowed to
// buffer, and the document size that max_document_bytes bounds (PROTOCOL.md §9).
//
// Document size: the UTF-8 bytes of every insert integrated into the document. When a document is
// loaded, the text of its deleted elements is no longer known (snapshots keep only live text), so
// it starts as the live text's UTF-8 bytes plus one byte per deleted element; every insert
// integrated afterwards adds its text's bytes. Deletes never lower it.
#pragma once
#include <cstdint>

#include "crdt/op.hpp"
#include "crdt/rga.hpp"
#include "proto/frame.hpp"

namespace weft::server::documents {

// The crdt limits of a document's replica: max_run and max_buffered_ops from `limits`.
[[nodiscard]] crdt::Limits replica_limits(const proto::ServerLimits& limits);

// The size of a freshly loaded replica (see above). O(document).
[[nodiscard]] std::uint64_t loaded_document_bytes(const crdt::Rga& rga);

// The bytes `op` adds to the document size if all of it is integrated: an insert's text, or 0.
[[nodiscard]] std::uint64_t inserted_bytes(const crdt::Op& op);

}  // namespace weft::server::documents
