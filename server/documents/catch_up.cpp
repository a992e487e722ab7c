// catch_up.cpp — catch-up frames for a joiner: snapshot chunks or ops frames, one at a time.
#include "server/documents/catch_up.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "proto/frame_codec.hpp"
#include "server/documents/op_runs.hpp"

namespace weft::server::documents {
namespace {

class OpsFrames final : public FrameSource {
 public:
  OpsFrames(std::string doc, std::vector<crdt::Op> ops, const proto::ServerLimits& limits)
      : packer_(std::move(doc), std::move(ops), limits) {}
  [[nodiscard]] std::shared_ptr<const std::string> next() override { return packer_.next(); }

 private:
  OpsFramePacker packer_;
};

// Every frame of `first`, then every frame of `second`.
class Chained final : public FrameSource {
 public:
  Chained(std::shared_ptr<FrameSource> first, std::shared_ptr<FrameSource> second)
      : first_(std::move(first)), second_(std::move(second)) {}
  [[nodiscard]] std::shared_ptr<const std::string> next() override {
    if (first_) {
      if (auto frame = first_->next()) return frame;
      first_.reset();
    }
    return second_->next();
  }

 private:
  std::shared_ptr<FrameSource> first_;
  std::shared_ptr<FrameSource> second_;
};

std::uint64_t encoded_bytes(const std::vector<crdt::Op>& ops) {
  std::uint64_t bytes = 0;
  for (const crdt::Op& op : ops) bytes += proto::encode_op(op).size();
  return bytes;
}

}  // namespace

SnapshotChunks::SnapshotChunks(std::string doc, std::shared_ptr<const SnapshotImage> image,
                               std::size_t chunk)
    : doc_(std::move(doc)), image_(std::move(image)), chunk_(std::max<std::size_t>(chunk, 1)) {}

std::shared_ptr<const std::string> SnapshotChunks::next() {
  if (!image_) return nullptr;
  const std::uint64_t total = image_->size();
  auto frame = std::make_shared<const std::string>(proto::encode_frame(
      proto::SnapshotChunk{doc_, offset_, total, image_->bytes(offset_, chunk_)}));
  offset_ = std::min<std::uint64_t>(total, offset_ + chunk_);
  if (offset_ == total) image_.reset();  // a snapshot is at least its 4-byte magic: one chunk
  return frame;
}

std::size_t snapshot_chunk_bytes(const proto::ServerLimits& limits) {
  return static_cast<std::size_t>(std::max<std::uint64_t>(
      limits.max_frame_bytes / 2 > 256 ? limits.max_frame_bytes / 2 - 256 : 1, 1));
}

std::shared_ptr<FrameSource> catch_up_frames(const std::string& doc, const crdt::Rga& rga,
                                             std::uint64_t index, const crdt::VersionVector& since,
                                             bool snapshot, const proto::ServerLimits& limits,
                                             SnapshotImages& images) {
  std::shared_ptr<const SnapshotImage> image;
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
  const std::uint64_t max_op_bytes = limits.max_outbound_bytes / 4;
  if (!use_snapshot && !ops.empty()) {
    const std::uint64_t op_bytes = encoded_bytes(ops);
    if (op_bytes > max_op_bytes) {
      use_snapshot = true;
    } else if (op_bytes > rga.length()) {
      // A snapshot holds at least the text: only worth making if the ops are larger.
      image = images.image(rga, index);
      use_snapshot = image->size() < op_bytes;
    }
  }
  if (!use_snapshot) return std::make_shared<OpsFrames>(doc, std::move(ops), limits);
  const std::size_t chunk = snapshot_chunk_bytes(limits);
  if (!image) {
    // An older image that joiners are still being sent, and the ops since it, rather than one
    // more copy of the document: joiners of a document being edited share one image too.
    if (auto alive = images.alive(); alive && alive->index != index) {
      auto newer = rga.ops_since(alive->version);
      if (newer && encoded_bytes(*newer) <= max_op_bytes) {
        return std::make_shared<Chained>(
            std::make_shared<SnapshotChunks>(doc, std::move(alive), chunk),
            std::make_shared<OpsFrames>(doc, std::move(*newer), limits));
      }
    }
    image = images.image(rga, index);
  }
  return std::make_shared<SnapshotChunks>(doc, std::move(image), chunk);
}

}  // namespace weft::server::documents
