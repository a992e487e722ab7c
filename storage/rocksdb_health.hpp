// rocksdb_health.hpp — HealthListener: whether the store can take writes now, as RocksDB reports
// it. Private to storage/ (RocksDbStore::health() reads it).
//
// A write that fails on the disk (full, or an I/O error) puts RocksDB in a background-error state
// (paranoid_checks): every later write fails at once and reads go on. RocksDB's SstFileManager
// then retries recovery every 5 s while enough space is free; OnErrorRecoveryEnd says when writes
// work again. Thread-safe: RocksDB calls it from its own threads.
#pragma once

#include <mutex>
#include <string>

#include <rocksdb/listener.h>

#include "storage/rocksdb_store.hpp"

namespace weft::storage {

class HealthListener final : public rocksdb::EventListener {
 public:
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override;
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override;

  // A commit failed with `error` (counted; the store is unwritable until RocksDB recovers).
  void write_failed(const rocksdb::Status& error);
  // A commit succeeded: the store is writable.
  void write_succeeded();
  [[nodiscard]] StoreHealth get() const;

 private:
  mutable std::mutex mu_;
  StoreHealth state_;  // guarded by mu_
};

}  // namespace weft::storage
