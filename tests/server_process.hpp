// server_process.hpp — ServerProcess for a test case: testkit::ServerProcess running the
// weft-server built here (WEFT_SERVER_BIN), in a temporary directory whose creation failing
// fails the case. start() returns an error value, so that cases can expect a refused startup.
#pragma once

#include <filesystem>
#include <utility>

#include "testkit/server_process.hpp"
#include "tests/temp_dir.hpp"

namespace weft::testing {

class ServerProcess : public testkit::ServerProcess {
 public:
  explicit ServerProcess(std::filesystem::path binary = WEFT_SERVER_BIN)
      : testkit::ServerProcess(std::move(binary), make_temp_dir("weft-server-test")) {}
};

}  // namespace weft::testing
