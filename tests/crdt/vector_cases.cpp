// vector_cases.cpp — the case builders and the JSON writer of the shared test vectors.
#include "tests/crdt/vector_cases.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "crdt/element_run.hpp"
#include "crdt/errc.hpp"
#include "crdt/result.hpp"
#include "crdt/rga.hpp"
#include "tests/crdt/op_json.hpp"

namespace weft::crdt::testing {

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "make_vectors: %s\n", why.c_str());
  std::abort();
}

Op ins(ReplicaId r, Seq s, Lamport l, Id parent, std::string text) {
  return InsertOp{r, s, l, parent, std::move(text)};
}
Op del(ReplicaId r, Seq s, Lamport l, std::vector<IdRange> targets) {
  return DeleteOp{r, s, l, std::move(targets)};
}

LocalStep remote(Op op) { return {LocalStep::Kind::remote, std::move(op), 0, 0, {}, {}}; }
LocalStep type(std::uint64_t pos, std::string text) {
  return {LocalStep::Kind::insert, Op{}, pos, 0, std::move(text), {}};
}
LocalStep cut(std::uint64_t pos, std::uint64_t len) {
  return {LocalStep::Kind::erase, Op{}, pos, len, {}, {}};
}
LocalStep anchor_at(std::uint64_t pos, Side side) {
  return {LocalStep::Kind::anchor_at, Op{}, pos, 0, {}, Anchor{root_id, side}};
}
LocalStep resolve(Id id, Side side) {
  return {LocalStep::Kind::resolve, Op{}, 0, 0, {}, Anchor{id, side}};
}

Order in_order(std::size_t n) {
  Order order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  return order;
}
Order reversed(std::size_t n) {
  Order order = in_order(n);
  std::reverse(order.begin(), order.end());
  return order;
}

Peers::Peers(const std::vector<ReplicaId>& ids) {
  for (const ReplicaId id : ids) replicas_.emplace(id, ReferenceRga{id});
}

std::size_t Peers::insert(ReplicaId who, std::uint64_t pos, std::string_view text) {
  auto op = replicas_.at(who).local_insert(pos, text);
  if (!op) die("local insert failed: " + op.error().message());
  return record(who, *op);
}

std::size_t Peers::erase(ReplicaId who, std::uint64_t pos, std::uint64_t len) {
  auto op = replicas_.at(who).local_delete(pos, len);
  if (!op) die("local delete failed: " + op.error().message());
  return record(who, *op);
}

void Peers::sync(ReplicaId from, ReplicaId to, std::size_t limit) {
  for (const std::size_t index : held_[from]) {
    if (limit == 0) return;
    if (has_[to].count(index) != 0) continue;
    if (replicas_.at(to).apply_remote(ops[index]).status != ApplyStatus::applied) {
      die("a causal sync must apply");
    }
    held_[to].push_back(index);
    has_[to].insert(index);
    --limit;
  }
}

void Peers::sync_all() {
  for (int round = 0; round < 2; ++round) {
    for (const auto& [from, a] : replicas_) {
      for (const auto& [to, b] : replicas_) {
        if (from != to) sync(from, to);
      }
    }
  }
}

std::size_t Peers::record(ReplicaId who, const Op& op) {
  ops.push_back(op);
  held_[who].push_back(ops.size() - 1);
  has_[who].insert(ops.size() - 1);
  return ops.size() - 1;
}

namespace {

// Keys in the order written, so files read naturally (name, type, description, ops, ...).
using Json = nlohmann::ordered_json;

}  // namespace

std::string result_name(const ApplyResult& result) {
  std::string name(status_name(result.status));
  if (result.status != ApplyStatus::rejected) return name;
  return name + ":" + std::string(errc_name(static_cast<Errc>(result.error.value())));
}

