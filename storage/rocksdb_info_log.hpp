// rocksdb_info_log.hpp — InfoLog: the RocksDB info log (the `LOG` file) that never fails its
// database, and remembers RocksDB's last warnings for error messages.
//
// RocksDB's own logger writes through a WritableFileWriter, which asserts (aborting the process)
// on the next line after a failed write: a full disk killed the server on every start. This one
// appends with stdio and drops lines it cannot write. RocksDB names a damaged file only in its
// log ("000004.log: dropping 81 bytes; Corruption: checksum mismatch"), not in the status it
// returns, so open() adds problems() to its error. Private to storage/.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>

#include <rocksdb/env.h>

namespace weft::storage {

class InfoLog final : public rocksdb::Logger {
 public:
  // Appends to `path` (created if missing); a file that cannot be opened or written loses lines,
  // never the database.
  explicit InfoLog(const std::string& path);
  ~InfoLog() override;
  InfoLog(const InfoLog&) = delete;
  InfoLog& operator=(const InfoLog&) = delete;

  void Logv(const char* format, va_list ap) override;
  void Logv(rocksdb::InfoLogLevel level, const char* format, va_list ap) override;

  // The last few warning and error lines, joined with "; " (empty if none).
  [[nodiscard]] std::string problems() const;

 private:
  mutable std::mutex mu_;
  std::FILE* file_;
  std::deque<std::string> problems_;  // guarded by mu_
};

}  // namespace weft::storage
