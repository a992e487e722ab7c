// limits_test.cpp — every limit of PROTOCOL.md §9 against the real binary: the error frame, HTTP
// status or close code it names, nothing silently dropped, and the document still working after.
// Also the large paste (split by the client, converging everywhere) and the slow client (closed
// with 4003 while the others keep editing, the server's memory bounded).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <doctest/doctest.h>

#include "proto/error_frame.hpp"
#include "proto/frame_codec.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/raw_client.hpp"

namespace weft::integration {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using proto::ErrorCode;

// A server started with `flags`, and the clients of one case; pastes need a longer wait.
struct Limited : Harness {
  using Harness::Harness;
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s) {
    return Harness::wait_until(done, timeout);
  }
  void append(client::Session& session, const std::string& doc, const std::string& text) {
    const auto inserted = session.local_insert(doc, session.doc(doc)->rga->length(), text);
    REQUIRE_MESSAGE(inserted.has_value(), inserted.error());
  }
};

std::optional<proto::Error> first_error(const client::Session& session, ErrorCode code) {
  for (const proto::Error& error : session.errors()) {
    if (error.code == static_cast<std::uint64_t>(code)) return error;
  }
  return std::nullopt;
}

std::uint64_t rejected(crdt::Errc e) { return proto::op_rejected_code(e); }

}  // namespace

