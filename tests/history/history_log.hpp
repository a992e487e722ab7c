// history_log.hpp — HistoryLog: a log typed by a few replicas in one process, for history tests.
// Every op is applied to every replica at once (they stay in sync) and logged with the given user
// and server time.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "crdt/rga.hpp"
#include "proto/records.hpp"

namespace weft::history::test {

class HistoryLog {
 public:
  explicit HistoryLog(std::size_t replicas) {
    for (std::size_t r = 1; r <= replicas; ++r) replicas_.emplace_back(crdt::ReplicaId{r});
  }

  // Replica `r` (1-based) types `text` at `pos` as `user` at server time `time_us`.
  void insert(std::size_t r, std::string user, std::uint64_t pos, std::string_view text,
              std::int64_t time_us) {
    auto op = replicas_[r - 1].local_insert(pos, text);
    REQUIRE(op.has_value());
    log(crdt::Op{*op}, r, std::move(user), time_us);
  }
  void erase(std::size_t r, std::string user, std::uint64_t pos, std::uint64_t len,
             std::int64_t time_us) {
    auto op = replicas_[r - 1].local_delete(pos, len);
    REQUIRE(op.has_value());
    log(crdt::Op{*op}, r, std::move(user), time_us);
  }

  [[nodiscard]] const std::vector<proto::OpRecord>& records() const { return records_; }
  [[nodiscard]] std::string text() const { return replicas_.front().text(); }

 private:
  void log(const crdt::Op& op, std::size_t author, std::string user, std::int64_t time_us) {
    for (std::size_t r = 0; r < replicas_.size(); ++r) {
      if (r + 1 != author) (void)replicas_[r].apply_remote(op);
    }
    proto::OpRecord record;
    record.index = records_.size();
    record.server_time_us = time_us;
    record.user_id = std::move(user);
    record.op = op;
    records_.push_back(std::move(record));
  }

  std::vector<crdt::Rga> replicas_;
  std::vector<proto::OpRecord> records_;
};

}  // namespace weft::history::test
