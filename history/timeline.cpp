// timeline.cpp — sessions counted per gap first (cheap), built once for the gap that fits.
#include "history/timeline.hpp"

#include <map>

namespace weft::history {
namespace {

constexpr std::int64_t us_per_second = 1'000'000;

// Calls open(i) for each record i that starts a session under `gap_us`, and add(session, i) for
// every record with the session it joins.
template <class Open, class Add>
void split(const HistoryIndex& index, std::int64_t gap_us, Open open, Add add) {
  const auto& rows = index.records();
  struct Last {
    std::int64_t time_us = 0;
    std::size_t session = 0;
    bool seen = false;
  };
  std::vector<Last> last(index.user_count());
  std::size_t sessions = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Last& l = last[rows[i].user];
    if (!l.seen || rows[i].time_us - l.time_us > gap_us) {
      l.session = sessions++;
      open(i);
    }
    l.seen = true;
    l.time_us = rows[i].time_us;
    add(l.session, i);
  }
}

std::size_t count_sessions(const HistoryIndex& index, std::int64_t gap_us) {
  std::size_t n = 0;
  split(
      index, gap_us, [&](std::size_t) { ++n; }, [](std::size_t, std::size_t) {});
  return n;
}

}  // namespace

Timeline timeline(const HistoryIndex& index, std::uint64_t gap_seconds) {
  const auto& rows = index.records();
  std::int64_t span_us = 0;
  if (!rows.empty()) {
    std::int64_t lo = rows.front().time_us;
    std::int64_t hi = lo;
    for (const RecordRow& r : rows) {
      lo = std::min(lo, r.time_us);
      hi = std::max(hi, r.time_us);
    }
    span_us = hi - lo;
  }
  Timeline out;
  out.gap_seconds = gap_seconds;
  while (count_sessions(index, static_cast<std::int64_t>(out.gap_seconds) * us_per_second) >
             max_sessions &&
         static_cast<std::int64_t>(out.gap_seconds) * us_per_second <= span_us) {
    out.gap_seconds *= 2;
  }
  split(
      index, static_cast<std::int64_t>(out.gap_seconds) * us_per_second,
      [&](std::size_t i) {
        Session s;
        s.user = rows[i].user;
        s.from = i;
        s.first_us = rows[i].time_us;
        out.sessions.push_back(s);
      },
      [&](std::size_t session, std::size_t i) {
        Session& s = out.sessions[session];
        s.to = i + 1;
        ++s.ops;
        s.last_us = rows[i].time_us;
        s.inserted += rows[i].inserted;
        s.deleted += rows[i].deleted;
      });
  return out;
}

std::vector<Author> authors(const proto::DocumentMeta& meta, const HistoryIndex& index) {
  struct Entry {
    Author author;
    std::int64_t newest_us = 0;
    bool named = false;
  };
  std::map<std::string, Entry> by_user;
  for (std::uint32_t u = 0; u < index.user_count(); ++u)
    by_user[index.user(u)].author.user = index.user(u);
  for (const proto::ReplicaEntry& replica : meta.replicas) {  // ascending by replica
    Entry& e = by_user[replica.user_id];
    e.author.user = replica.user_id;
    e.author.replicas.push_back(replica.replica);
    if (!e.named || replica.first_seen_us >= e.newest_us) {
      e.author.name = replica.display_name;
      e.newest_us = replica.first_seen_us;
      e.named = true;
    }
  }
  std::vector<Author> out;
  out.reserve(by_user.size());
  for (auto& [user, e] : by_user) out.push_back(std::move(e.author));
  return out;
}

}  // namespace weft::history
