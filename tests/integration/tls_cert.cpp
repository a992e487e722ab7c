// tls_cert.cpp — make_tls_files(): `openssl req -x509` with its output silenced.
#include "tests/integration/tls_cert.hpp"

#include <cstdlib>
#include <string>

#include <doctest/doctest.h>

namespace weft::integration {

TlsFiles make_tls_files(const std::filesystem::path& dir) {
  TlsFiles files{dir / "cert.pem", dir / "key.pem"};
  // Paths come from mkdtemp-made directories (no quotes in them); quoted for spaces.
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj /CN=localhost -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' -keyout '" +
      files.key.string() + "' -out '" + files.cert.string() + "' >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE_MESSAGE(status == 0, "openssl failed (status ", status, "): ", command);
  REQUIRE(std::filesystem::is_regular_file(files.cert));
  REQUIRE(std::filesystem::is_regular_file(files.key));
  return files;
}

}  // namespace weft::integration
