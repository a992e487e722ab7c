// disk_full_preload.cpp — a test-only LD_PRELOAD library that makes the disk look full: while the
// file named by WEFT_DISK_FULL_FLAG exists, every write, positioned write and allocation to a file
// under the directory WEFT_DISK_FULL_DIR fails with ENOSPC, as a full file system answers; remove
// the flag file and space has returned. Everything else (sockets, stdout, stderr, other files)
// passes through untouched.
//
// It covers what RocksDB's POSIX environment calls to grow files (write, pwrite, writev, pwritev,
// fallocate, posix_fallocate) and needs no privileges, so the hostile suite can fill "the disk"
// of a real weft-server in any container. With an ASan-built server the child also needs
// ASAN_OPTIONS=verify_asan_link_order=0 (ASan wants to come first in the preload list).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

namespace {

// True when the flag file exists and `fd` is a file under the full directory.
bool is_full(int fd) {
  const char* flag = std::getenv("WEFT_DISK_FULL_FLAG");
  const char* dir = std::getenv("WEFT_DISK_FULL_DIR");
  if (flag == nullptr || dir == nullptr || ::access(flag, F_OK) != 0) return false;
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char path[4096];
  const ssize_t n = ::readlink(link, path, sizeof path - 1);
  if (n <= 0) return false;
  path[n] = '\0';
  const std::size_t length = std::strlen(dir);
  return std::strncmp(path, dir, length) == 0 && (path[length] == '/' || path[length] == '\0');
}

template <class F>
F next(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t count) {
  static const auto real = next<ssize_t (*)(int, const void*, size_t)>("write");
  if (is_full(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  static const auto real = next<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  if (is_full(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  static const auto real = next<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
  if (is_full(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  static const auto real = next<ssize_t (*)(int, const struct iovec*, int)>("writev");
  if (is_full(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, iov, iovcnt);
}

ssize_t pwritev(int fd, const struct iovec* iov, int iovcnt, off_t offset) {
  static const auto real = next<ssize_t (*)(int, const struct iovec*, int, off_t)>("pwritev");
  if (is_full(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, iov, iovcnt, offset);
}

int fallocate(int fd, int mode, off_t offset, off_t len) {
  static const auto real = next<int (*)(int, int, off_t, off_t)>("fallocate");
  if (is_full(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, mode, offset, len);
}

int fallocate64(int fd, int mode, off64_t offset, off64_t len) {
  static const auto real = next<int (*)(int, int, off64_t, off64_t)>("fallocate64");
  if (is_full(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, mode, offset, len);
}

int posix_fallocate(int fd, off_t offset, off_t len) {
  static const auto real = next<int (*)(int, off_t, off_t)>("posix_fallocate");
  if (is_full(fd)) return ENOSPC;
  return real(fd, offset, len);
}

int posix_fallocate64(int fd, off64_t offset, off64_t len) {
  static const auto real = next<int (*)(int, off64_t, off64_t)>("posix_fallocate64");
  if (is_full(fd)) return ENOSPC;
  return real(fd, offset, len);
}

}  // extern "C"
