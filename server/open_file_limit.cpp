// open_file_limit.cpp — getrlimit/setrlimit for RLIMIT_NOFILE.
#include "server/open_file_limit.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/resource.h>

namespace weft::server {

OpenFileLimit raise_open_file_limit() {
  OpenFileLimit out;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    out.error = std::strerror(errno);
    return out;
  }
  out.soft = limit.rlim_cur;
  out.hard = limit.rlim_max;
  if (limit.rlim_cur >= limit.rlim_max) return out;
  rlimit raised = limit;
  raised.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    out.error = std::strerror(errno);
    return out;
  }
  out.soft = raised.rlim_cur;
  out.raised = true;
  return out;
}

std::uint64_t connections_that_fit(std::uint64_t wanted, std::uint64_t soft) {
  constexpr std::uint64_t least = 16;
  const std::uint64_t room =
      soft > reserved_descriptors + least ? soft - reserved_descriptors : least;
  return std::min(wanted, room);
}

}  // namespace weft::server
