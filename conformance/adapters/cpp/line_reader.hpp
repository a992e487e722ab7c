// line_reader.hpp — LineReader: stdin read line by line on a thread of its own, so that the
// adapter's thread can keep running the client's io_context while no command is waiting.
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace weft::conformance {

class LineReader {
 public:
  LineReader();
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line if one is waiting; nullopt otherwise.
  [[nodiscard]] std::optional<std::string> pop();
  [[nodiscard]] bool has_line() const;
  // stdin has ended and every line was popped.
  [[nodiscard]] bool finished() const;

 private:
  void read_loop();

  mutable std::mutex mutex_;
  std::deque<std::string> lines_;  // guarded by mutex_
  bool eof_ = false;               // guarded by mutex_
  std::thread thread_;             // last: starts once the members above exist
};

}  // namespace weft::conformance