namespace {

Json state_json(const ReferenceRga& replica) {
  Json runs = Json::array();
  for (const ElementRun& r : replica.runs()) {
    runs.push_back({r.replica, r.seq, r.lamport, r.len, r.deleted});
  }
  Json version = Json::array();
  const VersionVector held = replica.version();
  for (const auto& e : held.entries()) version.push_back({e.replica, e.next_seq});
  return {{"text", replica.text()},
          {"length", replica.length()},
          {"clock", replica.clock()},
          {"buffered", replica.buffered_ops()},
          {"runs", runs},
          {"version", version}};
}

// Line-per-op layout: small diffs when a case changes, and still plain JSON.
std::string replay_case_text(const ReplayCase& c) {
  Json expect;
  std::string deliveries;
  for (const Order& order : c.orders) {
    ReferenceRga observer;
    Json results = Json::array();
    for (const std::size_t index : order) {
      if (index >= c.ops.size()) die(c.name + ": order names a missing op");
      results.push_back(result_name(observer.apply_remote(c.ops[index])));
    }
    const Json state = state_json(observer);
    if (expect.is_null()) expect = state;
    if (state != expect) die(c.name + ": delivery orders end in different states");
    deliveries += deliveries.empty() ? "\n  " : ",\n  ";
    deliveries += Json{{"order", order}, {"results", results}}.dump();
  }
  std::string ops;
  for (const Op& op : c.ops) ops += (ops.empty() ? "\n  " : ",\n  ") + op_json(op).dump();
  return "{\"name\":" + Json(c.name).dump() +
         ",\"type\":\"replay\",\"description\":" + Json(c.description).dump() + ",\n \"ops\":[" +
         ops + "],\n \"deliveries\":[" + deliveries + "],\n \"expect\":" + expect.dump() + "}";
}

Json anchor_json(const Anchor& a) {
  return Json::array({a.id.replica, a.id.seq, static_cast<int>(a.side)});
}

template <class T>
void add_outcome(Json& line, const Result<T>& made) {
  if (made) {
    line["op"] = op_json(*made);
  } else {
    line["error"] = std::string(errc_name(static_cast<Errc>(made.error().value())));
  }
}

std::string local_case_text(const LocalCase& c) {
  ReferenceRga subject{c.replica};
  std::string steps;
  for (const LocalStep& step : c.steps) {
    Json line;
    switch (step.kind) {
      case LocalStep::Kind::remote:
        line = {{"remote", op_json(step.op)},
                {"result", result_name(subject.apply_remote(step.op))}};
        break;
      case LocalStep::Kind::insert:
        line = {{"local_insert", {{"pos", step.pos}, {"text", step.text}}}};
        add_outcome(line, subject.local_insert(step.pos, step.text));
        break;
      case LocalStep::Kind::erase:
        line = {{"local_delete", {{"pos", step.pos}, {"len", step.len}}}};
        add_outcome(line, subject.local_delete(step.pos, step.len));
        break;
      case LocalStep::Kind::anchor_at: {
        const int side = static_cast<int>(step.anchor.side);
        line = {{"anchor_at", {{"pos", step.pos}, {"side", side}}}};
        const Result<Anchor> made = subject.anchor_at(step.pos, step.anchor.side);
        if (made) {
          line["anchor"] = anchor_json(*made);
        } else {
          line["error"] = std::string(errc_name(static_cast<Errc>(made.error().value())));
        }
        break;
      }
      case LocalStep::Kind::resolve: {
        line = {{"resolve", anchor_json(step.anchor)}};
        const auto pos = subject.resolve(step.anchor);
        line["pos"] = pos ? Json(*pos) : Json(nullptr);
        break;
      }
    }
    steps += (steps.empty() ? "\n  " : ",\n  ") + line.dump();
  }
  return "{\"name\":" + Json(c.name).dump() +
         ",\"type\":\"local\",\"description\":" + Json(c.description).dump() +
         ",\"replica\":" + std::to_string(c.replica) + ",\n \"steps\":[" + steps +
         "],\n \"expect\":" + state_json(subject).dump() + "}";
}

std::string file_text(const std::vector<std::string>& cases) {
  std::string out = "{\"format\":\"weft-rga-vectors\",\"version\":2,\"cases\":[\n";
  for (std::size_t i = 0; i < cases.size(); ++i) {
    out += cases[i] + (i + 1 < cases.size() ? ",\n" : "\n");
  }
  return out + "]}\n";
}

std::string replay_file(const std::vector<ReplayCase>& cases) {
  std::vector<std::string> texts;
  for (const ReplayCase& c : cases) texts.push_back(replay_case_text(c));
  return file_text(texts);
}

}  // namespace

VectorFiles make_vector_files() {
  VectorFiles files = {{"ordering.json", replay_file(ordering_cases())},
                       {"idempotence.json", replay_file(idempotence_cases())},
                       {"buffering.json", replay_file(buffering_cases())},
                       {"unicode.json", replay_file(unicode_cases())},
                       {"hostile.json", replay_file(hostile_cases())}};
  std::vector<std::string> locals;
  for (const LocalCase& c : local_cases()) locals.push_back(local_case_text(c));
  files.emplace_back("local.json", file_text(locals));
  std::vector<std::string> anchors;
  for (const LocalCase& c : anchor_cases()) anchors.push_back(local_case_text(c));
  files.emplace_back("anchors.json", file_text(anchors));
  constexpr std::uint64_t random_files = 6, per_file = 50;
  for (std::uint64_t f = 0; f < random_files; ++f) {
    std::vector<ReplayCase> cases;
    for (std::uint64_t i = 0; i < per_file; ++i) cases.push_back(random_case(f * per_file + i));
    files.emplace_back("random_" + std::to_string(f) + ".json", replay_file(cases));
  }
  return files;
}

}  // namespace weft::crdt::testing
