// rocksdb_info_log.cpp — InfoLog: RocksDB's log lines appended with stdio, write errors ignored.
#include "storage/rocksdb_info_log.hpp"

#include <ctime>

#include <sys/time.h>

namespace weft::storage {

namespace {

constexpr std::size_t kept_problems = 4;

}  // namespace

InfoLog::InfoLog(const std::string& path)
    : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL), file_(std::fopen(path.c_str(), "a")) {}

InfoLog::~InfoLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void InfoLog::Logv(const char* format, va_list ap) {
  Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
}

void InfoLog::Logv(rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  if (level < GetInfoLogLevel()) return;
  char line[2048];
  std::vsnprintf(line, sizeof line, format, ap);
  timeval now{};
  gettimeofday(&now, nullptr);
  tm local{};
  localtime_r(&now.tv_sec, &local);
  const std::lock_guard lock(mu_);
  if (level >= rocksdb::InfoLogLevel::WARN_LEVEL && level != rocksdb::InfoLogLevel::HEADER_LEVEL) {
    problems_.emplace_back(line);
    if (problems_.size() > kept_problems) problems_.pop_front();
  }
  if (file_ == nullptr) return;
  std::fprintf(file_, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %s\n", local.tm_year + 1900,
               local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec,
               static_cast<long>(now.tv_usec), line);
  std::fflush(file_);
  std::clearerr(file_);  // a full disk loses this line, not the next ones
}

std::string InfoLog::problems() const {
  const std::lock_guard lock(mu_);
  std::string out;
  for (const std::string& problem : problems_) {
    if (!out.empty()) out += "; ";
    out += problem;
  }
  return out;
}

}  // namespace weft::storage