TEST_SUITE("limits") {
  TEST_CASE("a 5 MB paste is split by the client and reaches everyone, also a later joiner") {
    Limited l;
    auto& writer = l.client("paste");
    auto& reader1 = l.client("paste");
    auto& reader2 = l.client("paste");
    const std::string text = mixed_text(5'000'000);
    l.append(writer, "paste", text);
    CHECK(writer.doc("paste")->outbox.size() > 1);  // split into several ops
    // Compared by length, not text: wait_until checks after every frame, and building a
    // 5 MB text each time made the readers so slow (in Debug, with the machine loaded) that a
    // server ping queued behind megabytes of ops went unanswered for the idle timeout.
    const std::uint64_t length = writer.doc("paste")->rga->length();
    const auto has_all = [&](client::Session& s) {
      return s.doc("paste")->rga->length() == length;
    };
    REQUIRE(l.wait_until(
        [&] { return writer.acked("paste") && has_all(reader1) && has_all(reader2); }, 180s));
    CHECK(reader1.text("paste") == text);
    CHECK(reader2.text("paste") == text);
    CHECK(l.client("paste").text("paste") == text);
    CHECK(first_error(writer, ErrorCode::rate_limited) == std::nullopt);
  }

  TEST_CASE("ops beyond max-ops-per-second are refused with rate_limited, resent, and converge") {
    Limited l({"--max-ops-per-second", "10"});
    auto& writer = l.client("rate");
    auto& reader = l.client("rate");
    for (int i = 0; i < 60; ++i) l.append(writer, "rate", "x");  // 60 frames of one op
    REQUIRE(l.wait_until([&] { return first_error(writer, ErrorCode::rate_limited).has_value(); }));
    const proto::Error error = *first_error(writer, ErrorCode::rate_limited);
    CHECK(error.doc == "rate");
    REQUIRE(error.op.has_value());
    CHECK(error.op->replica == writer.doc("rate")->replica);
    CHECK(l.wait_until(
        [&] { return writer.acked("rate") && reader.text("rate") == std::string(60, 'x'); }));
    CHECK(l.server.running());
  }

  TEST_CASE("ops frames beyond a document's max-queued-ops get overloaded, are resent, converge") {
    Limited l({"--max-queued-ops", "1"});
    auto& writer = l.client("queue");
    auto& reader = l.client("queue");
    // 60 frames of one op at once: while the first commit is in flight, the second waits in the
    // queue and the third finds it full.
    for (int i = 0; i < 60; ++i) l.append(writer, "queue", "q");
    REQUIRE(l.wait_until([&] { return first_error(writer, ErrorCode::overloaded).has_value(); }));
    const proto::Error error = *first_error(writer, ErrorCode::overloaded);
    CHECK(error.doc == "queue");
    REQUIRE(error.op.has_value());  // the refused frame's first op: what to send again
    CHECK(error.op->replica == writer.doc("queue")->replica);
    CHECK(l.wait_until(
        [&] { return writer.acked("queue") && reader.text("queue") == std::string(60, 'q'); }));
  }

  TEST_CASE("a frame larger than max-queued-ops is taken when the document's queue is empty") {
    Limited l({"--max-queued-ops", "1"});
    auto& writer = l.client("big");
    auto& reader = l.client("big");
    const crdt::ReplicaId r = writer.doc("big")->replica;
    // Three ops in one frame, written from the spec: "ab", then "c" after "b", then "d" after "c".
    writer.send_frame(proto::Ops{
        "big",
        {crdt::InsertOp{r, 0, 1, crdt::root_id, "ab"}, crdt::InsertOp{r, 2, 3, crdt::Id{r, 1}, "c"},
         crdt::InsertOp{r, 3, 4, crdt::Id{r, 2}, "d"}}});
    CHECK(l.wait_until([&] { return reader.text("big") == "abcd"; }));
    CHECK(first_error(writer, ErrorCode::overloaded) == std::nullopt);
  }

  TEST_CASE("ops frames beyond max-bytes-per-second are refused with rate_limited and resent") {
    Limited l({"--max-bytes-per-second", "1024"});
    auto& writer = l.client("bytes");
    auto& reader = l.client("bytes");
    const std::string chunk(1500, 'b');
    for (int i = 0; i < 3; ++i) l.append(writer, "bytes", chunk);
    REQUIRE(l.wait_until([&] { return first_error(writer, ErrorCode::rate_limited).has_value(); }));
    CHECK(first_error(writer, ErrorCode::rate_limited)->message.find("bytes") != std::string::npos);
    CHECK(l.wait_until(
        [&] { return writer.acked("bytes") && reader.text("bytes") == chunk + chunk + chunk; }));
  }

  TEST_CASE("ops longer than --max-run get run_too_long naming them; the client splits at it") {
    Limited l({"--max-run", "8"});
    auto& writer = l.client("run");
    auto& reader = l.client("run");
    const std::string text = "split into ops of at most eight code points: é😀";
    l.append(writer, "run", text);
    CHECK(writer.doc("run")->outbox.size() == 6);
    REQUIRE(l.wait_until([&] { return writer.acked("run") && reader.text("run") == text; }));
    const crdt::ReplicaId me = reader.doc("run")->replica;
    reader.send_frame(proto::Ops{"run", {crdt::InsertOp{me, 0, 1000, crdt::root_id, "ninechars"}}});
    const auto refused = [&]() -> std::optional<proto::Error> {
      for (const proto::Error& e : reader.errors()) {
        if (e.code == rejected(crdt::Errc::run_too_long)) return e;
      }
      return std::nullopt;
    };
    REQUIRE(l.wait_until([&] { return refused().has_value(); }));
    CHECK(refused()->doc == "run");
    CHECK(refused()->op == crdt::Id{me, 0});
    CHECK(l.client("run").text("run") == text);
  }

  TEST_CASE("a document stored with ops longer than a --max-run lowered since still loads (#14)") {
    Limited l;
    auto& writer = l.client("long");
    const std::string text(100, 'a');
    l.append(writer, "long", text);
    CHECK(writer.doc("long")->outbox.size() == 1);  // one op of 100 units in the log
    REQUIRE(l.wait_until([&] { return writer.acked("long"); }));
    l.server.kill();  // no snapshot on the way down: the document loads from its log
    REQUIRE(l.server.start({"--max-run", "8"}));
    auto& reader = l.client("long");
    CHECK(reader.text("long") == text);
    l.append(reader, "long", "and more after it");
    CHECK(l.wait_until([&] { return reader.acked("long"); }));
    CHECK(l.client("long").text("long") == text + "and more after it");
  }

  TEST_CASE("an upgrade beyond max-connections-per-ip gets HTTP 429 until a connection closes") {
    Limited l({"--max-connections-per-ip", "3"});
    for (int i = 0; i < 3; ++i) l.client();
    {
      // A plain HTTP exchange: the refused upgrade's status and body.
      net::io_context ioc;
      net::ip::tcp::socket socket(ioc);
      socket.connect({net::ip::make_address("127.0.0.1"), l.server.port()});
      http::request<http::empty_body> request{http::verb::get, "/ws", 11};
      request.set(http::field::host, "127.0.0.1");
      request.set(http::field::connection, "Upgrade");
      request.set(http::field::upgrade, "websocket");
      request.set(http::field::sec_websocket_version, "13");
      request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
      http::write(socket, request);
      boost::beast::flat_buffer buffer;
      http::response<http::string_body> response;
      http::read(socket, buffer, response);
      CHECK(response.result_int() == 429);
      CHECK(response.body().starts_with("too_many_connections"));
    }
    l.clients.front()->disconnect();
    CHECK(l.wait_until([&] {
      client::Session session(l.ioc);
      return session.connect("127.0.0.1", l.server.port()).has_value();
    }));
  }

  TEST_CASE("ops whose dependencies never arrive fill max-buffered-ops, then get buffer_full") {
    Limited l({"--max-buffered-ops", "4"});
    auto& writer = l.client("buffered");
    auto& other = l.client("buffered");
    const crdt::ReplicaId me = writer.doc("buffered")->replica;
    // Each insert hangs off an element of a replica that never writes: none is ever ready.
    proto::Ops ops{"buffered", {}};
    for (crdt::Seq seq = 0; seq < 6; ++seq) {
      ops.ops.emplace_back(crdt::InsertOp{me, seq, 100 + seq, crdt::Id{999, 0}, "z"});
    }
    writer.send_frame(ops);
    REQUIRE(l.wait_until([&] {
      for (const proto::Error& e : writer.errors()) {
        if (e.code == rejected(crdt::Errc::buffer_full)) return true;
      }
      return false;
    }));
    for (const proto::Error& e : writer.errors()) {
      if (e.code == rejected(crdt::Errc::buffer_full)) {
        CHECK(e.op.has_value());
        CHECK(e.doc == "buffered");
      }
    }
    l.append(other, "buffered", "still works");
    CHECK(l.wait_until([&] { return other.acked("buffered"); }));
    CHECK(l.client("buffered").text("buffered") == "still works");
  }

  TEST_CASE("an insert beyond max-document-bytes gets document_full; the document still works") {
    Limited l({"--max-document-bytes", "1000"});
    auto& writer = l.client("full");
    auto& other = l.client("full");
    const std::string first = mixed_text(900);
    l.append(writer, "full", first);
    REQUIRE(l.wait_until([&] { return writer.acked("full") && other.text("full") == first; }));
    l.append(writer, "full", std::string(200, 'o'));
    REQUIRE(
        l.wait_until([&] { return first_error(writer, ErrorCode::document_full).has_value(); }));
    const proto::Error error = *first_error(writer, ErrorCode::document_full);
    CHECK(error.doc == "full");
    REQUIRE(error.op.has_value());
    CHECK(error.op->replica == writer.doc("full")->replica);
    // The room left still takes text.
    const std::string tail = "fits";
    const std::uint64_t length = other.doc("full")->rga->length();
    REQUIRE(other.local_insert("full", length, tail).has_value());
    CHECK(l.wait_until([&] { return other.acked("full"); }));
    CHECK(l.client("full").text("full") == first + tail);
  }

  TEST_CASE(
      "a client that stops reading is closed with 4003; the others go on; memory stays bounded") {
    // A long idle timeout: the slow client reads its close only at the end of the case.
    Limited l({"--max-outbound-bytes", "262144", "--max-bytes-per-second", "1073741824",
               "--idle-timeout-ms", "120000"});
    auto& writer = l.client("slow");
    auto& reader = l.client("slow");
    RawClient slow(l.server.port());
    slow.send(proto::Hello{proto::protocol_version, "slow-reader"});
    REQUIRE(std::holds_alternative<proto::Welcome>(slow.read()));
    slow.send(proto::Join{"slow", std::nullopt, std::nullopt, std::nullopt, {}});
    while (!std::holds_alternative<proto::Synced>(slow.read())) {
    }
    // From here on `slow` never reads until the end.
    const std::uint64_t rss_before = process_status_kib(l.server.pid(), "VmRSS");
    const std::string chunk = mixed_text(64 * 1024);
    std::string expected;
    // What the server holds for clients: each connection's queue is capped at 256 KiB, so with
    // three connections never more than 768 KiB, however far behind `slow` falls.
    const auto outbound = [&] {
      return metric_sample(http_request(l.server.port(), "GET", "/metrics").body,
                           "weft_outbound_queued_bytes");
    };
    double most_outbound = 0;
    for (int i = 0; i < 48; ++i) {  // ~3 MB to the slow client: far beyond 256 KiB
      l.append(writer, "slow", chunk);
      expected += chunk;
      REQUIRE(l.wait_until([&] { return writer.acked("slow"); }));
      most_outbound = std::max(most_outbound, outbound());
    }
    MESSAGE("most outbound bytes queued: " << most_outbound);
    CHECK(most_outbound <= 3 * 262144);
    CHECK(l.wait_until([&] { return reader.text("slow") == expected; }));
    CHECK(
        l.wait_until([&] { return l.server.log().find("closed with 4003") != std::string::npos; }));
    // The others are unaffected and still converge on new edits.
    l.append(reader, "slow", "!");
    CHECK(l.wait_until(
        [&] { return reader.acked("slow") && writer.text("slow") == expected + "!"; }));
    // Once `slow` is closed, the server keeps for it at most the frame it was writing.
    CHECK(outbound() <= static_cast<double>(chunk.size()) + 1024);
    const std::uint64_t rss_after = process_status_kib(l.server.pid(), "VmRSS");
    MESSAGE("server VmRSS " << rss_before << " KiB -> " << rss_after << " KiB");
    CHECK(rss_after < rss_before + 256 * 1024);  // the text itself is ~3 MB per copy
    CHECK(slow.read_until_closed() == 4003);
  }
}

}  // namespace weft::integration
