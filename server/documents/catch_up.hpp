// catch_up.hpp — what a joiner is sent to reach the document's durable state: the ops it lacks,
// or the document's snapshot in chunks, whichever is smaller (PROTOCOL.md §7).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "crdt/rga.hpp"
#include "crdt/version_vector.hpp"
#include "proto/frame.hpp"

namespace weft::server::documents {

// The encoded frames (`ops` frames, or `snapshot` chunks) that bring a replica at `since` to
// `rga`'s state. `snapshot` forces a snapshot (a fresh or reset joiner); ops are also replaced by
// a snapshot when `since` is older than the history `rga` keeps, or when the snapshot is smaller.
// Requires: `rga` holds durable state only.
[[nodiscard]] std::vector<std::shared_ptr<const std::string>> catch_up_frames(
    const std::string& doc, const crdt::Rga& rga, const crdt::VersionVector& since, bool snapshot,
    const proto::ServerLimits& limits);

}  // namespace weft::server::documents
