// store_test_support.hpp — what the storage tests share: metadata, and a document edited through
// a real crdt::Rga whose ops become log records.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "crdt/rga.hpp"
#include "proto/records.hpp"

namespace weft::storage::testing {

inline proto::DocumentMeta make_meta(std::string id, std::int64_t created_us = 1'000) {
  proto::DocumentMeta meta;
  meta.id = std::move(id);
  meta.created_us = created_us;
  meta.epoch = 0x5eed;
  meta.replicas.push_back({1, "ada", "Ada", created_us, {}});
  return meta;
}

// One replica making random local edits; each op becomes the document's next log record.
class EditingDocument {
 public:
  EditingDocument(crdt::Rga rga, std::uint64_t next_index, std::uint32_t seed)
      : rga_(std::move(rga)), next_index_(next_index), rng_(seed) {}
  explicit EditingDocument(crdt::ReplicaId self, std::uint32_t seed = 1)
      : EditingDocument(crdt::Rga(self), 0, seed) {}

  // Makes one random edit (mostly inserts of 1-5 characters, some deletes).
  proto::OpRecord edit() {
    const std::uint64_t length = rga_.length();
    proto::OpRecord record;
    record.index = next_index_++;
    record.server_time_us = 1'000'000 + static_cast<std::int64_t>(record.index) * 1000;
    record.user_id = "user-" + std::to_string(rga_.self());
    if (length > 0 && pick(4) == 0) {
      const std::uint64_t pos = pick(length);
      const std::uint64_t len = 1 + pick(std::min<std::uint64_t>(length - pos, 4));
      record.op = rga_.local_delete(pos, len).value();
    } else {
      static constexpr std::string_view letters = "abcdefghij KLMN\xC3\xA9\xE2\x82\xAC\n";
      std::string text;
      const std::uint64_t n = 1 + pick(5);
      for (std::uint64_t i = 0; i < n; ++i) text += letters[pick(15)];
      if (pick(8) == 0) text += "\xE2\x82\xAC";  // a 3-byte code point now and then
      record.op = rga_.local_insert(pick(length + 1), text).value();
    }
    return record;
  }

  [[nodiscard]] proto::SnapshotRecord snapshot() const {
    proto::SnapshotRecord record;
    record.log_index = next_index_;
    record.created_us = 2'000;
    record.state = rga_.snapshot();
    return record;
  }

  [[nodiscard]] const crdt::Rga& rga() const { return rga_; }
  [[nodiscard]] std::uint64_t next_index() const { return next_index_; }
  std::uint64_t pick(std::uint64_t n) {
    return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_);
  }

 private:
  crdt::Rga rga_;
  std::uint64_t next_index_ = 0;
  std::mt19937 rng_;
};

}  // namespace weft::storage::testing
