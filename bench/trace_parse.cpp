// trace_parse.cpp — parse_trace(): editing-trace JSON into a Trace with a streaming (SAX) parser.
//
// The SAX handler fills flat arrays directly (no JSON DOM): automerge-paper is 16 MB of JSON with
// 260k transactions, and a DOM would cost several times the trace's own size in small objects.
#include <exception>
#include <utility>

#include <nlohmann/json.hpp>

#include "bench/trace.hpp"

namespace weft::bench {
namespace {

using json = nlohmann::json;

// Offsets into the arrays being built; turned into spans and views once they stop growing.
struct RawPatch {
  std::uint64_t pos = 0;
  std::uint64_t del = 0;
  std::size_t ins_begin = 0;
  std::size_t ins_size = 0;
};
struct RawTxn {
  std::size_t patch_begin = 0;
  std::size_t patch_end = 0;
  std::size_t parent_begin = 0;
  std::size_t parent_end = 0;
  std::uint64_t agent = 0;
  bool has_agent = false;
  bool has_parents = false;
};

// Where a value sits: the container it is in, and for objects the key it is under.
enum class Ctx : std::uint8_t { top, txns, txn, patches, patch, parents, skip };
enum class Key : std::uint8_t {
  other,
  start_content,
  end_content,
  kind,
  num_agents,
  txns,
  patches,
  parents,
  agent
};

Key classify_key(std::string_view k) {
  if (k == "startContent") return Key::start_content;
  if (k == "endContent") return Key::end_content;
  if (k == "kind") return Key::kind;
  if (k == "numAgents") return Key::num_agents;
  if (k == "txns") return Key::txns;
  if (k == "patches") return Key::patches;
  if (k == "parents") return Key::parents;
  if (k == "agent") return Key::agent;
  return Key::other;
}

class TraceSax {
 public:
  std::string end_content;
  std::string kind;
  std::uint64_t num_agents = 0;
  bool has_end_content = false;
  bool has_txns = false;
  bool start_content_empty = true;
  std::vector<RawPatch> patches;
  std::vector<RawTxn> txns;
  std::vector<std::uint32_t> parents;
  std::vector<char> text;
  std::string error;  // first shape or syntax error; parsing stops at it

  bool null() { return scalar(); }
  bool boolean(bool /*value*/) { return scalar(); }
  bool number_integer(json::number_integer_t value) {
    if (value < 0) return counted() ? fail("negative number") : scalar();
    return number(static_cast<std::uint64_t>(value));
  }
  bool number_unsigned(json::number_unsigned_t value) { return number(value); }
  bool number_float(json::number_float_t /*value*/, const json::string_t& /*text*/) {
    return counted() ? fail("expected an integer") : scalar();
  }
  bool binary(json::binary_t& /*value*/) { return scalar(); }

  bool string(json::string_t& value) {
    Frame& f = stack_.back();
    switch (f.ctx) {
      case Ctx::top:
        if (f.key == Key::end_content) {
          end_content = std::move(value);
          has_end_content = true;
        } else if (f.key == Key::kind) {
          kind = std::move(value);
        } else if (f.key == Key::start_content) {
          start_content_empty = value.empty();
        } else {
          return scalar();
        }
        return true;
      case Ctx::patch:
        if (f.index++ != 2) return fail("a patch is [pos, delCount, insertStr]");
        patches.back().ins_begin = text.size();
        patches.back().ins_size = value.size();
        text.insert(text.end(), value.begin(), value.end());
        return true;
      default:
        return scalar();
    }
  }

  bool key(json::string_t& value) {
    stack_.back().key = classify_key(value);
    return true;
  }

  bool start_object(std::size_t /*size*/) { return open(false); }
  bool start_array(std::size_t /*size*/) { return open(true); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    if (error.empty())
      error = "JSON syntax error at byte " + std::to_string(position) + ": " + ex.what();
    return false;
  }

