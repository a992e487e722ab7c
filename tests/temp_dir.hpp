// temp_dir.hpp — TempDir for a test case: testkit::TempDir (removed with everything in it on
// destruction) whose creation failing fails the case, plus write() for key and certificate files.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>

#include <doctest/doctest.h>

#include "testkit/temp_dir.hpp"

namespace weft::testing {

// A testkit::TempDir named NAME-XXXXXX under the system's temporary directory, or a failed case.
inline testkit::TempDir make_temp_dir(std::string_view name = "weft-test") {
  auto dir = testkit::TempDir::make(name);
  if (!dir) FAIL(dir.error());
  return std::move(*dir);
}

class TempDir : public testkit::TempDir {
 public:
  explicit TempDir(std::string_view name = "weft-test") : testkit::TempDir(make_temp_dir(name)) {}

  // Writes `text` to the file `name` in the directory; returns its path.
  std::string write(std::string_view name, std::string_view text) const {
    const std::filesystem::path file = path() / name;
    std::ofstream{file} << text;
    return file.string();
  }
};

}  // namespace weft::testing
