// durability_test.cpp — every acknowledged op survives a crash (SIGKILL right after the last ack)
// and a clean restart.
#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

namespace weft::integration {
namespace {

// The text of every op the sessions hold, merged into one replica: what the server acknowledged
// once every session's unacked queue is empty.
std::string merged_text(const std::vector<client::Session*>& sessions, const std::string& doc) {
  crdt::Rga merged;
  for (const client::Session* session : sessions) {
    const auto ops = session->doc(doc)->rga->ops_since({});
    REQUIRE(ops.has_value());
    for (const crdt::Op& op : *ops) (void)merged.apply_remote(op);
  }
  REQUIRE(merged.buffered_ops() == 0);
  return merged.text();
}

}  // namespace

TEST_SUITE("integration: durability") {
  TEST_CASE("every acknowledged op is there after the server is killed and restarted") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client("diary");
    client::Session& b = h.client("diary");
    type_together(h, a, b, "diary", 99, 80);
    REQUIRE(h.wait_until([&] { return a.acked("diary") && b.acked("diary"); }));
    h.server.kill();
    const std::string acked_text = merged_text({&a, &b}, "diary");
    CHECK(acked_text.size() > 20);

    REQUIRE(h.server.start());
    client::Session& fresh = h.client("diary");
    CHECK(fresh.text("diary") == acked_text);
    // The old clients resume on the same epoch and converge without a reset.
    const auto resumed = a.reconnect("127.0.0.1", h.server.port());
    REQUIRE_MESSAGE(resumed.has_value(), resumed.error());
    CHECK(a.text("diary") == acked_text);
    CHECK(a.doc("diary")->resets == 0);
  }

  TEST_CASE("a document survives a clean shutdown and restart") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client("kept");
    REQUIRE(a.local_insert("kept", 0, "stays after SIGTERM").has_value());
    REQUIRE(h.wait_until([&] { return a.acked("kept"); }));
    CHECK(h.server.stop().clean());
    REQUIRE(h.server.start());
    CHECK(h.client("kept").text("kept") == "stays after SIGTERM");
  }

}  // TEST_SUITE
}  // namespace weft::integration
