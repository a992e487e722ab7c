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

// Ops of one document at most (its log's records): far beyond any real document, it keeps the
// replica's capacity (crdt::detail::max_units LVs: an element each, a delete op at most one)
// out of reach on every path that rebuilds the document, from a snapshot or from the whole log,
// together with max_document_bytes (at most max_document_bytes_limit), so that what the server
// accepts always replays.
inline constexpr std::uint64_t max_document_ops = std::uint64_t{1} << 30;
inline constexpr std::uint64_t max_document_bytes_limit = std::uint64_t{1} << 30;

// The largest --max-run: crdt's default, which every client replica (C++ and JS) is built with, so
// a larger value would relay ops that they refuse. Every stored op was accepted under at most
// this, so a document is loaded with it whatever --max-run is now (loading_limits).
inline constexpr std::uint64_t max_run_limit = crdt::Limits{}.max_run;

// How many writers' buffer shares a document's pending-op buffer holds in all.
inline constexpr std::uint64_t buffer_shares = 8;

// The crdt limits of a document's replica: max_run from `limits`; each writer (replica) may have
// max_buffered_ops ops and 2^22 units waiting for their dependencies, the document
// buffer_shares times that in all, so one writer's junk is refused to that writer only.
[[nodiscard]] crdt::Limits replica_limits(const proto::ServerLimits& limits);

// replica_limits() with max_run at max_run_limit: what a stored document is materialized with,
// since its log may hold ops longer than a --max-run lowered since; the replica then gets
// replica_limits() for the ops it accepts from now on.
[[nodiscard]] crdt::Limits loading_limits(const proto::ServerLimits& limits);

// The size of a freshly loaded replica (see above). O(document).
[[nodiscard]] std::uint64_t loaded_document_bytes(const crdt::Rga& rga);

// The bytes `op` adds to the document size if all of it is integrated: an insert's text, or 0.
[[nodiscard]] std::uint64_t inserted_bytes(const crdt::Op& op);

}  // namespace weft::server::documents
