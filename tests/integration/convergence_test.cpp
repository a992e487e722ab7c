// convergence_test.cpp — clients editing through a real server end with the same text as the
// server holds: concurrent typing, an offline client, and late joiners (ops and snapshot paths).
#include <algorithm>
#include <cctype>
#include <string>
#include <variant>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

namespace weft::integration {
namespace {

std::size_t count_frames_of(const client::Session& session, std::size_t from, auto pick) {
  const auto& frames = session.received();
  return static_cast<std::size_t>(
      std::count_if(frames.begin() + static_cast<std::ptrdiff_t>(from), frames.end(),
                    [&](const proto::Frame& frame) { return pick(frame); }));
}

bool is_snapshot(const proto::Frame& f) { return std::holds_alternative<proto::SnapshotChunk>(f); }
bool is_ops(const proto::Frame& f) { return std::holds_alternative<proto::Ops>(f); }

std::size_t count_upper(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return std::isupper(static_cast<unsigned char>(c)) != 0;
  }));
}

}  // namespace

TEST_SUITE("integration: convergence") {
  TEST_CASE("three clients on each of three documents typing at once converge with the server") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    const std::vector<std::string> docs{"alpha", "beta", "gamma"};
    std::vector<std::vector<client::Session*>> members(docs.size());
    for (std::size_t d = 0; d < docs.size(); ++d) {
      for (int c = 0; c < 3; ++c) members[d].push_back(&h.client(docs[d]));
    }
    std::mt19937 rng{20240604};
    for (int round = 0; round < 60; ++round) {
      for (std::size_t d = 0; d < docs.size(); ++d) {
        for (client::Session* session : members[d]) random_edit(*session, docs[d], rng, "abcxyz");
      }
      if (round % 6 == 5) h.pump(5ms);
    }
    for (std::size_t d = 0; d < docs.size(); ++d) {
      CAPTURE(docs[d]);
      CHECK(h.wait_until([&] {
        return std::all_of(members[d].begin(), members[d].end(),
                           [&](auto* s) { return s->acked(docs[d]); }) &&
               same_text(members[d], docs[d]);
      }));
      CHECK(members[d].front()->text(docs[d]).size() > 100);
      client::Session& fresh = h.client(docs[d]);
      CHECK(fresh.text(docs[d]) == members[d].front()->text(docs[d]));
      CHECK(fresh.doc(docs[d])->digests_checked == 1);  // synced's digest matched its text
      CHECK(fresh.doc(docs[d])->digest_mismatches == 0);
      for (client::Session* session : members[d]) {
        CHECK(session->doc(docs[d])->digest_mismatches == 0);
      }
    }
  }

  TEST_CASE("a client that edits offline converges on reconnecting and loses nothing it typed") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& away = h.client("notes");
    client::Session& here = h.client("notes");
    REQUIRE(away.local_insert("notes", 0, "START").has_value());
    REQUIRE(h.wait_until([&] { return away.acked("notes") && here.text("notes") == "START"; }));

    away.disconnect();
    std::mt19937 rng{7};
    std::size_t typed_upper = 5;
    for (int i = 0; i < 40; ++i) {
      const std::uint64_t pos = rng() % (away.doc("notes")->rga->length() + 1);
      REQUIRE(away.local_insert("notes", pos, "Q").has_value());
      ++typed_upper;
      random_edit(here, "notes", rng, "abc");  // may delete START's letters too
    }
    h.pump(50ms);
    const std::string here_text_before = here.text("notes");
    const std::size_t upper_deleted_by_here =
        5 - std::min<std::size_t>(5, count_upper(here_text_before));

    REQUIRE(away.reconnect().has_value());
    CHECK(h.wait_until([&] {
      return away.acked("notes") && here.acked("notes") && away.text("notes") == here.text("notes");
    }));
    CHECK(count_upper(away.text("notes")) == typed_upper - upper_deleted_by_here);
    client::Session& fresh = h.client("notes");
    CHECK(fresh.text("notes") == away.text("notes"));
  }

  TEST_CASE("a client coming back catches up by ops, a new joiner of a long document by snapshot") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& writer = h.client("long");
    client::Session& returning = h.client("long");
    const std::string line(200, 'x');
    for (int i = 0; i < 100; ++i) {
      REQUIRE(
          writer.local_insert("long", writer.doc("long")->rga->length(), line + "\n").has_value());
      if (i % 20 == 19) REQUIRE(h.wait_until([&] { return writer.acked("long"); }));
    }
    REQUIRE(h.wait_until([&] { return writer.acked("long"); }));
    REQUIRE(h.wait_until([&] { return returning.text("long") == writer.text("long"); }));

    returning.disconnect();
    REQUIRE(writer.local_insert("long", 10, "while you were away").has_value());
    REQUIRE(h.wait_until([&] { return writer.acked("long"); }));
    const std::size_t seen = returning.received().size();
    REQUIRE(returning.reconnect().has_value());
    CHECK(returning.text("long") == writer.text("long"));
    CHECK(count_frames_of(returning, seen, is_ops) > 0);
    CHECK(count_frames_of(returning, seen, is_snapshot) == 0);

    client::Session& late = h.client("long");
    CHECK(late.text("long") == writer.text("long"));
    CHECK(late.text("long").size() == 100 * 201 + 19);
    CHECK(count_frames_of(late, 0, is_snapshot) > 0);
  }

}  // TEST_SUITE
}  // namespace weft::integration
