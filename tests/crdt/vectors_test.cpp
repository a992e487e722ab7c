// vectors_test.cpp — crdt::Rga against the shared test vectors (crdt/testdata/vectors/), and the
// committed vectors against ReferenceRga, which made them.
//
// Failures name the file, case and delivery (doctest INFO), and compare readable renderings.
// Besides what the files state, Rga is checked on positions and anchors (crdt/README.md §10)
// derived from each expected run listing.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "crdt/anchor.hpp"
#include "crdt/errc.hpp"
#include "crdt/op.hpp"
#include "crdt/rga.hpp"
#include "tests/crdt/reference_rga.hpp"
#include "tests/crdt/vector_cases.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ordered_json = nlohmann::ordered_json;  // keeps the vectors' key order in messages
using weft::crdt::ApplyResult;
using weft::crdt::ApplyStatus;
using weft::crdt::DeleteOp;
using weft::crdt::Errc;
using weft::crdt::Id;
using weft::crdt::IdRange;
using weft::crdt::InsertOp;
using weft::crdt::Op;
using weft::crdt::Rga;
using weft::crdt::root_id;
using weft::crdt::Side;
using weft::crdt::testing::ReferenceRga;

fs::path vectors_dir() { return fs::path(WEFT_SOURCE_DIR) / "crdt" / "testdata" / "vectors"; }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every *.json in the vectors directory, by name.
std::vector<fs::path> vector_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(vectors_dir())) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string from_hex(std::string_view hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

Op parse_op(const json& j) {
  if (j.contains("insert")) {
    const json& b = j.at("insert");
    return InsertOp{
        b.at("replica").get<std::uint64_t>(),
        b.at("seq").get<std::uint64_t>(),
        b.at("lamport").get<std::uint64_t>(),
        {b.at("parent").at(0).get<std::uint64_t>(), b.at("parent").at(1).get<std::uint64_t>()},
        b.contains("text") ? b.at("text").get<std::string>()
                           : from_hex(b.at("text_hex").get<std::string>())};
  }
  const json& b = j.at("delete");
  DeleteOp op{b.at("replica").get<std::uint64_t>(),
              b.at("seq").get<std::uint64_t>(),
              b.at("lamport").get<std::uint64_t>(),
              {}};
  for (const json& t : b.at("targets")) {
    op.targets.push_back(IdRange{t.at(0).get<std::uint64_t>(), t.at(1).get<std::uint64_t>(),
                                 t.at(2).get<std::uint64_t>()});
  }
  return op;
}

// The op in the vectors' own JSON form, for readable comparisons.
std::string describe(const Op& op) {
  if (const auto* insert = std::get_if<InsertOp>(&op)) {
    return ordered_json{{"insert",
                         {{"replica", insert->replica},
                          {"seq", insert->seq},
                          {"lamport", insert->lamport},
                          {"parent", {insert->parent.replica, insert->parent.seq}},
                          {"text", insert->text}}}}
        .dump();
  }
  const auto& erase = std::get<DeleteOp>(op);
  ordered_json targets = ordered_json::array();
  for (const IdRange& t : erase.targets) targets.push_back({t.replica, t.seq, t.len});
  return ordered_json{{"delete",
                       {{"replica", erase.replica},
                        {"seq", erase.seq},
                        {"lamport", erase.lamport},
                        {"targets", targets}}}}
      .dump();
}

std::string error_name(const std::error_code& e) {
  return std::string(weft::crdt::errc_name(static_cast<Errc>(e.value())));
}

template <class Replica>
void check_invariants(const Replica& replica) {
  if constexpr (requires { replica.check_invariants(); }) replica.check_invariants();
}

// Optional positions as text, so failures print "none" or the number.
std::string show(const std::optional<std::uint64_t>& position) {
  return position ? std::to_string(*position) : "none";
}

// crdt/README.md §10, derived from the expected run listing: every element's position, both
// anchors on it, every gap's anchors, and nullopt for delete units and unseen ids.
void check_positions(const Rga& replica, const json& expect) {
  std::set<Id> elements;
  std::uint64_t live = 0;
  for (const json& run : expect.at("runs")) {
    const bool deleted = run.at(4).get<bool>();
    for (std::uint64_t k = 0; k < run.at(3).get<std::uint64_t>(); ++k) {
      const Id id{run.at(0).get<std::uint64_t>(), run.at(1).get<std::uint64_t>() + k};
      INFO("element (", id.replica, ",", id.seq, ")");
      elements.insert(id);
      CHECK(show(replica.position_of(id)) == show(live));
      CHECK(show(replica.resolve({id, Side::before})) == show(live));
      CHECK(show(replica.resolve({id, Side::after})) == show(live + (deleted ? 0 : 1)));
      if (deleted) continue;
      const auto at = replica.id_at(live++);
      CHECK((at && *at == id));
    }
  }
  CHECK_FALSE(replica.id_at(live));
  CHECK_FALSE(replica.anchor_at(live + 1, Side::after));
  CHECK(show(replica.position_of(root_id)) == "0");
  for (std::uint64_t pos = 0; pos <= live; ++pos) {
    for (const Side side : {Side::before, Side::after}) {
      const auto anchor = replica.anchor_at(pos, side);
      const std::string side_name = side == Side::after ? "after" : "before";
      INFO("gap ", pos, " ", side_name);
      CHECK(anchor);
      if (!anchor) continue;
      CHECK(anchor->side == side);
      const bool on_root = side == Side::after ? pos == 0 : pos == live;
      CHECK((on_root ? anchor->id == root_id : anchor->id != root_id));
      CHECK(show(replica.resolve(*anchor)) == show(pos));
    }
  }
  for (const json& entry : expect.at("version")) {
    const std::uint64_t r = entry.at(0).get<std::uint64_t>(),
                        next = entry.at(1).get<std::uint64_t>();
    for (std::uint64_t seq = 0; seq <= next; ++seq) {
      if (elements.count(Id{r, seq}) != 0) continue;
      INFO("delete unit or unseen id (", r, ",", seq, ")");
      CHECK(show(replica.position_of(Id{r, seq})) == "none");
      CHECK(show(replica.resolve({Id{r, seq}, Side::after})) == "none");
    }
  }
}

template <class Replica>
void check_expect(const Replica& replica, const json& expect) {
  if constexpr (std::is_same_v<Replica, Rga>) check_positions(replica, expect);
  CHECK(replica.text() == expect.at("text").get<std::string>());
  CHECK(replica.length() == expect.at("length").get<std::uint64_t>());
  CHECK(replica.clock() == expect.at("clock").get<std::uint64_t>());
  CHECK(replica.buffered_ops() == expect.at("buffered").get<std::size_t>());
  json runs = json::array();
  for (const auto& r : replica.runs())
    runs.push_back({r.replica, r.seq, r.lamport, r.len, r.deleted});
  CHECK(runs.dump() == expect.at("runs").dump());
  json version = json::array();
  const auto held = replica.version();
  for (const auto& e : held.entries()) version.push_back({e.replica, e.next_seq});
  CHECK(version.dump() == expect.at("version").dump());
}

template <class Replica>
void replay(const json& c) {
  std::vector<Op> ops;
  for (const json& op : c.at("ops")) ops.push_back(parse_op(op));
  const json& deliveries = c.at("deliveries");
  for (std::size_t d = 0; d < deliveries.size(); ++d) {
    INFO("delivery ", d, " order ", deliveries[d].at("order").dump());
    Replica replica{0};
    const json& order = deliveries[d].at("order");
    const json& results = deliveries[d].at("results");
    REQUIRE(order.size() == results.size());
    for (std::size_t step = 0; step < order.size(); ++step) {
      const Op& op = ops.at(order[step].get<std::size_t>());
      INFO("step ", step, ": ", describe(op));
      CHECK(weft::crdt::testing::result_name(replica.apply_remote(op)) ==
            results[step].get<std::string>());
      check_invariants(replica);
    }
    check_expect(replica, c.at("expect"));
  }
}

template <class Replica>
void run_local(const json& c) {
  Replica replica{c.at("replica").get<std::uint64_t>()};
  const json& steps = c.at("steps");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const json& step = steps[i];
    INFO("step ", i, ": ", step.dump());
    std::string made;
    if (step.contains("remote")) {
      CHECK(weft::crdt::testing::result_name(replica.apply_remote(parse_op(step.at("remote")))) ==
            step.at("result").get<std::string>());
    } else if (step.contains("anchor_at")) {
      const json& at = step.at("anchor_at");
      const auto anchor =
          replica.anchor_at(at.at("pos").get<std::uint64_t>(),
                            at.at("side").get<int>() == 0 ? Side::before : Side::after);
      made = anchor
                 ? json{anchor->id.replica, anchor->id.seq, static_cast<int>(anchor->side)}.dump()
                 : "error " + error_name(anchor.error());
      if (step.contains("anchor")) CHECK(made == step.at("anchor").dump());
    } else if (step.contains("resolve")) {
      const json& a = step.at("resolve");
      const auto pos = replica.resolve(
          weft::crdt::Anchor{{a.at(0).get<std::uint64_t>(), a.at(1).get<std::uint64_t>()},
                             a.at(2).get<int>() == 0 ? Side::before : Side::after});
      CHECK((pos ? json(*pos) : json(nullptr)) == step.at("pos"));
    } else if (step.contains("local_insert")) {
      const json& edit = step.at("local_insert");
      const auto op = replica.local_insert(edit.at("pos").get<std::uint64_t>(),
                                           edit.at("text").get<std::string>());
      made = op ? describe(*op) : "error " + error_name(op.error());
    } else {
      const json& edit = step.at("local_delete");
      const auto op = replica.local_delete(edit.at("pos").get<std::uint64_t>(),
                                           edit.at("len").get<std::uint64_t>());
      made = op ? describe(*op) : "error " + error_name(op.error());
    }
    if (step.contains("op")) CHECK(made == describe(parse_op(step.at("op"))));
    if (step.contains("error")) CHECK(made == "error " + step.at("error").get<std::string>());
    check_invariants(replica);
  }
  check_expect(replica, c.at("expect"));
}

