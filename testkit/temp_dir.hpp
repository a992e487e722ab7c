// temp_dir.hpp — TempDir: a fresh directory under the system's temporary directory, removed with
// everything in it when the TempDir goes.
//
// For tests and benchmarks (the server and the store make their own directories). Header-only, so
// that a suite using only TempDir links nothing for it. Errors are values; the test suites'
// tests/temp_dir.hpp turns a failure into a failed case.
#pragma once

#include <cerrno>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <stdlib.h>
#include <tl/expected.hpp>

namespace weft::testkit {

class TempDir {
 public:
  // Makes PARENT/NAME-XXXXXX (mkdtemp: a new directory, readable only by this user); PARENT
  // defaults to the system's temporary directory.
  [[nodiscard]] static tl::expected<TempDir, std::string> make(
      std::string_view name = "weft", const std::filesystem::path& parent = {}) {
    std::error_code ec;
    const std::filesystem::path base =
        parent.empty() ? std::filesystem::temp_directory_path(ec) : parent;
    if (ec) return tl::make_unexpected("no temporary directory: " + ec.message());
    std::string pattern = (base / (std::string(name) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return tl::make_unexpected("cannot make a directory in " + base.string() + ": " +
                                 std::generic_category().message(errno));
    }
    return TempDir{std::filesystem::path{pattern}};
  }

  ~TempDir() { remove(); }
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&& other) noexcept {
    if (this != &other) {
      remove();
      path_ = std::exchange(other.path_, {});
    }
    return *this;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Empty once moved from.
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  void remove() noexcept {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  std::filesystem::path path_;
};

}  // namespace weft::testkit
