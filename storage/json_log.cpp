// json_log.cpp — log records to JSON and back (nlohmann). Moved here from tools/replay so that the
// server's HTTP API exports the same format as `weft-replay export`.
#include "storage/json_log.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <variant>

#include <nlohmann/json.hpp>

#include "storage/bounded_json.hpp"

namespace weft::storage {
namespace {

using nlohmann::ordered_json;

std::string dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

template <class T>
T field(const nlohmann::json& object, const char* name) {
  if (!object.contains(name)) throw std::runtime_error(std::string{"missing \""} + name + "\"");
  return object.at(name).get<T>();
}

proto::OpRecord record_from(const nlohmann::json& j) {
  proto::OpRecord r;
  r.index = field<std::uint64_t>(j, "index");
  r.server_time_us = field<std::int64_t>(j, "time_us");
  r.user_id = field<std::string>(j, "user");
  const auto type = field<std::string>(j, "type");
  if (type == "insert") {
    crdt::InsertOp op;
    op.replica = field<std::uint64_t>(j, "replica");
    op.seq = field<std::uint64_t>(j, "seq");
    op.lamport = field<std::uint64_t>(j, "lamport");
    const auto parent = field<std::vector<std::uint64_t>>(j, "parent");
    if (parent.size() != 2) throw std::runtime_error("\"parent\" is not [replica, seq]");
    op.parent = {parent[0], parent[1]};
    op.text = field<std::string>(j, "text");
    r.op = std::move(op);
  } else if (type == "delete") {
    crdt::DeleteOp op;
    op.replica = field<std::uint64_t>(j, "replica");
    op.seq = field<std::uint64_t>(j, "seq");
    op.lamport = field<std::uint64_t>(j, "lamport");
    for (const auto& t : field<std::vector<std::vector<std::uint64_t>>>(j, "targets")) {
      if (t.size() != 3) throw std::runtime_error("a target is not [replica, seq, len]");
      op.targets.push_back({t[0], t[1], t[2]});
    }
    r.op = std::move(op);
  } else {
    throw std::runtime_error("\"type\" is neither insert nor delete");
  }
  return r;
}

}  // namespace

std::string format_time(std::int64_t unix_us) {
  std::int64_t secs = unix_us / 1000000;
  std::int64_t us = unix_us % 1000000;
  if (us < 0) {
    us += 1000000;
    secs -= 1;
  }
  const auto t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(us));
  return buf;
}

std::string log_header(const proto::DocumentMeta& meta) {
  ordered_json m;
  m["id"] = meta.id;
  m["created_us"] = meta.created_us;
  m["epoch"] = meta.epoch;
  m["algo"] = meta.algo;
  m["replicas"] = ordered_json::array();
  for (const proto::ReplicaEntry& e : meta.replicas) {
    ordered_json r;
    r["replica"] = e.replica;
    r["user_id"] = e.user_id;
    r["display_name"] = e.display_name;
    r["first_seen_us"] = e.first_seen_us;
    m["replicas"].push_back(std::move(r));
  }
  return "{\"format\":\"weft-log\",\"version\":1,\n\"meta\":" + dump(m) + ",\n\"records\":[\n";
}

void append_json_string(std::string& out, std::string_view utf8) {
  out += '"';
  for (const char ch : utf8) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.append(1, '\\').append(1, ch);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

// Written by hand rather than through nlohmann: export of a long log stays fast.
std::string log_record(const proto::OpRecord& record) {
  std::string out = "{\"index\":" + std::to_string(record.index);
  out.append(",\"time_us\":").append(std::to_string(record.server_time_us));
  out.append(",\"time\":\"").append(format_time(record.server_time_us));
  out.append("\",\"user\":");
  append_json_string(out, record.user_id);
  const auto counters = [&](const char* type, crdt::ReplicaId r, crdt::Seq seq, crdt::Lamport l) {
    out.append(",\"type\":\"").append(type).append("\",\"replica\":").append(std::to_string(r));
    out.append(",\"seq\":").append(std::to_string(seq));
    out.append(",\"lamport\":").append(std::to_string(l));
  };
  if (const auto* ins = std::get_if<crdt::InsertOp>(&record.op)) {
    counters("insert", ins->replica, ins->seq, ins->lamport);
    out.append(",\"parent\":[").append(std::to_string(ins->parent.replica)).append(1, ',');
    out.append(std::to_string(ins->parent.seq)).append("],\"text\":");
    append_json_string(out, ins->text);
  } else {
    const auto& del = std::get<crdt::DeleteOp>(record.op);
    counters("delete", del.replica, del.seq, del.lamport);
    out.append(",\"targets\":[");
    for (std::size_t i = 0; i < del.targets.size(); ++i) {
      const crdt::IdRange& t = del.targets[i];
      out.append(i == 0 ? "[" : ",[").append(std::to_string(t.replica)).append(1, ',');
      out.append(std::to_string(t.seq)).append(1, ',').append(std::to_string(t.len)).append(1, ']');
    }
    out.append(1, ']');
  }
  out.append(1, '}');
  return out;
}

tl::expected<LogFile, std::string> read_log_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) return tl::unexpected("cannot open " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  // Bounded: a file of `[[[[...` must be refused, not overflow the stack (issue 13).
  const auto parsed = parse_untrusted_json(bytes.str());
  if (!parsed) return tl::unexpected(path + ": " + parsed.error());
  const nlohmann::json& json = *parsed;
  LogFile file;
  std::string where = "header";
  try {
    if (!json.is_object() || json.value("format", "") != "weft-log") {
      throw std::runtime_error("not a weft-log file (\"format\" is not \"weft-log\")");
    }
    const auto& m = field<nlohmann::json>(json, "meta");
    file.meta.id = field<std::string>(m, "id");
    file.meta.created_us = field<std::int64_t>(m, "created_us");
    file.meta.epoch = field<std::uint64_t>(m, "epoch");
    file.meta.algo = field<std::uint32_t>(m, "algo");
    for (const auto& r : field<nlohmann::json>(m, "replicas")) {
      file.meta.replicas.push_back({field<std::uint64_t>(r, "replica"),
                                    field<std::string>(r, "user_id"),
                                    field<std::string>(r, "display_name"),
                                    field<std::int64_t>(r, "first_seen_us"),
                                    {}});
    }
    for (const auto& r : field<nlohmann::json>(json, "records")) {
      where = "record " + std::to_string(file.records.size());
      file.records.push_back(record_from(r));
    }
  } catch (const std::exception& e) {
    return tl::unexpected(path + ": " + where + ": " + e.what());
  }
  return file;
}

}  // namespace weft::storage
