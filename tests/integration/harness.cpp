// harness.cpp — Harness and the random typist shared by the integration cases.
#include "tests/integration/harness.hpp"

#include <doctest/doctest.h>

namespace weft::integration {

Harness::Harness(const std::vector<std::string>& flags) {
  REQUIRE_MESSAGE(server.start(flags), server.log());
}

client::Session& Harness::client(const std::string& doc) {
  auto& session = *clients.emplace_back(std::make_unique<client::Session>(ioc, session_options));
  const auto opened = session.open("127.0.0.1", server.port());
  REQUIRE_MESSAGE(opened.has_value(), opened.error());
  if (!doc.empty()) {
    const auto joined = session.join(doc);
    REQUIRE_MESSAGE(joined.has_value(), joined.error());
  }
  return session;
}

client::Session& Harness::client_with_token(const std::string& token) {
  client::SessionOptions options = session_options;
  options.token = token;
  auto& session = *clients.emplace_back(std::make_unique<client::Session>(ioc, options));
  const auto opened = session.open("127.0.0.1", server.port());
  REQUIRE_MESSAGE(opened.has_value(), opened.error());
  return session;
}

client::Session& Harness::raw_client() {
  auto& session = *clients.emplace_back(std::make_unique<client::Session>(ioc, session_options));
  const auto opened = session.connect("127.0.0.1", server.port());
  REQUIRE_MESSAGE(opened.has_value(), opened.error());
  return session;
}

bool Harness::wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  return client::run_until(ioc, done, timeout);
}

void Harness::pump(std::chrono::milliseconds time) {
  (void)client::run_until(
      ioc, [] { return false; }, time);
}

void type_together(Harness& h, client::Session& a, client::Session& b, const std::string& doc,
                   std::uint32_t seed, int rounds) {
  std::mt19937 rng{seed};
  for (int i = 0; i < rounds; ++i) {
    random_edit(a, doc, rng, "abc");
    random_edit(b, doc, rng, "xyz");
    if (i % 10 == 9) h.pump(2ms);
  }
}

void random_edit(client::Session& session, const std::string& doc, std::mt19937& rng,
                 const std::string& alphabet) {
  const std::uint64_t length = session.doc(doc)->rga->length();
  const bool erase = length > 0 && std::uniform_int_distribution<int>(0, 3)(rng) == 0;
  if (erase) {
    const std::uint64_t pos = std::uniform_int_distribution<std::uint64_t>(0, length - 1)(rng);
    const std::uint64_t len =
        std::min<std::uint64_t>(length - pos, std::uniform_int_distribution<int>(1, 3)(rng));
    REQUIRE(session.local_delete(doc, pos, len).has_value());
    return;
  }
  const std::uint64_t pos = std::uniform_int_distribution<std::uint64_t>(0, length)(rng);
  std::string text;
  const int n = std::uniform_int_distribution<int>(1, 3)(rng);
  for (int i = 0; i < n; ++i) {
    text += alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
  }
  REQUIRE(session.local_insert(doc, pos, text).has_value());
}

bool same_text(const std::vector<client::Session*>& sessions, const std::string& doc) {
  for (const client::Session* session : sessions) {
    if (session->text(doc) != sessions.front()->text(doc)) return false;
  }
  return true;
}

}  // namespace weft::integration
