// store_watch.hpp — main()'s watch over the store's health: whether it takes writes, and why not.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/logger.h>

#include "server/base/metrics.hpp"
#include "server/base/store_status.hpp"
#include "storage/rocksdb_store.hpp"

namespace weft::server {

// Every second: whether the store takes writes. A change is logged once and shown in /healthz
// (StoreStatus) and /metrics (weft_store_writable, weft_store_write_failures_total). While the
// store cannot write (a full disk), appends fail and their documents end memberships with
// storage_failed; RocksDB resumes writes by itself once space is free, and this says so.
class StoreWatch {
 public:
  // `read_only_reason`: why the store was opened read-only at startup (empty if it was not).
  StoreWatch(boost::asio::io_context& ioc, const storage::RocksDbStore& store,
             std::string read_only_reason, base::StoreStatus& status, base::Metrics& metrics,
             spdlog::logger& log)
      : store_(store),
        read_only_reason_(std::move(read_only_reason)),
        status_(status),
        metrics_(metrics),
        log_(log),
        timer_(ioc) {}

  // Checks now, then every second until the io_context stops.
  void check();

 private:
  const storage::RocksDbStore& store_;
  const std::string read_only_reason_;
  base::StoreStatus& status_;
  base::Metrics& metrics_;
  spdlog::logger& log_;
  boost::asio::steady_timer timer_;
  bool writable_ = true;
  std::string reason_;
  std::uint64_t failures_ = 0;
};

}  // namespace weft::server