 private:
  struct Frame {
    Ctx ctx = Ctx::skip;
    Key key = Key::other;
    std::uint32_t index = 0;  // fields seen, in a patch
  };
  std::vector<Frame> stack_;

  bool fail(std::string message) {
    if (error.empty()) error = std::move(message);
    return false;
  }

  // True where a number is data we keep (and must be a non-negative integer).
  bool counted() const {
    if (stack_.empty()) return false;
    const Frame& f = stack_.back();
    return f.ctx == Ctx::parents || f.ctx == Ctx::patch ||
           (f.ctx == Ctx::top && f.key == Key::num_agents) ||
           (f.ctx == Ctx::txn && f.key == Key::agent);
  }

  // A value we do not keep: fine where it is ignored, an error where the format wants data.
  bool scalar() {
    if (stack_.empty()) return fail("the trace is not a JSON object");
    const Frame& f = stack_.back();
    switch (f.ctx) {
      case Ctx::txns:
        return fail("a txn is not an object");
      case Ctx::patches:
        return fail("a patch is not an array");
      case Ctx::patch:
        return fail("a patch is [pos, delCount, insertStr]");
      case Ctx::parents:
        return fail("a parent is not an index");
      case Ctx::top:
        if (f.key == Key::end_content || f.key == Key::kind || f.key == Key::num_agents ||
            f.key == Key::start_content || f.key == Key::txns) {
          return fail("top-level field of the wrong type");
        }
        return true;
      case Ctx::txn:
        if (f.key == Key::agent || f.key == Key::patches || f.key == Key::parents) {
          return fail("txn field of the wrong type");
        }
        return true;
      default:
        return true;
    }
  }

  bool number(std::uint64_t value) {
    if (stack_.empty()) return fail("the trace is not a JSON object");
    Frame& f = stack_.back();
    switch (f.ctx) {
      case Ctx::top:
        if (f.key != Key::num_agents) return scalar();
        num_agents = value;
        return true;
      case Ctx::txn:
        if (f.key != Key::agent) return scalar();
        txns.back().agent = value;
        txns.back().has_agent = true;
        return true;
      case Ctx::patch:
        if (f.index == 0) patches.back().pos = value;
        if (f.index == 1) patches.back().del = value;
        if (f.index++ >= 2) return fail("a patch is [pos, delCount, insertStr]");
        return true;
      case Ctx::parents:
        if (value >= txns.size() - 1) return fail("a parent is not an earlier txn");
        parents.push_back(static_cast<std::uint32_t>(value));
        return true;
      default:
        return scalar();
    }
  }

  bool open(bool is_array) {
    if (stack_.empty()) {
      if (is_array) return fail("the trace is not a JSON object");
      stack_.push_back({Ctx::top, Key::other, 0});
      return true;
    }
    const Frame& parent = stack_.back();
    Ctx ctx = Ctx::skip;
    switch (parent.ctx) {
      case Ctx::top:
        if (parent.key == Key::txns) {
          if (!is_array) return fail("txns is not an array");
          has_txns = true;
          ctx = Ctx::txns;
        } else if (parent.key != Key::other) {
          return fail("top-level field of the wrong type");
        }
        break;
      case Ctx::txns:
        if (is_array) return fail("a txn is not an object");
        txns.push_back({patches.size(), patches.size(), parents.size(), parents.size(), 0});
        ctx = Ctx::txn;
        break;
      case Ctx::txn:
        if (parent.key == Key::patches || parent.key == Key::parents) {
          if (!is_array) return fail("txn field of the wrong type");
          ctx = parent.key == Key::patches ? Ctx::patches : Ctx::parents;
          if (ctx == Ctx::parents) txns.back().has_parents = true;
        } else if (parent.key == Key::agent) {
          return fail("txn field of the wrong type");
        }
        break;
      case Ctx::patches:
        if (!is_array) return fail("a patch is not an array");
        patches.emplace_back();
        ctx = Ctx::patch;
        break;
      case Ctx::patch:
        return fail("a patch is [pos, delCount, insertStr]");
      case Ctx::parents:
        return fail("a parent is not an index");
      case Ctx::skip:
        break;
    }
    stack_.push_back({ctx, Key::other, 0});
    return true;
  }

