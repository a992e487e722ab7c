// compact_jwt.hpp — a JWT in compact form (RFC 7519 §3: BASE64URL(header) "." BASE64URL(payload)
// "." BASE64URL(signature)), split and decoded without parsing any JSON: the verifier checks the
// signature over `signing_input` before it lets a JSON parser see the header or the payload.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace weft::server::auth {

struct CompactJwt {
  std::string_view signing_input;  // "header.payload" as sent: what the signature covers
  std::string header;              // the decoded bytes, JSON text not yet parsed
  std::string payload;
  std::string signature;
};

// The three parts of `token`; an error says which part is malformed. Requires nothing of the
// decoded bytes. `token` must outlive the result (signing_input points into it).
[[nodiscard]] tl::expected<CompactJwt, std::string> split_compact_jwt(std::string_view token);

// Base64url (RFC 4648 §5) without padding, as JWS writes it; trailing `=` padding is tolerated.
// None on any other character or an impossible length.
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view text);

// Base64url without padding: the inverse of base64url_decode, for whoever builds a token (tests,
// fuzzers, tools).
[[nodiscard]] std::string base64url_encode(std::string_view bytes);

}  // namespace weft::server::auth
