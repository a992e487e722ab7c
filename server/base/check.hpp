// check.hpp — WEFT_CHECK: an invariant that always holds; a broken one is a bug, and the process
// aborts loudly with the condition, what it means and where (never an error frame).
#pragma once
#include <cstdio>
#include <cstdlib>

namespace weft::server::base {

[[noreturn]] inline void check_failed(const char* condition, const char* what, const char* file,
                                      int line) {
  std::fprintf(stderr, "weft-server: broken invariant: %s (%s) at %s:%d\n", what, condition, file,
               line);
  std::abort();
}

}  // namespace weft::server::base

#define WEFT_CHECK(condition, what)                                                             \
  do {                                                                                          \
    if (!(condition)) ::weft::server::base::check_failed(#condition, what, __FILE__, __LINE__); \
  } while (false)
