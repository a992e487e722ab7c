// catch_up.cpp — catch-up frames for a joiner.
#include "server/documents/catch_up.hpp"

#include <algorithm>
#include <cstdint>

#include "crdt/snapshot.hpp"
#include "proto/frame_codec.hpp"
#include "server/documents/op_runs.hpp"

namespace weft::server::documents {

std::vector<std::shared_ptr<const std::string>> catch_up_frames(const std::string& doc,
                                                                const crdt::Rga& rga,
                                                                const crdt::VersionVector& since,
                                                                bool snapshot,
                                                                const proto::ServerLimits& limits) {
  std::string encoded;
  std::vector<crdt::Op> ops;
  bool use_snapshot = snapshot;
  if (!use_snapshot) {
    auto missing = rga.ops_since(since);
    if (missing) {
      ops = std::move(*missing);
    } else {
      use_snapshot = true;  // history_unavailable: older than the snapshot the replica loaded
    }
  }
  if (!use_snapshot && !ops.empty()) {
    std::uint64_t op_bytes = 0;
    for (const crdt::Op& op : ops) op_bytes += proto::encode_op(op).size();
    // A snapshot holds at least the text: only worth encoding if the ops are larger.
    if (op_bytes > rga.length()) {
      encoded = crdt::encode_snapshot(rga.snapshot());
      use_snapshot = encoded.size() < op_bytes;
    }
  }
  if (!use_snapshot) return pack_ops_frames(doc, ops, limits);
  if (encoded.empty()) encoded = crdt::encode_snapshot(rga.snapshot());
  const std::size_t chunk = static_cast<std::size_t>(std::max<std::uint64_t>(
      limits.max_frame_bytes / 2 > 256 ? limits.max_frame_bytes / 2 - 256 : 1, 1));
  std::vector<std::shared_ptr<const std::string>> frames;
  std::size_t offset = 0;
  do {
    const std::size_t n = std::min(chunk, encoded.size() - offset);
    frames.push_back(std::make_shared<const std::string>(proto::encode_frame(
        proto::SnapshotChunk{doc, offset, encoded.size(), encoded.substr(offset, n)})));
    offset += n;
  } while (offset < encoded.size());
  return frames;
}

}  // namespace weft::server::documents
