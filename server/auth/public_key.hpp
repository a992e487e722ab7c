// public_key.hpp — the public key of RS*/ES* tokens, parsed and checked once at startup.
#pragma once
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "server/base/principal.hpp"

namespace weft::server::auth {

// The first "BEGIN PUBLIC KEY" block of `pem`; an error says why it is not a usable key.
[[nodiscard]] tl::expected<base::PublicKey, std::string> parse_public_key(std::string_view pem);
// parse_public_key() of a file's contents; errors name the file.
[[nodiscard]] tl::expected<base::PublicKey, std::string> load_public_key(const std::string& path);

}  // namespace weft::server::auth
