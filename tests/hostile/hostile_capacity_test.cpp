// hostile_capacity_test.cpp — hostile input (issue 13): unit-id capacity, read-only joins, the
// pending-op buffer and the replica table under one hostile writer.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "proto/error_frame.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/server/test_keys.hpp"

namespace weft::integration {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view secret = "capacity-secret";

// Room for the attack's op volume: the rate limits are not what these cases test.
const std::vector<std::string> fast_flags = {"--max-ops-per-second",    "1000000",
                                             "--max-bytes-per-second",  "1000000000",
                                             "--max-frames-per-second", "100000"};

crdt::InsertOp insert(crdt::ReplicaId r, crdt::Seq seq, crdt::Lamport lamport, crdt::Id parent,
                      std::string text) {
  return crdt::InsertOp{r, seq, lamport, parent, std::move(text)};
}

crdt::DeleteOp erase(crdt::ReplicaId r, crdt::Seq seq, crdt::Lamport lamport,
                     std::vector<crdt::IdRange> targets) {
  return crdt::DeleteOp{r, seq, lamport, std::move(targets)};
}

bool got_code(const client::Session& session, std::uint64_t code) {
  for (const proto::Error& error : session.errors()) {
    if (error.code == code) return true;
  }
  return false;
}

std::uint64_t acked_seq(const client::Session& session, const std::string& doc) {
  std::uint64_t seq = 0;
  for (const proto::Frame& frame : session.received()) {
    if (const auto* ack = std::get_if<proto::Ack>(&frame); ack && ack->doc == doc) {
      seq = std::max(seq, ack->next_seq);
    }
  }
  return seq;
}

std::string read_file(const fs::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ToolRun {
  int code = -1;
  std::string out;
};

// weft-replay --no-pager --data DATA ARGS (ARGS already shell-quoted).
ToolRun replay_tool(const Harness& h, const std::string& args) {
  const fs::path out = h.server.dir() / "replay.out";
  const std::string command = std::string{"'"} + WEFT_REPLAY_BIN + "' --no-pager --data '" +
                              h.server.data_dir().string() + "' " + args + " >'" + out.string() +
                              "' 2>&1";
  const int status = std::system(command.c_str());
  return ToolRun{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out)};
}

// The replicas `weft-replay info` lists for `doc` (the lines between "replicas" and "version").
std::size_t replica_table_size(const Harness& h, const std::string& doc) {
  const ToolRun info = replay_tool(h, "info " + doc);
  REQUIRE_MESSAGE(info.code == 0, info.out);
  std::istringstream lines{info.out};
  std::string line;
  bool in_table = false;
  std::size_t count = 0;
  while (std::getline(lines, line)) {
    if (line == "replicas") {
      in_table = true;
    } else if (line.starts_with("version vector")) {
      in_table = false;
    } else if (in_table) {
      ++count;
    }
  }
  return count;
}

std::string mint(const std::string& sub, const nlohmann::json& docs) {
  return test_keys::sign("HS256", secret,
                         {sub, docs, std::nullopt, test_keys::now_s() + 600, std::nullopt});
}

}  // namespace

