// rocksdb_info_log.cpp — InfoLog: RocksDB's log lines appended with stdio, write errors ignored.
#include "storage/rocksdb_info_log.hpp"

#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <sys/time.h>

namespace weft::storage {

namespace {

class InfoLog final : public rocksdb::Logger {
 public:
  explicit InfoLog(const std::string& path)
      : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL), file_(std::fopen(path.c_str(), "a")) {}
  ~InfoLog() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  InfoLog(const InfoLog&) = delete;
  InfoLog& operator=(const InfoLog&) = delete;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (file_ == nullptr) return;
    timeval now{};
    gettimeofday(&now, nullptr);
    tm local{};
    localtime_r(&now.tv_sec, &local);
    const std::lock_guard lock(mu_);
    std::fprintf(file_, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ", local.tm_year + 1900,
                 local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec,
                 static_cast<long>(now.tv_usec));
    std::vfprintf(file_, format, ap);
    std::fputc('\n', file_);
    std::fflush(file_);
    std::clearerr(file_);  // a full disk loses this line, not the next ones
  }

 private:
  std::mutex mu_;
  std::FILE* file_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> make_info_log(const std::string& path) {
  return std::make_shared<InfoLog>(path);
}

}  // namespace weft::storage
