// hostile_catch_up_test.cpp — hostile input (issue 13): joins of documents of the maximum size,
// joiners that never read. Catch-up is paced by the joiner's socket (PROTOCOL.md §9): a joiner
// that reads gets a document of any size, one that stops reading is closed with 4003, and neither
// makes the server hold a copy of the document per joiner.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/raw_client.hpp"

namespace weft::integration {
namespace {

// The default max_document_bytes (PROTOCOL.md §5.2).
constexpr std::size_t max_document_bytes = 64 * 1024 * 1024;

// A harness whose clients wait as long as a document of the maximum size takes in a Debug
// build, and whose writers are not held back by the bytes-per-second limit.
struct Big : Harness {
  explicit Big(std::vector<std::string> flags)
      : Harness([&] {
          flags.insert(flags.end(), {"--max-bytes-per-second", "1073741824"});
          return flags;
        }()) {
    session_options.timeout = std::chrono::minutes(5);
  }
  // Makes `doc` hold `text`, typed by one client, and waits until it is durable; the writer.
  client::Session& build(const std::string& doc, const std::string& text) {
    auto& writer = client(doc);
    const auto inserted = writer.local_insert(doc, 0, text);
    REQUIRE_MESSAGE(inserted.has_value(), inserted.error());
    REQUIRE(wait_until([&] { return writer.acked(doc); }, std::chrono::minutes(5)));
    return writer;
  }
};

// How many times `what` occurs in `text`.
std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_SUITE("hostile catch-up") {
  TEST_CASE("a fresh joiner of a document of the maximum size gets all of it") {
    // The real default limits (max_document_bytes 64 MiB, max_outbound_bytes 16 MiB); only the
    // bytes-per-second limit is lifted so that the document is typed quickly.
    Big big({});
    const std::string text = mixed_text(max_document_bytes - 64 * 1024);
    big.build("huge", text);

    client::Session& reader =
        *big.clients.emplace_back(std::make_unique<client::Session>(big.ioc, big.session_options));
    REQUIRE(reader.open("127.0.0.1", big.server.port()).has_value());
    const auto started = std::chrono::steady_clock::now();
    reader.join_async("huge");
    REQUIRE_MESSAGE(big.wait_until([&] { return reader.live("huge") || reader.close_info(); },
                                   std::chrono::minutes(5)),
                    big.server.log());
    const auto took = std::chrono::steady_clock::now() - started;
    MESSAGE("join of " << text.size() << " bytes took "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                       << " ms");
    REQUIRE_MESSAGE(reader.live("huge"), big.server.log());
    CHECK_FALSE(reader.close_info().has_value());
    CHECK(reader.text("huge") == text);
    CHECK(big.server.log().find("event=too_slow") == std::string::npos);
  }

  TEST_CASE("joiners that never read are closed with 4003 without a copy of the document each") {
    // A 12 MB document, as in the issue: 60 such joins cost ~470 MiB when each joiner's whole
    // catch-up was queued at once. The idle timeout (30 s) outlasts the catch-up stall deadline
    // (half of it) with room to read the close codes afterwards.
    constexpr int joiners = 60;
    constexpr std::size_t document_bytes = 12'000'000;
    // The too_slow lines are counted below: the log's rate limit must not thin them out.
    Big big({"--idle-timeout-ms", "30000", "--max-connections-per-ip", "100",
             "--log-lines-per-second", "1000"});
    auto& writer = big.build("stuck", mixed_text(document_bytes));
    const std::uint64_t rss_before = process_status_kib(big.server.pid(), "VmRSS");

    // Every tenth joiner comes after an edit: joiners of a document being edited are sent the
    // image the earlier ones are still being sent, and the ops since, not a copy each.
    std::vector<std::unique_ptr<RawClient>> stuck;
    std::string typed;
    for (int i = 0; i < joiners; ++i) {
      if (i % 10 == 9) {
        REQUIRE(writer.local_insert("stuck", 0, "e").has_value());
        typed += "e";
        REQUIRE(big.wait_until([&] { return writer.acked("stuck"); }));
      }
      // A joiner that never reads: a tiny receive window, and nothing runs its io_context.
      stuck.push_back(std::make_unique<RawClient>(big.server.port()));
      stuck.back()->join("stuck", "stuck-joiner");
    }
    // What the server holds for clients, by its own count (weft_outbound_queued_bytes), and its
    // memory, until every stuck joiner is closed.
    std::uint64_t rss_peak = rss_before;
    double outbound_peak = 0;
    const bool all_closed = big.wait_until(
        [&] {
          rss_peak = std::max(rss_peak, process_status_kib(big.server.pid(), "VmRSS"));
          outbound_peak = std::max(
              outbound_peak, metric_sample(http_request(big.server.port(), "GET", "/metrics").body,
                                           "weft_outbound_queued_bytes"));
          return count_of(big.server.log(), "event=too_slow") >= joiners;
        },
        std::chrono::minutes(2));
    const std::uint64_t grown_kib = rss_peak - rss_before;
    MESSAGE("server VmRSS " << rss_before << " KiB before, peak " << rss_peak << " KiB with "
                            << joiners << " stuck joiners (+" << grown_kib / 1024
                            << " MiB); outbound queues peaked at " << outbound_peak << " bytes");
    REQUIRE_MESSAGE(all_closed, big.server.log());
    CHECK(count_of(big.server.log(), "catching_up=true") == joiners);
    // N copies would be 60 x 12 MB = 687 MiB. Each joiner has at most about one catch-up frame
    // (under 1 MiB) queued, ...
    CHECK(outbound_peak < joiners * 1024.0 * 1024.0);
    // ... and the process grows by one shared image and those frames: far below N copies. The
    // margin is generous for the allocator (ASan's quarantine keeps up to 256 MiB of freed
    // frames on top).
#if defined(__SANITIZE_ADDRESS__)
    constexpr std::uint64_t allocator_kib = 256 * 1024;
#else
    constexpr std::uint64_t allocator_kib = 0;
#endif
    CHECK(grown_kib * 1024 < joiners * document_bytes / 4 + allocator_kib * 1024);

    // Each was told why: what it was sent, then close 4003.
    for (auto& joiner : stuck) CHECK(joiner->read_until_closed() == 4003);
    // The document still serves a reader.
    auto& reader = big.client("stuck");
    CHECK(reader.text("stuck") == writer.text("stuck"));
    CHECK(reader.text("stuck").size() == document_bytes + typed.size());
  }
}

}  // namespace weft::integration
