// snapshot_image.hpp — SnapshotImage: a document's durable state as the bytes of a snapshot
// (crdt §11.1) for joiners, immutable and shared by every joiner it is sent to; SnapshotImages:
// the document's last one, made at most once per durable state.
//
// Joiners of the same state share one image, so N joiners of a large document cost one copy of
// it, not N; an image lives as long as a joiner is still sending it (SnapshotChunks in
// catch_up.hpp holds it), and the document keeps none once they are done.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crdt/rga.hpp"
#include "crdt/version_vector.hpp"
#include "proto/frame.hpp"

namespace weft::server::documents {

struct SnapshotImage {
  std::uint64_t index = 0;      // the durable log's length it was made at
  crdt::VersionVector version;  // the state it holds
  std::string head;             // encode_snapshot_head()
  std::string text;             // the visible text: the snapshot's bytes are head + text
  proto::Digest digest{};

  [[nodiscard]] std::uint64_t size() const { return head.size() + text.size(); }
  // Up to `n` bytes of the encoded snapshot from `offset`. Requires: offset <= size().
  [[nodiscard]] std::string bytes(std::uint64_t offset, std::uint64_t n) const;
};

// Not thread-safe: the document's strand owns it. The images it hands out are immutable.
class SnapshotImages {
 public:
  // The image of `rga`, whose durable log has `index` records (the document's next_index()).
  // Requires: `rga` holds durable state only, and a different index whenever its state differs.
  [[nodiscard]] std::shared_ptr<const SnapshotImage> image(const crdt::Rga& rga,
                                                           std::uint64_t index);
  // The last image made, if a joiner still holds it (it may be of an older state): a joiner
  // can be sent it and the ops since, rather than a copy of the document of its own.
  [[nodiscard]] std::shared_ptr<const SnapshotImage> alive() const { return image_.lock(); }
  // The digest of `rga`'s text at `index`, from the image if there is one.
  [[nodiscard]] proto::Digest digest(const crdt::Rga& rga, std::uint64_t index);

 private:
  std::weak_ptr<const SnapshotImage> image_;  // the last one made, while a joiner holds it
  std::uint64_t digest_index_ = 0;
  std::optional<proto::Digest> digest_;  // of digest_index_
};

}  // namespace weft::server::documents
