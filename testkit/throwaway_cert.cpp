// throwaway_cert.cpp — make_throwaway_cert(): `openssl req -x509` with its output silenced.
#include "testkit/throwaway_cert.hpp"

#include <cstdlib>

namespace weft::testkit {

tl::expected<CertFiles, std::string> make_throwaway_cert(const std::filesystem::path& dir) {
  CertFiles files{dir / "cert.pem", dir / "key.pem"};
  // `dir` comes from mkdtemp (no quotes in it); quoted for spaces.
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj /CN=localhost -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' -keyout '" +
      files.key.string() + "' -out '" + files.cert.string() + "' >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  if (status != 0 || !std::filesystem::is_regular_file(files.cert) ||
      !std::filesystem::is_regular_file(files.key)) {
    return tl::make_unexpected("openssl req failed (status " + std::to_string(status) +
                               "): " + command);
  }
  return files;
}

}  // namespace weft::testkit
