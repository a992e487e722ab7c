// pager.cpp — the pager pipe behind Output.
#include "tools/replay/pager.hpp"

#include <cstdlib>
#include <string>

#include <unistd.h>

namespace weft::replay {

Output::Output(bool paged, bool allow_pager) {
  if (!paged || !allow_pager || isatty(STDOUT_FILENO) == 0) return;
  const char* env = std::getenv("PAGER");
  const std::string command = env != nullptr && *env != '\0' ? env : "less -FRX";
  if (command == "cat") return;
  std::fflush(stdout);
  std::FILE* pipe = popen(command.c_str(), "w");
  if (pipe == nullptr) return;
  file_ = pipe;
  piped_ = true;
}

Output::~Output() {
  if (piped_) {
    pclose(file_);
  } else {
    std::fflush(file_);
  }
}

void Output::write(std::string_view text) {
  if (!ok_) return;
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) ok_ = false;
}

}  // namespace weft::replay