TEST_SUITE("hostile: capacity") {
  TEST_CASE("deletes of deleted text do not brick a document, and its history replays") {
    Harness h{fast_flags};
    INFO("server log:\n" << h.server.log());
    const std::string doc = "brick";
    client::Session& victim = h.client(doc);
    client::Session& bad = h.client(doc);
    const crdt::ReplicaId r = bad.doc(doc)->replica;

    // ~1 MB of text (max_run units), then a delete of all of it.
    constexpr std::uint64_t total = std::uint64_t{1} << 20;
    constexpr std::uint64_t chunk = total / 8;
    for (std::uint64_t k = 0; k < total / chunk; ++k) {
      const crdt::Id parent = k == 0 ? crdt::root_id : crdt::Id{r, k * chunk - 1};
      bad.send_frame(
          proto::Ops{doc, {insert(r, k * chunk, 1 + k * chunk, parent, std::string(chunk, 'a'))}});
    }
    crdt::Seq seq = total;
    crdt::Lamport lamport = total + 1;
    bad.send_frame(proto::Ops{doc, {erase(r, seq, lamport, {{r, 0, total}})}});
    seq += total;
    lamport += total;
    REQUIRE(h.wait_until([&] { return acked_seq(bad, doc) == seq; }, 60s));

    // ~4100 deletes of the already deleted text, each of max_run units: 2^32 units in all, more
    // than the 32-bit unit space the replica had.
    constexpr int frames = 41;
    constexpr int per_frame = 100;
    for (int f = 0; f < frames; ++f) {
      std::vector<crdt::Op> ops;
      for (int i = 0; i < per_frame; ++i) {
        ops.emplace_back(erase(r, seq, lamport, {{r, 0, total}}));
        seq += total;
        lamport += total;
      }
      bad.send_frame(proto::Ops{doc, std::move(ops)});
    }
    const std::uint64_t too_large = proto::op_rejected_code(crdt::Errc::document_too_large);
    CHECK(
        h.wait_until([&] { return acked_seq(bad, doc) == seq || got_code(bad, too_large); }, 120s));
    CHECK_FALSE(got_code(bad, too_large));
    CHECK(acked_seq(bad, doc) == seq);

    // Everyone else can still write.
    REQUIRE(victim.local_insert(doc, 0, "still mine").has_value());
    CHECK(h.wait_until([&] { return victim.acked(doc); }, 30s));
    CHECK(victim.errors().empty());
    CHECK(victim.text(doc) == "still mine");

    // After a restart the document takes edits, and its whole history replays.
    REQUIRE(h.server.stop().clean());
    REQUIRE(h.server.start(fast_flags));
    client::Session& later = h.client(doc);
    CHECK(later.text(doc) == "still mine");
    REQUIRE(later.local_insert(doc, 10, "!").has_value());
    CHECK(h.wait_until([&] { return later.acked(doc); }, 30s));
    CHECK(later.errors().empty());
    const HttpReply text = http_request(h.server.port(), "GET", "/api/docs/" + doc + "/text");
    CHECK(text.status == 200);
    if (text.status == 200) CHECK(json::parse(text.body)["text"] == "still mine!");
    const ToolRun verify = replay_tool(h, "verify " + doc);
    CHECK_MESSAGE(verify.code == 0, verify.out);
  }

  TEST_CASE("a read-only join of a missing document creates nothing") {
    Harness h{{"--jwt-secret", std::string(secret)}};
    INFO("server log:\n" << h.server.log());
    h.session_options.token = mint("rex", {{"*", "read"}});
    client::Session& rex = h.client();
    rex.join_async("ghost");
    const auto denied = static_cast<std::uint64_t>(proto::ErrorCode::access_denied);
    CHECK(h.wait_until([&] { return got_code(rex, denied) || rex.live("ghost"); }));
    CHECK(got_code(rex, denied));
    CHECK_FALSE(rex.live("ghost"));
    CHECK(replay_tool(h, "info ghost").code != 0);
    CHECK(replay_tool(h, "list").out.find("ghost") == std::string::npos);

    // A writer creates it; then readers join it.
    h.session_options.token = mint("ann", {{"ghost", "write"}});
    client::Session& ann = h.client("ghost");
    REQUIRE(ann.local_insert("ghost", 0, "boo").has_value());
    REQUIRE(h.wait_until([&] { return ann.acked("ghost"); }));
    h.session_options.token = mint("rex", {{"*", "read"}});
    CHECK(h.client("ghost").text("ghost") == "boo");
  }

  TEST_CASE("one writer's buffered junk does not stop another writer's ops") {
    std::vector<std::string> flags = fast_flags;
    flags.insert(flags.end(), {"--max-buffered-ops", "16"});
    Harness h{flags};
    INFO("server log:\n" << h.server.log());
    const std::string doc = "shared";
    client::Session& bad = h.client(doc);
    client::Session& victim = h.client(doc);
    client::Session& reader = h.client(doc);
    const crdt::ReplicaId r = bad.doc(doc)->replica;
    // Ops that wait forever: their replica's earlier seqs never come.
    std::vector<crdt::Op> junk;
    for (std::uint64_t i = 0; i < 200; ++i) {
      junk.emplace_back(insert(r, 1000 + i, 5000 + i, crdt::root_id, "x"));
    }
    bad.send_frame(proto::Ops{doc, std::move(junk)});
    const std::uint64_t buffer_full = proto::op_rejected_code(crdt::Errc::buffer_full);
    REQUIRE(h.wait_until([&] { return got_code(bad, buffer_full); }));

    // The victim's second op arrives before its first: it must wait in the buffer, not be refused.
    const crdt::ReplicaId v = victim.doc(doc)->replica;
    victim.send_frame(proto::Ops{doc, {insert(v, 1, 2, {v, 0}, "b")}});
    victim.send_frame(proto::Ops{doc, {insert(v, 0, 1, crdt::root_id, "a")}});
    CHECK(h.wait_until([&] { return reader.text(doc) == "ab" || got_code(victim, buffer_full); }));
    CHECK_FALSE(got_code(victim, buffer_full));
    CHECK(reader.text(doc) == "ab");
  }

  TEST_CASE("the replica table stays bounded under many fresh replicas") {
    Harness h{{"--max-replicas-per-document", "8"}};
    INFO("server log:\n" << h.server.log());
    const std::string doc = "crowd";
    client::Session& keeper = h.client(doc);
    const crdt::ReplicaId kept = keeper.doc(doc)->replica;
    for (int i = 0; i < 40; ++i) {
      client::Session& passer = h.client(doc);
      REQUIRE(passer.local_insert(doc, 0, "p").has_value());
      REQUIRE(h.wait_until([&] { return passer.acked(doc); }));
      passer.disconnect();
    }
    CHECK(replica_table_size(h, doc) <= 8);
    // A member keeps its replica: it edits, and it resumes it after a reconnect.
    REQUIRE(keeper.local_insert(doc, 0, "k").has_value());
    CHECK(h.wait_until([&] { return keeper.acked(doc); }));
    keeper.disconnect();
    const auto resumed = keeper.reconnect();
    REQUIRE_MESSAGE(resumed.has_value(), resumed.error());
    CHECK(keeper.doc(doc)->replica == kept);
    REQUIRE(keeper.local_insert(doc, 0, "!").has_value());
    CHECK(h.wait_until([&] { return keeper.acked(doc); }));
    CHECK(keeper.errors().empty());
    // New replicas are above every replica ever given out.
    client::Session& last = h.client(doc);
    CHECK(last.doc(doc)->replica == kept + 41);
    CHECK(replica_table_size(h, doc) <= 8);
  }
}

}  // namespace weft::integration