// Runs every case of every vector file on a fresh Replica; returns the number of cases.
template <class Replica>
std::size_t run_all_vectors() {
  std::size_t cases = 0;
  for (const fs::path& file : vector_files()) {
    const json doc = json::parse(read_file(file));
    REQUIRE(doc.at("format") == "weft-rga-vectors");
    REQUIRE(doc.at("version") == 2);
    for (const json& c : doc.at("cases")) {
      INFO(file.filename().string(), ": case ", c.at("name").get<std::string>());
      if (c.at("type") == "local") {
        run_local<Replica>(c);
      } else {
        replay<Replica>(c);
      }
      ++cases;
    }
  }
  return cases;
}

}  // namespace

TEST_SUITE("shared test vectors") {
  TEST_CASE("Rga reproduces every vector: results, text, runs, version, positions, local ops") {
    CHECK(run_all_vectors<Rga>() >= 300);
  }

  TEST_CASE("ReferenceRga reproduces every vector read back from its JSON") {
    CHECK(run_all_vectors<ReferenceRga>() >= 300);
  }

  TEST_CASE("the committed vectors are exactly what make_vectors writes") {
    const auto generated = weft::crdt::testing::make_vector_files();
    std::vector<std::string> on_disk;
    for (const fs::path& file : vector_files()) on_disk.push_back(file.filename().string());
    std::vector<std::string> names;
    for (const auto& [name, contents] : generated) names.push_back(name);
    std::sort(names.begin(), names.end());
    CHECK(on_disk == names);
    for (const auto& entry : generated) {
      const auto& [name, contents] = entry;
      INFO(entry.first,
           " differs from the reference: rebuild and run make_vectors, then review the diff");
      CHECK(read_file(vectors_dir() / name) == contents);
    }
  }
}
