// history_cache.hpp — HistoryCache: one HistoryIndex per recently read document, kept up to date
// with its log, so that history reads cost one pass over the index instead of a replay from op 0.
//
// read() checks the document's head (metadata and log length, a cheap store read), reads only the
// records appended since the index was last extended, and runs the reader on the up-to-date index.
// An index is dropped and rebuilt when the document was recreated (another epoch) or its log is
// shorter than the index; forget() drops it when the document is deleted.
//
// Memory: the indexes together stay under `max_bytes` (least recently read evicted first); the
// index being read is never evicted, so one document larger than the cap still works (it is
// dropped after its read).
// Thread-safe: readers of one document take turns (the index's mutex); other documents proceed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "history/history_index.hpp"
#include "storage/document_store.hpp"

namespace weft::history {

class HistoryCache {
 public:
  static constexpr std::size_t default_max_bytes = std::size_t{512} << 20;
  // Records read from the store per call while an index catches up.
  static constexpr std::uint64_t read_page = 8192;

  explicit HistoryCache(std::size_t max_bytes = default_max_bytes) : max_bytes_(max_bytes) {}

  // `head` is the document's head as read before the index was brought up to date
  // (head.next_index == index.ops()).
  using Reader = std::function<void(const storage::DocumentHead& head, const HistoryIndex& index)>;

  // Brings `doc`'s index up to date with `store` and runs `reader` on it (on this thread). The
  // store's error (Errc::not_found for a missing document) if that fails; `reader` did not run.
  [[nodiscard]] storage::Result<void> read(storage::DocumentStore& store, std::string_view doc,
                                           const Reader& reader);

  // Drops `doc`'s index (the document was deleted).
  void forget(std::string_view doc);

  // Documents held and their bytes (for tests and metrics).
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::size_t bytes() const;

 private:
  struct Entry {
    std::mutex mu;  // guards everything below
    std::uint64_t epoch = 0;
    std::unique_ptr<HistoryIndex> index;
  };
  struct Slot {
    std::shared_ptr<Entry> entry;
    std::size_t bytes = 0;
    std::list<std::string>::iterator lru;  // position in lru_
  };

  [[nodiscard]] std::shared_ptr<Entry> entry(std::string_view doc);
  // Records `doc`'s new size and evicts the least recently read others while over the cap.
  void settle(const std::string& doc, const std::shared_ptr<Entry>& entry, std::size_t bytes);

  const std::size_t max_bytes_;
  mutable std::mutex mu_;                        // guards the members below
  std::unordered_map<std::string, Slot> slots_;  // by document id
  std::list<std::string> lru_;                   // most recently read first
  std::size_t bytes_ = 0;
};

}  // namespace weft::history
