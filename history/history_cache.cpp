// history_cache.cpp — HistoryCache: the head check, the catch-up read, and LRU eviction by bytes.
#include "history/history_cache.hpp"

#include <algorithm>
#include <utility>

namespace weft::history {

std::shared_ptr<HistoryCache::Entry> HistoryCache::entry(std::string_view doc) {
  const std::lock_guard lock(mu_);
  const std::string key(doc);
  auto it = slots_.find(key);
  if (it == slots_.end()) {
    lru_.push_front(key);
    it = slots_.emplace(key, Slot{std::make_shared<Entry>(), 0, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  return it->second.entry;
}

storage::Result<void> HistoryCache::read(storage::DocumentStore& store, std::string_view doc,
                                         const Reader& reader) {
  auto head = store.read_head(doc);
  if (!head) return tl::unexpected(std::move(head.error()));
  const std::shared_ptr<Entry> e = entry(doc);
  std::size_t bytes = 0;
  {
    const std::lock_guard lock(e->mu);
    if (!e->index || e->epoch != head->meta.epoch || e->index->ops() > head->next_index) {
      e->index = std::make_unique<HistoryIndex>(std::string(doc));
      e->epoch = head->meta.epoch;
    }
    while (e->index->ops() < head->next_index) {
      const std::uint64_t from = e->index->ops();
      auto records = store.read_log(doc, from, std::min(head->next_index, from + read_page));
      if (!records) {
        e->index.reset();
        return tl::unexpected(std::move(records.error()));
      }
      if (records->empty()) {
        e->index.reset();
        return tl::unexpected(storage::StoreError{
            storage::make_error_code(storage::Errc::corrupt),
            "document " + std::string(doc) + ": log ends at " + std::to_string(from) +
                ", expected " + std::to_string(head->next_index)});
      }
      if (auto ok = e->index->extend(*records); !ok) {
        e->index.reset();
        return ok;
      }
    }
    reader(*head, *e->index);
    bytes = e->index->memory_bytes();
  }
  settle(std::string(doc), e, bytes);
  return {};
}

void HistoryCache::settle(const std::string& doc, const std::shared_ptr<Entry>& entry,
                          std::size_t bytes) {
  const std::lock_guard lock(mu_);
  const auto it = slots_.find(doc);
  if (it == slots_.end() || it->second.entry != entry) return;  // forgotten meanwhile
  bytes_ = bytes_ - it->second.bytes + bytes;
  it->second.bytes = bytes;
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    const auto victim = slots_.find(lru_.back());
    bytes_ -= victim->second.bytes;
    lru_.pop_back();
    slots_.erase(victim);
  }
}

void HistoryCache::forget(std::string_view doc) {
  const std::lock_guard lock(mu_);
  const auto it = slots_.find(std::string(doc));
  if (it == slots_.end()) return;
  bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru);
  slots_.erase(it);
}

std::size_t HistoryCache::size() const {
  const std::lock_guard lock(mu_);
  return slots_.size();
}

std::size_t HistoryCache::bytes() const {
  const std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace weft::history
