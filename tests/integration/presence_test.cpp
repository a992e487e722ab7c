// presence_test.cpp — a member's presence reaches the others, and disappears when it leaves or
// its connection dies.
#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

namespace weft::integration {
namespace {

bool shows(const client::Session& viewer, const std::string& doc, crdt::ReplicaId member,
           const std::string& name) {
  const auto& presences = viewer.doc(doc)->presences;
  const auto it = presences.find(member);
  return it != presences.end() && it->second.name == name;
}

bool shows_any(const client::Session& viewer, const std::string& doc, crdt::ReplicaId member) {
  return viewer.doc(doc)->presences.contains(member);
}

}  // namespace

TEST_SUITE("integration: presence") {
  TEST_CASE("presence appears for the other members and goes when its member leaves or dies") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& ann = h.client("room");
    client::Session& bob = h.client("room");
    client::Session& cid = h.client("room");
    REQUIRE(ann.local_insert("room", 0, "hello").has_value());
    REQUIRE(
        h.wait_until([&] { return bob.text("room") == "hello" && cid.text("room") == "hello"; }));

    const crdt::ReplicaId ann_id = ann.doc("room")->replica;
    const crdt::ReplicaId cid_id = cid.doc("room")->replica;
    proto::PresenceState state;
    state.name = "ann";
    state.color = "#e0457b";
    state.typing = true;
    state.head = ann.doc("room")->rga->anchor_at(2, crdt::Side::after).value();
    ann.set_presence("room", state);
    proto::PresenceState cid_state;
    cid_state.name = "cid";
    cid.set_presence("room", cid_state);

    CHECK(h.wait_until([&] {
      return shows(bob, "room", ann_id, "ann") && shows(cid, "room", ann_id, "ann") &&
             shows(bob, "room", cid_id, "cid");
    }));
    CHECK(bob.doc("room")->presences.at(ann_id) == state);
    CHECK_FALSE(shows_any(ann, "room", ann_id));  // not echoed to its own member

    ann.leave("room");
    CHECK(h.wait_until(
        [&] { return !shows_any(bob, "room", ann_id) && !shows_any(cid, "room", ann_id); }));

    cid.disconnect(/*abrupt=*/true);
    CHECK(h.wait_until([&] { return !shows_any(bob, "room", cid_id); }));
  }

}  // TEST_SUITE
}  // namespace weft::integration
