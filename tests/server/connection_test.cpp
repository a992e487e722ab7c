// connection_test.cpp — server/connections/connection.hpp: hello, routing errors, limits.
#include "server/connections/connection.hpp"

#include <doctest/doctest.h>

#include "server/base/version.hpp"
#include "tests/server/server_test_support.hpp"

namespace weft::server::test {
namespace {

proto::Join fresh_join(std::string doc) {
  return proto::Join{std::move(doc), std::nullopt, std::nullopt, std::nullopt, {}};
}

std::string error_names(const std::vector<proto::Frame>& frames) { return kinds(frames); }

}  // namespace

TEST_SUITE("Connection") {
  TEST_CASE("hello is answered with welcome carrying the server's limits") {
    ServerConfig config = test_config();
    config.limits.max_ops_per_frame = 77;
    TestServer server(config);
    Client& client = server.open();
    client.send(proto::Hello{proto::protocol_version, "test/1"});
    server.settle();
    const auto frames = client.take();
    REQUIRE(frames.size() == 1);
    const auto& welcome = std::get<proto::Welcome>(frames[0]);
    CHECK(welcome.version == proto::protocol_version);
    CHECK(welcome.server == base::server_name);
    CHECK(welcome.limits == config.limits);
    CHECK(client.connection.greeted());
  }

  TEST_CASE("an unsupported version gets an error and close 4001") {
    TestServer server;
    Client& client = server.open();
    client.send(proto::Hello{proto::protocol_version + 1, "future"});
    CHECK(error_names(client.take()) == "error:unsupported_version");
    CHECK(client.peer->closed_with() == proto::CloseCode::unsupported_version);
    CHECK_FALSE(client.connection.greeted());
  }

  TEST_CASE("a first frame other than hello gets hello_required and close 4002") {
    TestServer server;
    Client& client = server.open();
    client.send(fresh_join("doc"));
    CHECK(error_names(client.take()) == "error:hello_required");
    CHECK(client.peer->closed_with() == proto::CloseCode::hello_required);
  }

  TEST_CASE("a second hello gets hello_required and the connection stays open") {
    TestServer server;
    Client& client = server.connect();
    client.send(proto::Hello{proto::protocol_version, "again"});
    CHECK(error_names(client.take()) == "error:hello_required");
    CHECK_FALSE(client.peer->closed_with());
  }

  TEST_CASE("a document id outside the allowed characters gets bad_document_id") {
    TestServer server;
    Client& client = server.connect();
    client.send(fresh_join("no spaces/allowed"));
    server.settle();
    CHECK(error_names(client.take()) == "error:bad_document_id");
  }

  TEST_CASE("ops, presence and leave for a document not joined get not_joined") {
    TestServer server;
    Client& client = server.connect();
    client.send(proto::Ops{"doc", {insert(1, 0, 1, crdt::root_id, "x")}});
    client.send(proto::Presence{"doc", {}});
    client.send(proto::Leave{"doc"});
    server.settle();
    CHECK(error_names(client.take()) == "error:not_joined error:not_joined error:not_joined");
  }

  TEST_CASE("joining a document twice gets already_joined") {
    TestServer server;
    Client& client = server.connect();
    server.join_fresh(client, "doc");
    client.send(fresh_join("doc"));
    server.settle();
    CHECK(error_names(client.take()) == "error:already_joined");
  }

  TEST_CASE("joining more documents than allowed gets too_many_documents") {
    ServerConfig config = test_config();
    config.limits.max_docs_per_connection = 2;
    TestServer server(config);
    Client& client = server.connect();
    server.join_fresh(client, "a");
    server.join_fresh(client, "b");
    client.send(fresh_join("c"));
    server.settle();
    CHECK(error_names(client.take()) == "error:too_many_documents");
  }

  TEST_CASE("an ops frame with more ops than allowed gets too_many_ops and is ignored") {
    ServerConfig config = test_config();
    config.limits.max_ops_per_frame = 2;
    TestServer server(config);
    Client& client = server.connect();
    const auto joined = server.join_fresh(client, "doc");
    const auto r = joined.replica;
    client.send(proto::Ops{"doc",
                           {insert(r, 0, 1, crdt::root_id, "a"), insert(r, 1, 2, {r, 0}, "b"),
                            insert(r, 2, 3, {r, 1}, "c")}});
    server.settle();
    CHECK(error_names(client.take()) == "error:too_many_ops");
    CHECK(server.stream.appends == 0);
  }

  TEST_CASE("bytes that are not a frame get malformed_frame") {
    TestServer server;
    Client& client = server.connect();
    client.connection.on_message("\xc1", true);
    CHECK(error_names(client.take()) == "error:malformed_frame");
    CHECK_FALSE(client.peer->closed_with());
  }

  TEST_CASE("an unknown frame type gets unknown_frame_type") {
    TestServer server;
    Client& client = server.connect();
    client.connection.on_message("\x91\x63", true);  // [99]
    CHECK(error_names(client.take()) == "error:unknown_frame_type");
  }

  TEST_CASE("a text message gets malformed_frame") {
    TestServer server;
    Client& client = server.connect();
    client.connection.on_message(proto::encode_frame(proto::Leave{"doc"}), false);
    CHECK(error_names(client.take()) == "error:malformed_frame");
  }

  TEST_CASE("a frame only the server sends gets malformed_frame") {
    TestServer server;
    Client& client = server.connect();
    client.send(proto::Left{"doc"});
    CHECK(error_names(client.take()) == "error:malformed_frame");
  }

  TEST_CASE("frames beyond the burst are dropped with one rate_limited error") {
    ServerConfig config = test_config();
    config.limits.max_frames_per_second = 3;  // burst of 6, hello included
    TestServer server(config);
    Client& client = server.connect();
    for (int i = 0; i < 7; ++i) client.send(proto::Leave{"doc"});
    CHECK(error_names(client.take()) ==
          "error:not_joined error:not_joined error:not_joined error:not_joined error:not_joined "
          "error:rate_limited");
    CHECK_FALSE(client.peer->closed_with());
  }

  TEST_CASE("a sustained flood is closed with 1008") {
    ServerConfig config = test_config();
    config.limits.max_frames_per_second = 3;
    TestServer server(config);
    Client& client = server.connect();
    for (int i = 0; i < 20; ++i) client.send(proto::Leave{"doc"});
    CHECK(client.peer->closed_with() == proto::CloseCode::policy_violation);
  }

  TEST_CASE("diverged reports are counted") {
    TestServer server;
    Client& client = server.connect();
    server.join_fresh(client, "doc");
    client.send(proto::Diverged{"doc", {}, {}});
    CHECK(server.metrics.divergence_reports.Value() == 1);
  }
}

}  // namespace weft::server::test
