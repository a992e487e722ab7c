// pager.hpp — Output: where a command writes. Through $PAGER (or `less -FRX`) when stdout is a
// terminal and the command's output can be long; straight to stdout otherwise.
#pragma once

#include <cstdio>
#include <string_view>

namespace weft::replay {

class Output {
 public:
  // paged = the command's output may be long. `allow_pager` = false forces stdout (--no-pager).
  Output(bool paged, bool allow_pager);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void write(std::string_view text);
  void line(std::string_view text) {
    write(text);
    write("\n");
  }
  // False once the reader went away (the pager quit): the command may stop early.
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  std::FILE* file_ = stdout;
  bool piped_ = false;
  bool ok_ = true;
};

}  // namespace weft::replay
