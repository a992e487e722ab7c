// history_api.cpp — HistoryApi: parameters, out-of-range checks against the index, and the JSON of
// each answer (built on the stream's thread, with the index in hand).
#include "server/api/history_api.hpp"

#include <optional>
#include <utility>
#include <variant>

#include "history/blame.hpp"
#include "history/diff.hpp"
#include "history/timeline.hpp"
#include "server/api/versions_api.hpp"

namespace weft::server::api {
namespace http = boost::beast::http;
using nlohmann::json;

using answers::bad_request;

namespace {

// A parameter: absent, its value, or the 400 to answer.
template <class T>
using Param = std::variant<std::monostate, T, answers::Response>;

answers::Response out_of_range(std::string message) {
  return answers::error(http::status::bad_request, "out_of_range", std::move(message));
}

Param<std::uint64_t> count_param(const HistoryApi::Request& request, std::string_view name,
                                 std::string_view what) {
  const auto text = query_value(request.target(), name);
  if (!text) return std::monostate{};
  if (const auto value = decimal_count(*text)) return *value;
  return bad_request(std::string(name) + " must be " + std::string(what));
}

// The 400 for a version past the log, or nothing.
std::optional<answers::Response> past_end(std::string_view name, std::uint64_t version,
                                          std::uint64_t ops) {
  if (version <= ops) return std::nullopt;
  return answers::past_the_end(name, version, ops);
}

// The answer to a failed store read.
std::function<void(storage::StoreError)> failure(const std::string& id,
                                                 const HistoryApi::Respond& respond) {
  return [id, respond](const storage::StoreError& e) { respond(answers::store_error(e, id)); };
}

template <class T>
std::optional<T> value_of(const Param<T>& p) {
  if (const T* v = std::get_if<T>(&p)) return *v;
  return std::nullopt;
}

template <class T>
const answers::Response* bad_of(const Param<T>& p) {
  return std::get_if<answers::Response>(&p);
}

}  // namespace

bool HistoryApi::serves(std::string_view sub) {
  return sub == "/text" || sub == "/history" || sub == "/blame" || sub == "/diff";
}

void HistoryApi::handle(std::string id, std::string_view sub, const Request& request,
                        Respond respond) {
  if (sub == "/text") return text(std::move(id), request, std::move(respond));
  if (sub == "/history") return timeline(std::move(id), request, std::move(respond));
  if (sub == "/blame") return blame(id, request, std::move(respond));
  diff(std::move(id), request, std::move(respond));
}

void HistoryApi::text(std::string id, const Request& request, Respond respond) {
  const auto at = count_param(request, "at", "a number of log records");
  if (const auto* bad = bad_of(at)) return respond(*bad);
  std::optional<std::int64_t> time;
  if (const auto raw = query_value(request.target(), "time")) {
    time = decimal_integer(*raw);
    if (!time) return respond(bad_request("time must be microseconds since the Unix epoch"));
  }
  if (value_of(at) && time) return respond(bad_request("give at most one of at and time"));
  auto failed = failure(id, respond);
  stream_.read_history(
      id,
      [id, at = value_of(at), time, respond = std::move(respond)](
          const storage::DocumentHead& head, const history::HistoryIndex& index) {
        const std::uint64_t ops = index.ops();
        std::uint64_t version = at.value_or(ops);
        if (auto bad = past_end("at", version, ops)) return respond(std::move(*bad));
        if (time) {
          if (*time < head.meta.created_us) {
            return respond(out_of_range("time " + std::to_string(*time) +
                                        " is before the document's creation (" +
                                        std::to_string(head.meta.created_us) + ")"));
          }
          version = index.version_at_time(*time);
        }
        respond(answers::ok(
            {{"id", id}, {"at", version}, {"ops", ops}, {"text", index.text_at(version)}}));
      },
      std::move(failed));
}

void HistoryApi::text_at(std::string id, std::uint64_t at, Respond respond) {
  auto failed = failure(id, respond);
  stream_.read_history(
      id,
      [id, at, respond = std::move(respond)](const storage::DocumentHead&,
                                             const history::HistoryIndex& index) {
        const std::uint64_t ops = index.ops();
        if (auto bad = past_end("at", at, ops)) return respond(std::move(*bad));
        respond(answers::ok({{"id", id}, {"at", at}, {"ops", ops}, {"text", index.text_at(at)}}));
      },
      std::move(failed));
}

void HistoryApi::timeline(std::string id, const Request& request, Respond respond) {
  const auto gap = count_param(request, "gap", "1..86400 seconds");
  if (const auto* bad = bad_of(gap)) return respond(*bad);
  const std::uint64_t gap_seconds = value_of(gap).value_or(default_gap_seconds);
  if (gap_seconds < 1 || gap_seconds > max_gap_seconds) {
    return respond(bad_request("gap must be 1..86400 seconds"));
  }
  auto failed = failure(id, respond);
  stream_.read_history(
      id,
      [&stream = stream_, id, gap_seconds, respond = std::move(respond)](
          const storage::DocumentHead& head, const history::HistoryIndex& index) {
        json authors = json::array();
        for (const history::Author& a : history::authors(head.meta, index)) {
          authors.push_back({{"user", a.user}, {"name", a.name}, {"replicas", a.replicas}});
        }
        const history::Timeline t = history::timeline(index, gap_seconds);
        json sessions = json::array();
        for (const history::Session& s : t.sessions) {
          sessions.push_back({{"user", index.user(s.user)},
                              {"from", s.from},
                              {"to", s.to},
                              {"ops", s.ops},
                              {"first_us", s.first_us},
                              {"last_us", s.last_us},
                              {"inserted", s.inserted},
                              {"deleted", s.deleted}});
        }
        json body{{"id", id},
                  {"ops", index.ops()},
                  {"created_us", head.meta.created_us},
                  {"gap", t.gap_seconds},
                  {"authors", std::move(authors)},
                  {"sessions", std::move(sessions)}};
        stream.read_versions(id, [id, body = std::move(body), respond](auto versions) mutable {
          if (!versions) return respond(answers::store_error(versions.error(), id));
          json items = json::array();
          for (const proto::NamedVersion& v : *versions) items.push_back(named_version_json(v));
          body["versions"] = std::move(items);
          respond(answers::ok(body));
        });
      },
      std::move(failed));
}

void HistoryApi::blame(const std::string& id, const Request& request, Respond respond) {
  const auto at = count_param(request, "at", "a number of log records");
  const auto from = count_param(request, "from", "a position");
  const auto to = count_param(request, "to", "a position");
  for (const auto* bad : {bad_of(at), bad_of(from), bad_of(to)}) {
    if (bad != nullptr) return respond(*bad);
  }
  if (value_of(from) && value_of(to) && *value_of(from) > *value_of(to)) {
    return respond(bad_request("from must not be after to"));
  }
  auto failed = failure(id, respond);
  stream_.read_history(
      id,
      [id, at = value_of(at), from = value_of(from), to = value_of(to),
       respond = std::move(respond)](const storage::DocumentHead&,
                                     const history::HistoryIndex& index) {
        const std::uint64_t ops = index.ops();
        const std::uint64_t version = at.value_or(ops);
        if (auto bad = past_end("at", version, ops)) return respond(std::move(*bad));
        const std::uint64_t length = index.length_at(version);
        const std::uint64_t end = to.value_or(length);
        const std::uint64_t begin = from.value_or(0);
        if (end > length || begin > length) {
          return respond(out_of_range("positions " + std::to_string(begin) + ".." +
                                      std::to_string(end) + " are past the text's end (" +
                                      std::to_string(length) + " code points)"));
        }
        if (begin > end) return respond(bad_request("from must not be after to"));
        // Written directly: a whole-document blame is thousands of runs (5,765 on
        // automerge-paper), and a JSON tree of them costs more than the blame itself.
        std::string body = "{\"id\":";
        answers::append_json_string(body, id);
        body += ",\"at\":" + std::to_string(version) + ",\"from\":" + std::to_string(begin) +
                ",\"to\":" + std::to_string(end) + ",\"runs\":[";
        bool first = true;
        for (const history::BlameRun& r : history::blame(index, version, begin, end)) {
          body += first ? "{\"from\":" : ",{\"from\":";
          first = false;
          body += std::to_string(r.from) + ",\"to\":" + std::to_string(r.to) + ",\"text\":";
          answers::append_json_string(body, r.text);
          body += ",\"user\":";
          answers::append_json_string(body, index.user(r.user));
          body += ",\"replica\":" + std::to_string(r.replica) +
                  ",\"first_op\":" + std::to_string(r.first_op) +
                  ",\"last_op\":" + std::to_string(r.last_op) +
                  ",\"first_us\":" + std::to_string(r.first_us) +
                  ",\"last_us\":" + std::to_string(r.last_us) + "}";
        }
        body += "]}\n";
        respond(answers::raw(std::move(body)));
      },
      std::move(failed));
}

void HistoryApi::diff(std::string id, const Request& request, Respond respond) {
  const auto from = count_param(request, "from", "a number of log records");
  const auto to = count_param(request, "to", "a number of log records");
  for (const auto* bad : {bad_of(from), bad_of(to)}) {
    if (bad != nullptr) return respond(*bad);
  }
  if (!value_of(from)) return respond(bad_request("from (a version) is required"));
  auto failed = failure(id, respond);
  stream_.read_history(
      id,
      [id, from = *value_of(from), to = value_of(to), respond = std::move(respond)](
          const storage::DocumentHead&, const history::HistoryIndex& index) {
        const std::uint64_t ops = index.ops();
        const std::uint64_t target = to.value_or(ops);
        if (auto bad = past_end("from", from, ops)) return respond(std::move(*bad));
        if (auto bad = past_end("to", target, ops)) return respond(std::move(*bad));
        json segments = json::array();
        for (const history::DiffSegment& s : history::diff(index, from, target)) {
          switch (s.kind) {
            case history::SegmentKind::keep:
              segments.push_back({{"op", "keep"}, {"text", s.text}});
              break;
            case history::SegmentKind::erase:
              segments.push_back(
                  {{"op", "delete"}, {"text", s.text}, {"user", index.user(s.user)}});
              break;
            case history::SegmentKind::insert:
              segments.push_back(
                  {{"op", "insert"}, {"text", s.text}, {"user", index.user(s.user)}});
              break;
          }
        }
        respond(answers::ok(
            {{"id", id}, {"from", from}, {"to", target}, {"segments", std::move(segments)}}));
      },
      std::move(failed));
}

}  // namespace weft::server::api
