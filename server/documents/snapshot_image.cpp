// snapshot_image.cpp — SnapshotImage and the document's SnapshotImages.
#include "server/documents/snapshot_image.hpp"

#include <algorithm>
#include <utility>

#include "crdt/snapshot.hpp"
#include "proto/frame_codec.hpp"

namespace weft::server::documents {

std::string SnapshotImage::bytes(std::uint64_t offset, std::uint64_t n) const {
  n = std::min(n, size() - offset);
  std::string out;
  out.reserve(n);
  if (offset < head.size()) {
    const std::uint64_t from_head = std::min<std::uint64_t>(n, head.size() - offset);
    out.append(head, offset, from_head);
    offset += from_head;
    n -= from_head;
  }
  out.append(text, offset - head.size(), n);
  return out;
}

std::shared_ptr<const SnapshotImage> SnapshotImages::image(const crdt::Rga& rga,
                                                           std::uint64_t index) {
  if (auto image = image_.lock(); image && image->index == index) return image;
  crdt::Snapshot snapshot = rga.snapshot();
  auto image = std::make_shared<SnapshotImage>();
  image->index = index;
  image->version = rga.version();
  image->head = crdt::encode_snapshot_head(snapshot);
  image->digest = proto::text_digest(snapshot.text);
  image->text = std::move(snapshot.text);
  image_ = image;
  digest_index_ = index;
  digest_ = image->digest;
  return image;
}

proto::Digest SnapshotImages::digest(const crdt::Rga& rga, std::uint64_t index) {
  if (index != digest_index_ || !digest_) {
    digest_index_ = index;
    digest_ = proto::text_digest(rga.text());
  }
  return *digest_;
}

}  // namespace weft::server::documents
