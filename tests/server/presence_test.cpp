// presence_test.cpp — server/presence_board.hpp and presence relaying by documents.
#include <doctest/doctest.h>

#include "server/documents/presence_board.hpp"
#include "tests/server/server_test_support.hpp"

namespace weft::server::test {
using documents::PresenceBoard;
namespace {

proto::PresenceState named(std::string name) {
  proto::PresenceState state;
  state.name = std::move(name);
  return state;
}

}  // namespace

TEST_SUITE("PresenceBoard") {
  TEST_CASE("changes are coalesced per replica until taken") {
    PresenceBoard board;
    board.set(2, named("a"));
    board.set(2, named("b"));
    board.set(1, named("c"));
    const auto changes = board.take_changes();
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].replica == 1);
    CHECK(changes[1] == proto::Presences::Entry{2, named("b")});
    CHECK_FALSE(board.has_changes());
  }

  TEST_CASE("a removal is a change with no state") {
    PresenceBoard board;
    board.set(1, named("a"));
    (void)board.take_changes();
    board.remove(1);
    CHECK(board.take_changes() == std::vector<proto::Presences::Entry>{{1, std::nullopt}});
    CHECK(board.current().empty());
  }

  TEST_CASE("setting the same state again is no change") {
    PresenceBoard board;
    board.set(1, named("a"));
    (void)board.take_changes();
    board.set(1, named("a"));
    CHECK_FALSE(board.has_changes());
  }
}

TEST_SUITE("Document presence") {
  TEST_CASE("presence updates are coalesced and relayed to the other members only") {
    TestServer server;
    Client& a = server.connect();
    Client& b = server.connect();
    const auto ra = server.join_fresh(a, "doc").replica;
    server.join_fresh(b, "doc");
    a.send(proto::Presence{"doc", named("first")});
    a.send(proto::Presence{"doc", named("second")});
    server.settle();
    CHECK(a.take().empty());
    const auto frames = b.take();
    REQUIRE(kinds(frames) == "presences");
    CHECK(std::get<proto::Presences>(frames[0]).entries ==
          std::vector<proto::Presences::Entry>{{ra, named("second")}});
  }

  TEST_CASE("a late joiner is sent the others' current presence") {
    TestServer server;
    Client& a = server.connect();
    const auto ra = server.join_fresh(a, "doc").replica;
    a.send(proto::Presence{"doc", named("a")});
    server.settle();
    Client& b = server.connect();
    server.join_fresh(b, "doc");
    const auto presences = only<proto::Presences>(server.last_frames);
    REQUIRE(presences.size() == 1);
    CHECK(presences[0].entries == std::vector<proto::Presences::Entry>{{ra, named("a")}});
  }

  TEST_CASE("leaving removes the member's presence and is answered with left") {
    TestServer server;
    Client& a = server.connect();
    Client& b = server.connect();
    const auto ra = server.join_fresh(a, "doc").replica;
    server.join_fresh(b, "doc");
    a.send(proto::Presence{"doc", named("a")});
    server.settle();
    b.take();
    a.send(proto::Leave{"doc"});
    server.settle();
    CHECK(a.take() == std::vector<proto::Frame>{proto::Left{"doc"}});
    CHECK(b.take() == std::vector<proto::Frame>{proto::Presences{"doc", {{ra, std::nullopt}}}});
  }

  TEST_CASE("a closed connection's presence is removed") {
    TestServer server;
    Client& a = server.connect();
    Client& b = server.connect();
    const auto ra = server.join_fresh(a, "doc").replica;
    server.join_fresh(b, "doc");
    a.send(proto::Presence{"doc", named("a")});
    server.settle();
    b.take();
    server.close(a);
    server.settle();
    CHECK(b.take() == std::vector<proto::Frame>{proto::Presences{"doc", {{ra, std::nullopt}}}});
  }
}

}  // namespace weft::server::test
