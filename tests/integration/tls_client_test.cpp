// tls_client_test.cpp — the client side of TLS: wss:// connections (client::Connection via
// Session) and https requests (https_request) verify the server's certificate and host name.
//
// Two groups:
//   "integration: tls client" runs against `openssl s_server -WWW` (a TLS file server), so it
//     tests the client alone: the TLS handshake succeeds or fails for the right reason (the
//     WebSocket handshake after it fails there, as s_server speaks no WebSocket).
//   "integration: tls server" runs against weft-server --tls-cert/--tls-key (wss:// and https://
//     on one port).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <doctest/doctest.h>
#include <signal.h>

#include "client/connection.hpp"
#include "client/session.hpp"
#include "testkit/child_process.hpp"
#include "testkit/throwaway_cert.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/temp_dir.hpp"

namespace weft::integration {
namespace {

using testing::TempDir;
using TlsFiles = testkit::CertFiles;

// A throwaway certificate in `dir`, or a failed case.
TlsFiles make_tls_files(const std::filesystem::path& dir) {
  auto files = testkit::make_throwaway_cert(dir);
  if (!files) FAIL(files.error());
  return *files;
}

// A port nobody listens on right now (bound to 0 and released; s_server cannot report its own).
std::uint16_t free_port(const std::string& address) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(
      ioc, {boost::asio::ip::make_address(address), std::uint16_t{0}});
  return acceptor.local_endpoint().port();
}

// `openssl s_server -WWW` serving the files of `dir` over TLS with `files`, on `address`.
class FileServer {
 public:
  FileServer(const std::filesystem::path& dir, const TlsFiles& files,
             const std::string& address = "127.0.0.1")
      : port_(free_port(address)) {
    auto child = testkit::ChildProcess::spawn(
        {.argv = {"openssl", "s_server", "-accept", address + ":" + std::to_string(port_), "-cert",
                  files.cert.string(), "-key", files.key.string(), "-WWW"},
         .stderr_file = "/dev/null",
         .cwd = dir});
    if (!child) FAIL(child.error());
    child_.emplace(std::move(*child));
    // s_server prints ACCEPT once it listens.
    const std::string printed = child_->read(20s, "ACCEPT");
    REQUIRE_MESSAGE(printed.find("ACCEPT") != std::string::npos, "s_server printed: ", printed);
  }
  ~FileServer() {
    child_->signal(SIGTERM);
    (void)child_->wait(testkit::ChildProcess::forever);
  }
  FileServer(const FileServer&) = delete;
  FileServer& operator=(const FileServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  std::uint16_t port_;
  std::optional<testkit::ChildProcess> child_;
};

// How a wss:// connection to host:port ended: its close reason ("handshake: ..." once TLS was
// done and the WebSocket handshake failed; "tls handshake: ..." when TLS itself failed).
std::string wss_outcome(const std::string& host, std::uint16_t port,
                        const client::TlsOptions& tls) {
  boost::asio::io_context ioc;
  std::optional<client::CloseInfo> closed;
  bool opened = false;
  client::Connection::Events events;
  events.on_open = [&] { opened = true; };
  events.on_close = [&](const client::CloseInfo& info) { closed = info; };
  auto conn = client::Connection::create(ioc, std::move(events));
  conn->open(host, port, "/ws", tls);
  REQUIRE(client::run_until(
      ioc, [&] { return opened || closed.has_value(); }, 20s));
  conn->detach();
  return opened ? "open" : closed->reason;
}

// Trusts `ca` (a throwaway certificate); `verify` false turns verification off.
client::TlsOptions trusting(const std::filesystem::path& ca, bool verify = true) {
  client::TlsOptions tls;
  tls.ca_file = ca.string();
  tls.verify_peer = verify;
  return tls;
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

}  // namespace

TEST_SUITE("integration: tls client") {
  TEST_CASE("a wss connection trusting the certificate completes the TLS handshake") {
    TempDir dir;
    const TlsFiles files = make_tls_files(dir.path());
    FileServer server(dir.path(), files);
    const std::string outcome = wss_outcome("127.0.0.1", server.port(), trusting(files.cert));
    CAPTURE(outcome);
    CHECK(starts_with(outcome, "handshake: "));  // s_server answers no WebSocket upgrade
  }

  TEST_CASE("a wss connection by DNS name checks the name and sends it as SNI") {
    TempDir dir;
    const TlsFiles files = make_tls_files(dir.path());
    FileServer server(dir.path(), files);
    const std::string outcome = wss_outcome("localhost", server.port(), trusting(files.cert));
    CAPTURE(outcome);
    CHECK(starts_with(outcome, "handshake: "));
  }

  TEST_CASE("a wss connection that does not trust the certificate fails its TLS handshake") {
    TempDir dir;
    TempDir other;
    const TlsFiles files = make_tls_files(dir.path());
    const TlsFiles stranger = make_tls_files(other.path());
    FileServer server(dir.path(), files);
    const std::string outcome = wss_outcome("127.0.0.1", server.port(), trusting(stranger.cert));
    CAPTURE(outcome);
    CHECK(starts_with(outcome, "tls handshake: "));
    CHECK(outcome.find("certificate verify failed") != std::string::npos);
  }

  TEST_CASE(
      "a wss connection to an address the certificate does not name fails its TLS handshake") {
    TempDir dir;
    const TlsFiles files = make_tls_files(dir.path());  // names 127.0.0.1 and localhost only
    FileServer server(dir.path(), files, "127.0.0.2");
    const std::string outcome = wss_outcome("127.0.0.2", server.port(), trusting(files.cert));
    CAPTURE(outcome);
    CHECK(starts_with(outcome, "tls handshake: "));
    CHECK(outcome.find("certificate verify failed") != std::string::npos);
  }

  TEST_CASE("a wss connection without verification accepts an untrusted certificate") {
    TempDir dir;
    TempDir other;
    const TlsFiles files = make_tls_files(dir.path());
    const TlsFiles stranger = make_tls_files(other.path());
    FileServer server(dir.path(), files);
    const std::string outcome =
        wss_outcome("127.0.0.1", server.port(), trusting(stranger.cert, false));
    CAPTURE(outcome);
    CHECK(starts_with(outcome, "handshake: "));
  }

  TEST_CASE("a wss connection with an unreadable CA file reports it") {
    const std::string outcome = wss_outcome("127.0.0.1", 1, trusting("/nonexistent/ca.pem"));
    CAPTURE(outcome);
    CHECK(starts_with(outcome, "tls: CA file /nonexistent/ca.pem"));
  }

  TEST_CASE("an https request verifies the certificate against the given CA file") {
    TempDir dir;
    const TlsFiles files = make_tls_files(dir.path());
    std::ofstream(dir.path() / "hello.txt") << "hello over tls\n";
    FileServer server(dir.path(), files);
    const HttpReply reply = https_request(server.port(), trusting(files.cert), "GET", "/hello.txt");
    CAPTURE(reply.body);
    CHECK(reply.status == 200);
    CHECK(reply.body == "hello over tls\n");
  }

  TEST_CASE("an https request to an untrusted certificate fails its TLS handshake") {
    TempDir dir;
    TempDir other;
    const TlsFiles files = make_tls_files(dir.path());
    const TlsFiles stranger = make_tls_files(other.path());
    std::ofstream(dir.path() / "hello.txt") << "hello over tls\n";
    FileServer server(dir.path(), files);
    const HttpReply reply =
        https_request(server.port(), trusting(stranger.cert), "GET", "/hello.txt");
    CAPTURE(reply.body);
    CHECK(reply.status == 0);
    CHECK(starts_with(reply.body, "tls handshake: "));
    CHECK(reply.body.find("certificate verify failed") != std::string::npos);
  }
}

// Needs weft-server's --tls-cert/--tls-key (the server side of TLS).
TEST_SUITE("integration: tls server") {
  // A Harness serving wss:// and https:// with a throwaway certificate its clients trust.
  struct TlsHarness {
    TempDir dir;
    TlsFiles files = make_tls_files(dir.path());
    Harness h{{"--tls-cert", files.cert.string(), "--tls-key", files.key.string()}};
    TlsHarness() { h.session_options.tls = trusting(files.cert); }
  };

  TEST_CASE("clients over wss join one document, type at once and converge") {
    TlsHarness t;
    Harness& h = t.h;
    INFO("server log:\n" << h.server.log());
    std::vector<client::Session*> members;
    for (int c = 0; c < 3; ++c) members.push_back(&h.client("secret"));
    std::mt19937 rng{20240605};
    for (int round = 0; round < 40; ++round) {
      for (client::Session* session : members) random_edit(*session, "secret", rng, "abcxyz");
      if (round % 5 == 4) h.pump(5ms);
    }
    CHECK(h.wait_until([&] {
      return std::all_of(members.begin(), members.end(),
                         [](auto* s) { return s->acked("secret"); }) &&
             same_text(members, "secret");
    }));
    CHECK(members.front()->text("secret").size() > 40);
    client::Session& late = h.client("secret");
    CHECK(late.text("secret") == members.front()->text("secret"));
  }

  TEST_CASE("https GET /healthz answers 200 with the certificate verified") {
    TlsHarness t;
    INFO("server log:\n" << t.h.server.log());
    const HttpReply reply =
        https_request(t.h.server.port(), trusting(t.files.cert), "GET", "/healthz");
    CAPTURE(reply.body);
    CHECK(reply.status == 200);
  }

  TEST_CASE("a client that does not trust the certificate fails and the server keeps serving") {
    TlsHarness t;
    INFO("server log:\n" << t.h.server.log());
    TempDir other;
    const TlsFiles stranger = make_tls_files(other.path());
    client::SessionOptions options;
    options.tls = trusting(stranger.cert);
    client::Session wary{t.h.ioc, options};
    const auto opened = wary.open("127.0.0.1", t.h.server.port());
    REQUIRE_FALSE(opened.has_value());
    CHECK(starts_with(opened.error(), "tls handshake: "));
    CHECK(opened.error().find("certificate verify failed") != std::string::npos);
    client::Session& member = t.h.client("after");
    CHECK(member.local_insert("after", 0, "still serving").has_value());
    CHECK(t.h.wait_until([&] { return member.acked("after"); }));
    // The refused handshake is counted (the server learns of it from the client's alert).
    CHECK(t.h.wait_until([&] {
      const std::string metrics =
          https_request(t.h.server.port(), trusting(t.files.cert), "GET", "/metrics").body;
      return metric_sample(metrics, R"(weft_tls_handshakes_total{result="failed"})") == 1;
    }));
    CHECK(t.h.server.running());
  }

  TEST_CASE("a plain ws client to the TLS port gets no WebSocket but a 400 naming TLS") {
    TlsHarness t;
    INFO("server log:\n" << t.h.server.log());
    client::Session plain{t.h.ioc};
    const auto opened = plain.open("127.0.0.1", t.h.server.port());
    REQUIRE_FALSE(opened.has_value());
    CHECK(starts_with(opened.error(), "handshake: "));
    const HttpReply reply = http_request(t.h.server.port(), "GET", "/healthz");
    CAPTURE(reply.body);
    CHECK(reply.status == 400);
    CHECK(reply.body.find("TLS") != std::string::npos);
    CHECK(t.h.server.running());
    const std::string metrics =
        https_request(t.h.server.port(), trusting(t.files.cert), "GET", "/metrics").body;
    CHECK(metric_sample(metrics, R"(weft_tls_handshakes_total{result="plain"})") == 2);
    CHECK(metric_sample(metrics, R"(weft_tls_handshakes_total{result="ok"})") >= 1);
  }

  TEST_CASE("SIGHUP reloads the certificate for new connections; open ones keep going") {
    TlsHarness t;
    INFO("server log:\n" << t.h.server.log());
    client::Session& before = t.h.client("renewed");
    TempDir renewal;
    const std::filesystem::path old_cert = renewal.path() / "old.pem";
    std::filesystem::copy_file(t.files.cert, old_cert);
    TempDir next_dir;
    const TlsFiles next = make_tls_files(next_dir.path());
    std::filesystem::copy_file(next.cert, t.files.cert,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(next.key, t.files.key,
                               std::filesystem::copy_options::overwrite_existing);
    REQUIRE(::kill(t.h.server.pid(), SIGHUP) == 0);
    REQUIRE(t.h.wait_until([&] {
      return t.h.server.log().find("reloaded the TLS certificate") != std::string::npos;
    }));
    // New handshakes present the new certificate: trusting it works, trusting the old fails.
    const HttpReply renewed =
        https_request(t.h.server.port(), trusting(next.cert), "GET", "/healthz");
    CAPTURE(renewed.body);
    CHECK(renewed.status == 200);
    const HttpReply stale = https_request(t.h.server.port(), trusting(old_cert), "GET", "/healthz");
    CHECK(stale.status == 0);
    CHECK(stale.body.find("tls handshake") != std::string::npos);
    // The connection made before the reload still edits.
    REQUIRE(before.local_insert("renewed", 0, "typed after the renewal").has_value());
    CHECK(t.h.wait_until([&] { return before.acked("renewed"); }));
  }

  TEST_CASE("a reload that fails keeps the current certificate and says why") {
    TlsHarness t;
    INFO("server log:\n" << t.h.server.log());
    // The clients keep trusting the certificate loaded at startup, from a copy.
    TempDir trust;
    std::filesystem::copy_file(t.files.cert, trust.path() / "cert.pem");
    t.h.session_options.tls = trusting(trust.path() / "cert.pem");
    std::ofstream{t.files.cert, std::ios::trunc} << "not a certificate\n";
    REQUIRE(::kill(t.h.server.pid(), SIGHUP) == 0);
    REQUIRE(t.h.wait_until([&] {
      return t.h.server.log().find("kept the current TLS certificate") != std::string::npos;
    }));
    CHECK(t.h.server.log().find(t.files.cert.string() + ": not a PEM certificate chain") !=
          std::string::npos);
    // The certificate loaded at startup still serves new connections.
    client::Session& after = t.h.client("kept");
    REQUIRE(after.local_insert("kept", 0, "still encrypted").has_value());
    CHECK(t.h.wait_until([&] { return after.acked("kept"); }));
  }

  TEST_CASE("bytes that look like TLS but are not end that connection only") {
    TlsHarness t;
    INFO("server log:\n" << t.h.server.log());
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket socket{ioc};
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), t.h.server.port()});
    std::string garbage("\x16\x03\x01\x02\x00", 5);  // a TLS record header, then noise
    for (int i = 0; i < 600; ++i) garbage += static_cast<char>((i * 7919) % 251);
    boost::asio::write(socket, boost::asio::buffer(garbage));
    char byte = 0;
    boost::system::error_code ec;
    while (!ec) socket.read_some(boost::asio::buffer(&byte, 1), ec);  // the server closes it
    CHECK(https_request(t.h.server.port(), trusting(t.files.cert), "GET", "/healthz").status ==
          200);
    CHECK(t.h.server.running());
  }

  TEST_CASE("a certificate that cannot be loaded stops the server at startup, naming the file") {
    TempDir dir;
    const TlsFiles files = make_tls_files(dir.path());
    ServerProcess missing;
    CHECK_FALSE(missing.start(
        {"--tls-cert", (dir.path() / "absent.pem").string(), "--tls-key", files.key.string()}));
    CHECK(missing.log().find("absent.pem: no such file") != std::string::npos);
    TempDir other;
    const TlsFiles stranger = make_tls_files(other.path());
    ServerProcess mismatched;
    CHECK_FALSE(
        mismatched.start({"--tls-cert", files.cert.string(), "--tls-key", stranger.key.string()}));
    CHECK(mismatched.log().find(stranger.key.string() +
                                ": not a PEM private key of the certificate") != std::string::npos);
    CHECK(mismatched.log().find("key values mismatch") != std::string::npos);
  }
}

}  // namespace weft::integration
