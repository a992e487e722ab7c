// catch_up.hpp — what a joiner is sent to reach the document's durable state: the ops it lacks,
// or the document's snapshot in chunks, whichever is smaller (PROTOCOL.md §7), as a FrameSource
// that encodes one frame at a time, so that its peer can pace it by its socket (peer.hpp).
//
// A source holds only immutable data or its own: a shared SnapshotImage, or the ops it sends.
// It may be used from any thread once made (one at a time).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "crdt/rga.hpp"
#include "crdt/version_vector.hpp"
#include "proto/frame.hpp"
#include "server/documents/peer.hpp"
#include "server/documents/snapshot_image.hpp"

namespace weft::server::documents {

// The `snapshot` chunk frames of `image`, from offset 0, each holding at most `chunk` bytes.
class SnapshotChunks final : public FrameSource {
 public:
  SnapshotChunks(std::string doc, std::shared_ptr<const SnapshotImage> image, std::size_t chunk);
  [[nodiscard]] std::shared_ptr<const std::string> next() override;

 private:
  std::string doc_;
  std::shared_ptr<const SnapshotImage> image_;  // released once every chunk is produced
  std::size_t chunk_;
  std::uint64_t offset_ = 0;
};

// Snapshot chunks hold at most this many bytes: well under max_frame_bytes.
[[nodiscard]] std::size_t snapshot_chunk_bytes(const proto::ServerLimits& limits);

// The frames (`ops` frames, or `snapshot` chunks) that bring a replica at `since` to `rga`'s
// state, whose durable log has `index` records. `snapshot` forces a snapshot (a fresh or reset
// joiner); ops are also replaced by a snapshot when `since` is older than the history `rga`
// keeps, when the snapshot is smaller, or when they would encode to more than a quarter of
// max_outbound_bytes (a joiner's own copy of them is bounded; the image is shared). A snapshot
// is the image other joiners are still being sent followed by the ops since it, when those are
// within the same bound, else an image of the current state.
// Requires: `rga` holds durable state only.
[[nodiscard]] std::shared_ptr<FrameSource> catch_up_frames(
    const std::string& doc, const crdt::Rga& rga, std::uint64_t index,
    const crdt::VersionVector& since, bool snapshot, const proto::ServerLimits& limits,
    SnapshotImages& images);

}  // namespace weft::server::documents
