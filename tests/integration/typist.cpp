// typist.cpp — weft-typist: one C++ client (client::Session) typing random edits into a document
// of a running server, for tests in other languages that must converge with the C++ client.
//
//   weft-typist --port P --doc ID [--seed N] [--edits K] [--interval-ms M] [--settle-ms S]
//
// Joins ID, makes K random inserts and deletes (ASCII, accents, CJK, emoji, newlines) M ms
// apart, waits until every one is acknowledged, then waits until no frame has arrived for S ms
// (the other writers have finished) and prints one JSON line {"text": ..., "replica": R}.
// Exit status: 0 on success, 1 if the server could not be reached or an edit was never acked,
// 64 on a bad argument.
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "client/session.hpp"

namespace {

using namespace std::chrono_literals;
using weft::client::Session;

struct Options {
  std::uint16_t port = 0;
  std::string doc;
  std::uint64_t seed = 1;
  std::uint64_t edits = 100;
  std::uint64_t interval_ms = 5;
  std::uint64_t settle_ms = 1000;
};

bool parse_number(std::string_view text, std::uint64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const std::string_view value = argv[i + 1];
    std::uint64_t number = 0;
    if (flag == "--doc") {
      options.doc = value;
      continue;
    }
    if (!parse_number(value, number)) return false;
    if (flag == "--port" && number > 0 && number < 65536) {
      options.port = static_cast<std::uint16_t>(number);
    } else if (flag == "--seed") {
      options.seed = number;
    } else if (flag == "--edits") {
      options.edits = number;
    } else if (flag == "--interval-ms") {
      options.interval_ms = number;
    } else if (flag == "--settle-ms") {
      options.settle_ms = number;
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && options.port != 0 && !options.doc.empty();
}

int fail(const std::string& why) {
  std::cerr << "weft-typist: " << why << '\n';
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::cerr << "usage: weft-typist --port P --doc ID [--seed N] [--edits K] [--interval-ms M] "
                 "[--settle-ms S]\n";
    return 64;
  }
  boost::asio::io_context ioc;
  Session session{
      ioc,
      {.client_name = "weft-typist", .timeout = 10s, .token = {}, .tls = {}, .on_refused = {}}};
  if (auto opened = session.open("127.0.0.1", options.port); !opened) return fail(opened.error());
  if (auto joined = session.join(options.doc); !joined) return fail(joined.error());

  static constexpr std::string_view pieces[] = {"a", "b", "c", " ", "é", "中", "😀", "\n", "xyz"};
  std::mt19937_64 rng{options.seed};
  for (std::uint64_t i = 0; i < options.edits; ++i) {
    const std::uint64_t length = session.doc(options.doc)->rga->length();
    const bool remove = length > 0 && rng() % 4 == 0;
    const std::uint64_t pos = rng() % (length + (remove ? 0 : 1));
    const auto edited =
        remove ? session.local_delete(options.doc, pos,
                                      1 + rng() % std::min<std::uint64_t>(3, length - pos))
               : session.local_insert(options.doc, pos, pieces[rng() % std::size(pieces)]);
    if (!edited) return fail("edit: " + edited.error());
    session.wait_until([] { return false; }, std::chrono::milliseconds(options.interval_ms));
  }
  if (!session.wait_until([&] { return session.acked(options.doc); }, 20s)) {
    return fail("not every edit was acknowledged within 20 s");
  }
  // Settle: the other writers are done once nothing has arrived for settle_ms.
  for (std::size_t seen = session.received().size();;) {
    session.wait_until([] { return false; }, std::chrono::milliseconds(options.settle_ms));
    if (session.received().size() == seen) break;
    seen = session.received().size();
  }
  const nlohmann::json line = {{"text", session.text(options.doc)},
                               {"replica", session.doc(options.doc)->replica}};
  std::cout << line.dump() << std::endl;
  return 0;
}
