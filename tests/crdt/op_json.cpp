// op_json.cpp — ops as the shared test vectors write them.
#include "tests/crdt/op_json.hpp"

#include <variant>

#include "tests/crdt/reference_rga.hpp"

namespace weft::crdt::testing {

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

nlohmann::ordered_json op_json(const Op& op) {
  using Json = nlohmann::ordered_json;
  if (const auto* insert = std::get_if<InsertOp>(&op)) {
    Json body = {{"replica", insert->replica},
                 {"seq", insert->seq},
                 {"lamport", insert->lamport},
                 {"parent", {insert->parent.replica, insert->parent.seq}}};
    // JSON strings cannot carry invalid UTF-8; hostile texts travel as hex bytes instead.
    if (decode_utf8(insert->text)) {
      body["text"] = insert->text;
    } else {
      body["text_hex"] = to_hex(insert->text);
    }
    return {{"insert", body}};
  }
  const auto& erase = std::get<DeleteOp>(op);
  Json targets = Json::array();
  for (const IdRange& t : erase.targets) targets.push_back({t.replica, t.seq, t.len});
  return {{"delete",
           {{"replica", erase.replica},
            {"seq", erase.seq},
            {"lamport", erase.lamport},
            {"targets", targets}}}};
}

}  // namespace weft::crdt::testing