  bool close() {
    const Frame f = stack_.back();
    stack_.pop_back();
    if (f.ctx == Ctx::patch && f.index != 3) return fail("a patch is [pos, delCount, insertStr]");
    if (f.ctx == Ctx::patches) txns.back().patch_end = patches.size();
    if (f.ctx == Ctx::parents) txns.back().parent_end = parents.size();
    return true;
  }
};

// Checks what the SAX pass could not (required fields, agents) and builds the Trace.
TraceResult<Trace> build_trace(TraceSax& sax, std::string name) {
  const auto bad = [&](const std::string& what) {
    return trace_error(TraceErrc::bad_shape, name + ": " + what);
  };
  if (!sax.has_end_content) return bad("no endContent");
  if (!sax.has_txns) return bad("no txns");
  if (!sax.start_content_empty) return bad("startContent is not empty");
  Trace trace;
  trace.name = std::move(name);
  trace.end_content = std::move(sax.end_content);
  if (sax.kind == "concurrent") {
    trace.kind = TraceKind::concurrent;
    if (sax.num_agents == 0 || sax.num_agents > (std::uint64_t{1} << 20)) {
      return bad("numAgents missing or out of range");
    }
    trace.num_agents = static_cast<std::uint32_t>(sax.num_agents);
  } else if (!sax.kind.empty() && sax.kind != "sequential") {
    return bad("unknown kind \"" + sax.kind + "\"");
  }
  if (sax.text.empty()) sax.text.push_back('\0');  // a valid data() for empty views
  trace.text_storage = std::move(sax.text);
  trace.parent_storage = std::move(sax.parents);
  trace.patches.reserve(sax.patches.size());
  for (const RawPatch& p : sax.patches) {
    trace.patches.push_back({p.pos, p.del, {trace.text_storage.data() + p.ins_begin, p.ins_size}});
  }
  const std::span<const Patch> all_patches{trace.patches};
  const std::span<const std::uint32_t> all_parents{trace.parent_storage};
  trace.txns.reserve(sax.txns.size());
  for (std::size_t i = 0; i < sax.txns.size(); ++i) {
    const RawTxn& t = sax.txns[i];
    if (trace.kind == TraceKind::concurrent) {
      if (!t.has_agent || t.agent >= trace.num_agents) {
        return bad("txn " + std::to_string(i) + ": agent missing or >= numAgents");
      }
      if (!t.has_parents) return bad("txn " + std::to_string(i) + ": no parents");
    }
    trace.txns.push_back({all_patches.subspan(t.patch_begin, t.patch_end - t.patch_begin),
                          all_parents.subspan(t.parent_begin, t.parent_end - t.parent_begin),
                          static_cast<std::uint32_t>(t.agent)});
  }
  return trace;
}

}  // namespace

TraceResult<Trace> parse_trace(std::string_view json_text, std::string name) {
  TraceSax sax;
  bool parsed = false;
  try {
    parsed = json::sax_parse(json_text, &sax);
  } catch (const std::exception& ex) {  // nlohmann reports through the handler; this is a backstop
    if (sax.error.empty()) sax.error = ex.what();
  }
  if (!parsed || !sax.error.empty()) {
    const bool syntax = sax.error.rfind("JSON syntax error", 0) == 0;
    return trace_error(syntax ? TraceErrc::bad_json : TraceErrc::bad_shape,
                       name + ": " + (sax.error.empty() ? "cannot parse" : sax.error));
  }
  return build_trace(sax, std::move(name));
}

}  // namespace weft::bench
