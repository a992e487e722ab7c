// document_loader.hpp — turning stored records back into a live replica.
//
// materialize(): the newest snapshot plus the log after it — how a document is loaded.
// replay(): the state after the first N log records, rebuilt from the empty replica and never from
// a snapshot — how history is inspected (weft-replay) and snapshots are verified.
// Every log record must integrate (or be a duplicate); anything else is Errc::corrupt naming the
// document and the index.
#pragma once

#include <cstdint>
#include <string_view>

#include "crdt/rga.hpp"
#include "storage/document_store.hpp"

namespace weft::storage {

// `self` is the replica id the result makes local edits under (0 = read-only replica); `limits`
// are the result's crdt limits (the server passes its max_run and max_buffered_ops).
[[nodiscard]] Result<crdt::Rga> materialize(const LoadedDocument& loaded, crdt::ReplicaId self = 0,
                                            crdt::Limits limits = {});

// The state after log records [0, up_to_index) (clamped to the log's end).
[[nodiscard]] Result<crdt::Rga> replay(DocumentStore& store, std::string_view doc,
                                       std::uint64_t up_to_index);

// Integrates one log record into `rga`: Errc::corrupt unless it is applied or a duplicate.
[[nodiscard]] Result<void> apply_record(crdt::Rga& rga, std::string_view doc,
                                        const proto::OpRecord& record);

}  // namespace weft::storage
