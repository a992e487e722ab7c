// version.hpp — the one version of weft-server: `--version`, the welcome frame's `server`, the
// HTTP `Server` header and /healthz all say this.
#pragma once
#include <string_view>

namespace weft::server::base {

inline constexpr std::string_view server_version = "0.1.0";
// What the server calls itself in the welcome frame and the HTTP Server header.
inline constexpr std::string_view server_name = "weft-server/0.1.0";
static_assert(server_name.ends_with(server_version), "server_name names server_version");

}  // namespace weft::server::base
