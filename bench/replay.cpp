// replay.cpp — local replay of patches, and the search for where a replica departs from a trace.
#include "bench/replay.hpp"

#include <algorithm>
#include <utility>

#include "bench/gap_text.hpp"

namespace weft::bench {
namespace {

// Built by appending: g++ 12 -O3 warns falsely (-Wrestrict, GCC bug 105329) on "[" + string.
std::string describe(const Patch& p) {
  std::string out{"["};
  out.append(std::to_string(p.pos)).append(", ").append(std::to_string(p.del)).append(", ");
  return out.append(std::to_string(p.ins.size())).append(" bytes]");
}

Divergence diverged_at(std::size_t patch, const std::string& expected, const std::string& actual,
                       std::string note) {
  const auto [e, a] = std::mismatch(expected.begin(), expected.end(), actual.begin(), actual.end());
  const auto offset = static_cast<std::size_t>(e - expected.begin());
  const std::size_t from = offset > 40 ? offset - 40 : 0;
  const auto excerpt = [&](const std::string& s) {
    return from < s.size() ? s.substr(from, 80) : "";
  };
  return {patch, offset, excerpt(expected), excerpt(actual), std::move(note)};
}

}  // namespace

ReplayResult<void> replay_local(crdt::Rga& rga, std::span<const Patch> patches,
                                std::size_t first_index, std::size_t check_every,
                                std::vector<crdt::Op>* made) {
  for (std::size_t i = 0; i < patches.size(); ++i) {
    const Patch& p = patches[i];
    if (p.del > 0) {
      auto op = rga.local_delete(p.pos, p.del);
      if (!op) {
        return replay_failure(0, first_index + i,
                              "local_delete" + describe(p) + ": " + op.error().message());
      }
      if (made != nullptr) made->emplace_back(std::move(*op));
    }
    if (!p.ins.empty()) {
      auto op = rga.local_insert(p.pos, p.ins);
      if (!op) {
        return replay_failure(0, first_index + i,
                              "local_insert" + describe(p) + ": " + op.error().message());
      }
      if (made != nullptr) made->emplace_back(std::move(*op));
    }
    if (check_every != 0 && (first_index + i + 1) % check_every == 0) rga.check_invariants();
  }
  return {};
}

std::optional<Divergence> find_divergence(const Trace& trace, std::size_t stride) {
  const std::span<const Patch> all{trace.patches};
  const std::size_t n = all.size();
  stride = std::max<std::size_t>(stride, 1);
  // Replays [from, to) into both; the first patch the replica refuses or the reference cannot
  // apply, as a Divergence.
  const auto step = [&](crdt::Rga& rga, GapText& ref, std::size_t from,
                        std::size_t to) -> std::optional<Divergence> {
    for (std::size_t i = from; i < to; ++i) {
      if (!ref.splice(all[i].pos, all[i].del, all[i].ins)) {
        return Divergence{i, 0, "", "",
                          "patch " + describe(all[i]) + " is beyond the reference text"};
      }
      if (auto done = replay_local(rga, all.subspan(i, 1), i); !done) {
        return diverged_at(i, ref.utf8(), rga.text(), done.error().message);
      }
    }
    return std::nullopt;
  };

  crdt::Rga rga{1};
  GapText ref;
  std::size_t window = n;
  for (std::size_t i = 0; i < n && window == n; i += stride) {
    const std::size_t to = std::min(n, i + stride);
    if (auto d = step(rga, ref, i, to)) return d;
    if (rga.text() != ref.utf8()) window = i;
  }
  if (window == n) return std::nullopt;

  crdt::Rga again{1};
  GapText ref_again;
  if (auto d = step(again, ref_again, 0, window)) return d;
  for (std::size_t i = window; i < n; ++i) {
    if (auto d = step(again, ref_again, i, i + 1)) return d;
    const std::string expected = ref_again.utf8();
    const std::string actual = again.text();
    if (expected != actual) {
      return diverged_at(i, expected, actual, "after patch " + describe(all[i]));
    }
  }
  return diverged_at(n, ref.utf8(), rga.text(), "differs only when replayed in windows");
}

}  // namespace weft::bench
