// line_reader.cpp — LineReader: the stdin thread.
#include "conformance/adapters/cpp/line_reader.hpp"

#include <iostream>

namespace weft::conformance {

LineReader::LineReader() : thread_([this] { read_loop(); }) {}

// std::getline cannot be interrupted: the thread is detached, and the process exits after the
// adapter's `close` (or at the end of stdin, when it has returned already).
LineReader::~LineReader() { thread_.detach(); }

void LineReader::read_loop() {
  std::string line;
  while (std::getline(std::cin, line)) {
    const std::lock_guard lock{mutex_};
    lines_.push_back(line);
  }
  const std::lock_guard lock{mutex_};
  eof_ = true;
}

std::optional<std::string> LineReader::pop() {
  const std::lock_guard lock{mutex_};
  if (lines_.empty()) return std::nullopt;
  std::string line = std::move(lines_.front());
  lines_.pop_front();
  return line;
}

bool LineReader::has_line() const {
  const std::lock_guard lock{mutex_};
  return !lines_.empty();
}

bool LineReader::finished() const {
  const std::lock_guard lock{mutex_};
  return eof_ && lines_.empty();
}

}  // namespace weft::conformance
