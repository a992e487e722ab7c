// auth_test.cpp — server/auth/ (JWT verification, public keys), base/principal.hpp (rights,
// finding tokens), the auth options, and what a Connection does with verified tokens:
// access_denied, read-only members, refresh, expiry. Its own executable (auth_tests): it links
// the JWT library and OpenSSL, which the protocol core's server_tests must not.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>
#include <jwt/jwt.hpp>
#include <openssl/sha.h>

#include "server/auth/compact_jwt.hpp"
#include "server/auth/jwt_verifier.hpp"
#include "server/auth/public_key.hpp"
#include "server/base/sha256.hpp"
#include "server/server_options.hpp"
#include "tests/server/server_test_support.hpp"
#include "tests/server/test_keys.hpp"
#include "tests/temp_dir.hpp"

namespace weft::server::test {
namespace {

constexpr std::string_view secret = "test-secret";

using test_keys::now_s;

// An HS256 token for `sub` named Ann with the `docs` claim; exp/nbf when given.
std::string mint(const nlohmann::json& docs, std::optional<std::int64_t> exp = std::nullopt,
                 std::string_view key = secret, std::string sub = "ann",
                 std::optional<std::int64_t> nbf = std::nullopt) {
  return test_keys::sign("HS256", key, {std::move(sub), docs, "Ann", exp, nbf});
}

auth::JwtVerifier verifier() { return auth::JwtVerifier(std::string(secret)); }

// Key pairs, generated once per run (RSA generation is slow under the sanitizers).
const test_keys::KeyPair& rsa_key() {
  static const test_keys::KeyPair key = test_keys::rsa();
  return key;
}
const test_keys::KeyPair& other_rsa_key() {
  static const test_keys::KeyPair key = test_keys::rsa();
  return key;
}
const test_keys::KeyPair& ec_key() {
  static const test_keys::KeyPair key = test_keys::ec();
  return key;
}
const test_keys::KeyPair& other_ec_key() {
  static const test_keys::KeyPair key = test_keys::ec();
  return key;
}

base::PublicKey public_key_of(const test_keys::KeyPair& pair) {
  auto key = auth::parse_public_key(pair.public_pem);
  REQUIRE_MESSAGE(key.has_value(), key.error());
  return *key;
}

// A verifier with only the public half of `pair`; with the HS256 secret too if `with_secret`.
auth::JwtVerifier key_verifier(const test_keys::KeyPair& pair, bool with_secret = false) {
  return auth::JwtVerifier(with_secret ? std::optional<std::string>(secret) : std::nullopt,
                           public_key_of(pair));
}

// A token for "ann" with write on every document, signed under `alg` with `key` (a private key
// PEM for RS*/ES*, a secret for HS*); exp when given.
std::string mint_with(std::string_view alg, std::string_view key,
                      std::optional<std::int64_t> exp = std::nullopt) {
  test_keys::Claims claims;
  claims.exp = exp;
  return test_keys::sign(alg, key, claims);
}

using testing::TempDir;

proto::Join fresh_join(std::string doc) {
  return proto::Join{std::move(doc), std::nullopt, std::nullopt, std::nullopt, {}};
}

// A greeted connection acting for `principal`.
struct AuthClient {
  AuthClient(TestServer& server, Principal principal)
      : peer(std::make_shared<RecordingPeer>()),
        connection(server.services, peer, server.ids.next(), "test", std::move(principal)) {
    send(proto::Hello{proto::protocol_version, "test"});
    server.settle();
    peer->take();
  }
  void send(const proto::Frame& frame) { connection.on_message(proto::encode_frame(frame), true); }
  std::shared_ptr<RecordingPeer> peer;
  Connection connection;
};

Principal principal_of(const nlohmann::json& docs, std::optional<std::int64_t> exp = {}) {
  auto principal = verifier().verify(mint(docs, exp));
  REQUIRE_MESSAGE(principal.has_value(), principal.error().reason);
  return *principal;
}

std::vector<std::string> error_names(const std::vector<proto::Frame>& frames) {
  std::vector<std::string> names;
  for (const auto& error : only<proto::Error>(frames)) names.push_back(error.name);
  return names;
}

crdt::Op insert(crdt::ReplicaId replica, crdt::Seq seq, std::string text) {
  return crdt::InsertOp{replica, seq, seq + 1, crdt::root_id, std::move(text)};
}

}  // namespace

TEST_SUITE("auth: rights") {
  TEST_CASE("the exact document id wins over every pattern") {
    Principal p;
    p.rights = {{"*", Access::write}, {"team-*", Access::write}, {"team-plan", Access::read}};
    CHECK(p.access("team-plan") == Access::read);
  }

  TEST_CASE("the longest matching prefix pattern wins") {
    Principal p;
    p.rights = {{"*", Access::read}, {"team-*", Access::write}, {"team-x*", Access::read}};
    CHECK(p.access("team-a") == Access::write);
    CHECK(p.access("team-xy") == Access::read);
    CHECK(p.access("other") == Access::read);
  }

  TEST_CASE("a document no pattern matches has no access") {
    Principal p;
    p.rights = {{"team-*", Access::write}, {"plan", Access::read}};
    CHECK(p.access("plan2") == Access::none);
    CHECK(p.access("tea") == Access::none);
  }

  TEST_CASE("the development principal writes every document") {
    CHECK(Principal::development().access("anything") == Access::write);
    CHECK_FALSE(Principal::development().expires);
  }
}

TEST_SUITE("auth: tokens") {
  TEST_CASE("a valid token gives its sub, name, exp and rights") {
    const std::int64_t exp = now_s() + 600;
    const auto p = verifier().verify(mint({{"team-*", "write"}, {"plan", "read"}}, exp));
    REQUIRE_MESSAGE(p.has_value(), p.error().reason);
    CHECK(p->user_id == "ann");
    CHECK(p->name == "Ann");
    CHECK(p->expires == exp);
    CHECK(p->access("team-1") == Access::write);
    CHECK(p->access("plan") == Access::read);
  }

  TEST_CASE("a token signed with another secret is a bad signature") {
    const auto p = verifier().verify(mint({{"*", "write"}}, std::nullopt, "other-secret"));
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "bad signature");
  }

  TEST_CASE("an expired token is refused") {
    const auto p = verifier().verify(mint({{"*", "write"}}, now_s() - 60));
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "token expired");
  }

  TEST_CASE("a token before its nbf is refused") {
    const auto p =
        verifier().verify(mint({{"*", "write"}}, std::nullopt, secret, "ann", now_s() + 600));
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "token not yet valid");
  }

  TEST_CASE("an unsigned token (alg none) is refused") {
    jwt::jwt_object token{jwt::params::algorithm("none")};
    token.add_claim("sub", "mallory");
    token.add_claim("docs", nlohmann::json{{"*", "write"}});
    CHECK_FALSE(verifier().verify(token.signature()).has_value());
  }

  TEST_CASE("garbage is refused without throwing") {
    CHECK_FALSE(verifier().verify("not.a.jwt").has_value());
    CHECK_FALSE(verifier().verify("").has_value());
    CHECK_FALSE(verifier().verify("....").has_value());
    CHECK_FALSE(verifier().verify("e30.e30.").has_value());
  }

  TEST_CASE("a token without sub is refused") {
    CHECK_FALSE(verifier().verify(mint({{"*", "write"}}, std::nullopt, secret, "")).has_value());
  }

  TEST_CASE("a right other than read or write is refused") {
    const auto p = verifier().verify(mint({{"*", "admin"}}));
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason.find("read or write") != std::string::npos);
  }

  TEST_CASE("without a secret every request is the development principal") {
    const auth::JwtVerifier dev{std::nullopt};
    CHECK_FALSE(dev.enabled());
    const auto p = dev.verify_request("", "/ws");
    REQUIRE(p.has_value());
    CHECK(p->access("x") == Access::write);
  }

  TEST_CASE("the token comes from Authorization: Bearer, else the token query parameter") {
    CHECK(base::find_token("Bearer abc.def.ghi", "/ws?token=zzz") == "abc.def.ghi");
    CHECK(base::find_token("", "/ws?x=1&token=abc.def") == "abc.def");
    CHECK(base::find_token("", "/ws?token=abc#frag") == "abc");
    CHECK_FALSE(base::find_token("Basic dXNlcg==", "/ws").has_value());
    CHECK_FALSE(base::find_token("", "/ws?token=").has_value());
  }

  TEST_CASE("with a secret a request without a token is refused") {
    const auto p = verifier().verify_request("", "/ws");
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "no token");
  }
}

TEST_SUITE("auth: public keys") {
  TEST_CASE("an RS256 token signed with the configured RSA key is accepted") {
    const std::int64_t exp = now_s() + 600;
    const auto p = key_verifier(rsa_key()).verify(mint_with("RS256", rsa_key().private_pem, exp));
    REQUIRE_MESSAGE(p.has_value(), p.error().reason);
    CHECK(p->user_id == "ann");
    CHECK(p->expires == exp);
    CHECK(p->access("any") == Access::write);
  }

  TEST_CASE("an RSA key also accepts RS384 and RS512") {
    const auth::JwtVerifier v = key_verifier(rsa_key());
    CHECK(v.verify(mint_with("RS384", rsa_key().private_pem)).has_value());
    CHECK(v.verify(mint_with("RS512", rsa_key().private_pem)).has_value());
  }

  TEST_CASE("an ES256 token signed with the configured P-256 key is accepted") {
    const auto p = key_verifier(ec_key()).verify(mint_with("ES256", ec_key().private_pem));
    REQUIRE_MESSAGE(p.has_value(), p.error().reason);
    CHECK(p->user_id == "ann");
  }

  TEST_CASE("an EC key accepts only the ES algorithm of its curve") {
    CHECK_FALSE(
        key_verifier(ec_key()).verify(mint_with("ES384", ec_key().private_pem)).has_value());
    const test_keys::KeyPair p384 = test_keys::ec("P-384");
    CHECK(key_verifier(p384).verify(mint_with("ES384", p384.private_pem)).has_value());
  }

  TEST_CASE("an RS256 token signed with another RSA key is a bad signature") {
    const auto p = key_verifier(rsa_key()).verify(mint_with("RS256", other_rsa_key().private_pem));
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "bad signature");
  }

  TEST_CASE("an ES256 token signed with another EC key is refused") {
    CHECK_FALSE(
        key_verifier(ec_key()).verify(mint_with("ES256", other_ec_key().private_pem)).has_value());
  }

  TEST_CASE("an RS256 token is refused by an EC key and an ES256 token by an RSA key") {
    CHECK_FALSE(
        key_verifier(ec_key()).verify(mint_with("RS256", rsa_key().private_pem)).has_value());
    CHECK_FALSE(
        key_verifier(rsa_key()).verify(mint_with("ES256", ec_key().private_pem)).has_value());
  }

  TEST_CASE("an HS256 token whose secret is the public key's PEM is refused") {
    // Algorithm confusion: a verifier that let the token's alg pick HMAC would accept this.
    const std::string token = mint_with("HS256", rsa_key().public_pem);
    const auto p = key_verifier(rsa_key()).verify(token);
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "bad token: algorithm HS256 is not accepted");
    CHECK_FALSE(key_verifier(rsa_key(), true).verify(token).has_value());
    CHECK_FALSE(key_verifier(ec_key()).verify(mint_with("HS256", ec_key().public_pem)).has_value());
  }

  TEST_CASE("an unsigned token (alg none) is refused with a public key") {
    jwt::jwt_object token{jwt::params::algorithm("none")};
    token.add_claim("sub", "mallory");
    token.add_claim("docs", nlohmann::json{{"*", "write"}});
    CHECK_FALSE(key_verifier(rsa_key(), true).verify(token.signature()).has_value());
  }

  TEST_CASE("a token naming an algorithm the library does not know is refused by name") {
    // {"alg":"PS256"}.{}.x
    const auto p = key_verifier(rsa_key(), true).verify("eyJhbGciOiJQUzI1NiJ9.e30.eA");
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "bad token: unknown algorithm");
  }

  TEST_CASE("an expired RS256 token is refused") {
    const auto p =
        key_verifier(rsa_key()).verify(mint_with("RS256", rsa_key().private_pem, now_s() - 60));
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "token expired");
  }

  TEST_CASE("an RS256 token is refused when only a secret is configured") {
    const auto p = verifier().verify(mint_with("RS256", rsa_key().private_pem));
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "bad token: algorithm RS256 is not accepted");
  }

  TEST_CASE("with a secret and a key, HS256 and RS256 tokens are both accepted") {
    const auth::JwtVerifier both = key_verifier(rsa_key(), true);
    CHECK(both.enabled());
    CHECK(both.verify(mint({{"*", "write"}})).has_value());
    CHECK(both.verify(mint_with("RS256", rsa_key().private_pem)).has_value());
    CHECK_FALSE(both.verify(mint({{"*", "write"}}, std::nullopt, "other-secret")).has_value());
  }

  TEST_CASE("a public key alone turns authentication on") {
    const auth::JwtVerifier v = key_verifier(ec_key());
    CHECK(v.enabled());
    const auto p = v.verify_request("", "/ws");
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "no token");
  }

  TEST_CASE("a private key, a small RSA key, another curve and garbage are not public keys") {
    const auto private_key = auth::parse_public_key(rsa_key().private_pem);
    REQUIRE_FALSE(private_key.has_value());
    CHECK(private_key.error().find("BEGIN PUBLIC KEY") != std::string::npos);
    const auto small = auth::parse_public_key(test_keys::rsa(1024).public_pem);
    REQUIRE_FALSE(small.has_value());
    CHECK(small.error().find("1024 bits") != std::string::npos);
    const auto k1 = auth::parse_public_key(test_keys::ec("secp256k1").public_pem);
    REQUIRE_FALSE(k1.has_value());
    CHECK(k1.error().find("secp256k1") != std::string::npos);
    CHECK_FALSE(auth::parse_public_key("not a key").has_value());
    CHECK_FALSE(auth::parse_public_key("").has_value());
  }

  TEST_CASE("the key's PEM may come with other text around it") {
    const auto key = auth::parse_public_key("# ours\n" + ec_key().public_pem + "trailing\n");
    REQUIRE_MESSAGE(key.has_value(), key.error());
    CHECK(key->pem == ec_key().public_pem);
    CHECK(key->algorithms == std::vector<std::string>{"ES256"});
  }
}

TEST_SUITE("auth: hostile tokens (issue 13)") {
  // A raw token for ann with write everywhere and these extra claims (JSON text after a comma).
  std::string raw_token(const std::string& extra_claims) {
    return test_keys::sign_raw(R"({"sub":"ann","docs":{"*":"write"})" +
                                   (extra_claims.empty() ? "" : "," + extra_claims) + "}",
                               secret);
  }

  TEST_CASE("a token above 8 KiB is refused before anything is read") {
    const std::string large = raw_token(R"("name":")" + std::string(6200, 'a') + R"(")");
    REQUIRE(large.size() > base::max_token_bytes);
    const auto p = verifier().verify(large);
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "bad token: larger than 8192 bytes");
    const std::string fits = raw_token(R"("name":")" + std::string(5000, 'a') + R"(")");
    REQUIRE(fits.size() <= base::max_token_bytes);
    CHECK(verifier().verify(fits).has_value());
  }

  TEST_CASE("a badly signed token is a bad signature, its payload unparsed") {
    // Not JSON and nested deep: a verifier that parsed before checking would say so.
    const std::string forged = test_keys::sign_raw(std::string(3000, '['), "other-secret");
    auto p = verifier().verify(forged);
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "bad signature");
    p = key_verifier(rsa_key(), true).verify(forged);
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "bad signature");
  }

  TEST_CASE("a validly signed token nested too deep is refused naming the limit") {
    auto p = verifier().verify(test_keys::sign_raw(
        R"({"sub":"ann","x":)" + std::string(3000, '[') + std::string(3000, ']') + "}", secret));
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "bad token: the payload: JSON nested deeper than 64 levels");
    p = verifier().verify(test_keys::sign_raw(
        R"({"sub":"ann"})", secret,
        R"({"alg":"HS256","x":)" + std::string(200, '[') + std::string(200, ']') + "}"));
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "bad token: the header: JSON nested deeper than 64 levels");
    // 63 levels inside the claims object are 64 in all: accepted.
    const std::string deepest = std::string(63, '[') + std::string(63, ']');
    CHECK(verifier().verify(raw_token(R"("x":)" + deepest)).has_value());
  }

  TEST_CASE("a payload that is not a JSON object is refused") {
    for (const char* payload : {"[1]", "\"ann\"", "{\"sub\":", ""}) {
      CAPTURE(payload);
      const auto p = verifier().verify(test_keys::sign_raw(payload, secret));
      REQUIRE_FALSE(p.has_value());
      CHECK(p.error().reason.starts_with("bad token: the payload"));
    }
  }

  TEST_CASE("a header whose alg is not the one its signature verifies under is refused") {
    const auto p = verifier().verify(
        test_keys::sign_raw(R"({"sub":"ann"})", secret, R"({"alg":"HS384","typ":"JWT"})"));
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason.starts_with("bad token:"));
  }

  TEST_CASE("exp, nbf and iat are integers from 0 to the end of year 9999") {
    const std::int64_t soon = now_s() + 600;
    auto p = verifier().verify(raw_token(R"("exp":32503680000)"));  // 3000-01-01
    REQUIRE_MESSAGE(p.has_value(), p.error().reason);
    CHECK(p->expires == 32503680000);
    p = verifier().verify(raw_token(R"("exp":253402300799,"nbf":0,"iat":0)"));
    REQUIRE_MESSAGE(p.has_value(), p.error().reason);
    CHECK(p->expires == auth::JwtVerifier::max_time_claim);
    // Just past 2262-04-11, where nanoseconds since 1970 overflow 64 bits.
    CHECK(verifier().verify(raw_token(R"("exp":9223372037)")).has_value());
    CHECK(verifier()
              .verify(raw_token(R"("exp":)" + std::to_string(soon) + R"(,"iat":)" +
                                std::to_string(soon - 600)))
              .has_value());
    const std::string range =
        " is out of range (Unix seconds from 0 to 253402300799, the end of year 9999)";
    const std::vector<std::pair<std::string, std::string>> refused = {
        {R"("exp":-1)", "the exp claim" + range},
        {R"("exp":-9223372036854775808)", "the exp claim" + range},
        {R"("exp":253402300800)", "the exp claim" + range},
        {R"("exp":18446744073709551615)", "the exp claim" + range},
        {R"("exp":4102444800.5)", "the exp claim is not an integer"},
        {R"("exp":1e12)", "the exp claim is not an integer"},
        {R"("exp":"4102444800")", "the exp claim is not an integer"},
        {R"("exp":null)", "the exp claim is not an integer"},
        {R"("exp":99999999999999999999999)", "the exp claim is not an integer"},
        {R"("nbf":-1)", "the nbf claim" + range},
        {R"("nbf":[1])", "the nbf claim is not an integer"},
        {R"("iat":-5)", "the iat claim" + range},
        {R"("iat":true)", "the iat claim is not an integer"},
    };
    for (const auto& claim : refused) {
      CAPTURE(claim.first);
      p = verifier().verify(raw_token(claim.first));
      REQUIRE_FALSE(p.has_value());
      CHECK(p.error().reason == claim.second);
    }
    // In range but in the past is expired, as before.
    p = verifier().verify(raw_token(R"("exp":0)"));
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().reason == "token expired");
  }

  TEST_CASE("ES signatures of the wrong length and truncated RS signatures are refused") {
    const std::string token = mint_with("ES256", ec_key().private_pem);
    const auth::JwtVerifier v = key_verifier(ec_key());
    REQUIRE(v.verify(token).has_value());
    CHECK_FALSE(v.verify(token.substr(0, token.size() - 4)).has_value());
    CHECK_FALSE(v.verify(token + "AAAA").has_value());
    const std::string rs = mint_with("RS256", rsa_key().private_pem);
    CHECK_FALSE(key_verifier(rsa_key()).verify(rs.substr(0, rs.size() - 8)).has_value());
  }
}

TEST_SUITE("auth: base64url") {
  TEST_CASE("encoding then decoding gives back every byte string, with every tail length") {
    std::string bytes;
    for (int i = 0; i < 300; ++i) {
      const auto encoded = auth::base64url_encode(bytes);
      CHECK(encoded.find_first_of("+/=") == std::string::npos);
      CHECK(encoded.size() == (bytes.size() * 4 + 2) / 3);  // no padding
      CHECK(auth::base64url_decode(encoded) == bytes);
      bytes.push_back(static_cast<char>(i * 37 + 11));
    }
  }

  TEST_CASE("the RFC 4648 section 10 vectors, in the URL-safe alphabet without padding") {
    CHECK(auth::base64url_encode("foobar") == "Zm9vYmFy");
    CHECK(auth::base64url_encode("fooba") == "Zm9vYmE");
    CHECK(auth::base64url_encode("f") == "Zg");
    CHECK(auth::base64url_encode("\xfb\xff") == "-_8");
  }
}

TEST_SUITE("auth: options") {
  TEST_CASE("--jwt-secret and WEFT_JWT_SECRET set the secret; without either, development mode") {
    const auto env = [](std::string_view name) -> std::optional<std::string> {
      if (name == "WEFT_JWT_SECRET") return "from-env";
      return std::nullopt;
    };
    const auto none = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    const std::vector<std::string_view> flag{"--jwt-secret", "from-flag"};
    CHECK(parse_options({}, env, 1)->config.jwt_secret == "from-env");
    CHECK(parse_options(flag, env, 1)->config.jwt_secret == "from-flag");
    CHECK_FALSE(parse_options({}, none, 1)->config.jwt_secret.has_value());
    const std::vector<std::string_view> empty{"--jwt-secret="};
    CHECK_FALSE(parse_options(empty, none, 1).has_value());
    CHECK(usage().find("--jwt-secret") != std::string::npos);
  }

  TEST_CASE("--jwt-public-key and WEFT_JWT_PUBLIC_KEY read and parse the key file") {
    const TempDir dir;
    const std::string rsa_file = dir.write("rsa.pem", rsa_key().public_pem);
    const std::string ec_file = dir.write("ec.pem", ec_key().public_pem);
    const auto env = [&](std::string_view name) -> std::optional<std::string> {
      if (name == "WEFT_JWT_PUBLIC_KEY") return rsa_file;
      return std::nullopt;
    };
    const auto none = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    const auto from_env = parse_options({}, env, 1);
    REQUIRE_MESSAGE(from_env.has_value(), from_env.error());
    REQUIRE(from_env->config.jwt_public_key.has_value());
    CHECK(from_env->config.jwt_public_key->pem == rsa_key().public_pem);
    CHECK_FALSE(from_env->config.jwt_secret.has_value());
    const std::vector<std::string_view> flag{"--jwt-public-key", ec_file};
    const auto from_flag = parse_options(flag, env, 1);
    REQUIRE_MESSAGE(from_flag.has_value(), from_flag.error());
    REQUIRE(from_flag->config.jwt_public_key.has_value());
    CHECK(from_flag->config.jwt_public_key->algorithms == std::vector<std::string>{"ES256"});
    CHECK_FALSE(parse_options({}, none, 1)->config.jwt_public_key.has_value());
    CHECK(usage().find("--jwt-public-key") != std::string::npos);
  }

  TEST_CASE("a missing or non-key --jwt-public-key file is an option error naming the file") {
    const TempDir dir;
    const auto none = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    const std::string missing = (dir.path() / "missing.pem").string();
    const std::vector<std::string_view> absent{"--jwt-public-key", missing};
    const auto not_read = parse_options(absent, none, 1);
    REQUIRE_FALSE(not_read.has_value());
    CHECK(not_read.error().starts_with("--jwt-public-key: cannot read " + missing));
    const std::string text = dir.write("text.pem", "hello\n");
    const std::string assigned = "--jwt-public-key=" + text;
    const std::vector<std::string_view> not_key{assigned};
    const auto not_parsed = parse_options(not_key, none, 1);
    REQUIRE_FALSE(not_parsed.has_value());
    CHECK(not_parsed.error().find(text + ": no public key") != std::string::npos);
    const std::vector<std::string_view> empty{"--jwt-public-key="};
    CHECK_FALSE(parse_options(empty, none, 1).has_value());
  }
}

TEST_SUITE("auth: resume token hashes") {
  TEST_CASE("the core's SHA-256 agrees with OpenSSL's on inputs of every length up to 300 bytes") {
    std::string input;
    for (int n = 0; n <= 300; ++n) {
      std::array<unsigned char, SHA256_DIGEST_LENGTH> expected{};
      SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), expected.data());
      const base::Sha256Digest ours = base::sha256(input);
      REQUIRE_MESSAGE(std::equal(ours.begin(), ours.end(), expected.begin()), "length ", n);
      input += static_cast<char>((n * 131 + 7) & 0xFF);
    }
  }
}

TEST_SUITE("auth: connections") {
  TEST_CASE("joining a document without access is access_denied and loads nothing") {
    ServerConfig config = test_config();
    config.jwt_secret = std::string(secret);
    const auth::JwtVerifier jwt(config.jwt_secret, config.jwt_public_key);
    TestServer server(config, jwt);
    AuthClient client(server, principal_of({{"team-*", "write"}}));
    client.send(fresh_join("secret-plan"));
    server.settle();
    const auto frames = client.peer->take();
    CHECK(error_names(frames) == std::vector<std::string>{"access_denied"});
    CHECK(only<proto::Error>(frames).front().doc == "secret-plan");
    CHECK(server.registry.size() == 0);
  }

  TEST_CASE("a read-only join of a missing document is access_denied and stores nothing (#13)") {
    TestServer server;
    AuthClient reader(server, principal_of({{"*", "read"}}));
    reader.send(fresh_join("ghost"));
    server.settle();
    const auto frames = reader.peer->take();
    CHECK(error_names(frames) == std::vector<std::string>{"access_denied"});
    CHECK(only<proto::Error>(frames).front().doc == "ghost");
    CHECK(server.registry.size() == 0);
    CHECK(server.store.load("ghost").error().code == storage::Errc::not_found);
    // A writer creates it; a reader may join it then.
    Client& writer = server.connect();
    server.join_fresh(writer, "ghost");
    AuthClient late(server, principal_of({{"*", "read"}}));
    late.send(fresh_join("ghost"));
    server.settle();
    CHECK(only<proto::Joined>(late.peer->take()).size() == 1);
  }

  TEST_CASE("a read-only member's ops are refused with read_only; its presence goes through") {
    TestServer server;
    Client& writer = server.connect();
    server.join_fresh(writer, "doc");
    writer.take();
    AuthClient reader(server, principal_of({{"doc", "read"}}));
    reader.send(fresh_join("doc"));
    server.settle();
    const auto joined = only<proto::Joined>(reader.peer->take());
    REQUIRE(joined.size() == 1);
    reader.send(proto::Ops{"doc", {insert(joined[0].replica, 0, "x")}});
    proto::PresenceState state;
    state.name = "reader";
    reader.send(proto::Presence{"doc", state});
    server.settle();
    const auto frames = reader.peer->take();
    REQUIRE(error_names(frames) == std::vector<std::string>{"read_only"});
    CHECK(only<proto::Error>(frames).front().op == crdt::Id{joined[0].replica, 0});
    CHECK(only<proto::Ops>(writer.take()).empty());
    // (presence reaches the writer: presence_interval_ms is 0 in tests)
    server.settle();
  }

  TEST_CASE("ops of a write member are recorded with its user id") {
    TestServer server;
    AuthClient ann(server, principal_of({{"*", "write"}}));
    ann.send(fresh_join("doc"));
    server.settle();
    const auto joined = only<proto::Joined>(ann.peer->take());
    REQUIRE(joined.size() == 1);
    ann.send(proto::Ops{"doc", {insert(joined[0].replica, 0, "hi")}});
    server.settle();
    CHECK(only<proto::Ack>(ann.peer->take()).size() == 1);
    const auto log = server.store.read_log("doc", 0, 100);
    REQUIRE(log.has_value());
    REQUIRE(log->size() == 1);
    CHECK(log->front().user_id == "ann");
  }

  TEST_CASE("with a public key configured, a refresh with an ES256 token is applied") {
    ServerConfig config = test_config();
    config.jwt_public_key = public_key_of(ec_key());
    const auth::JwtVerifier jwt(config.jwt_secret, config.jwt_public_key);
    TestServer server(config, jwt);
    AuthClient ann(server, principal_of({{"doc", "read"}}));
    ann.send(proto::Refresh{mint_with("ES256", ec_key().private_pem)});
    ann.send(proto::Refresh{mint_with("ES256", other_ec_key().private_pem)});
    server.settle();
    const auto frames = ann.peer->take();
    CHECK(only<proto::Refreshed>(frames).size() == 1);
    CHECK(error_names(frames) == std::vector<std::string>{"unauthorized"});
  }

  TEST_CASE("a refresh with a bad token is unauthorized and the old rights stay") {
    ServerConfig config = test_config();
    config.jwt_secret = std::string(secret);
    const auth::JwtVerifier jwt(config.jwt_secret, config.jwt_public_key);
    TestServer server(config, jwt);
    AuthClient ann(server, principal_of({{"doc", "write"}}));
    ann.send(proto::Refresh{mint({{"*", "write"}}, std::nullopt, "wrong")});
    ann.send(fresh_join("doc"));
    server.settle();
    const auto frames = ann.peer->take();
    CHECK(error_names(frames) == std::vector<std::string>{"unauthorized"});
    CHECK(only<proto::Joined>(frames).size() == 1);
    CHECK(only<proto::Refreshed>(frames).empty());
  }

  TEST_CASE("a refresh that removes a document ends that membership with access_revoked") {
    ServerConfig config = test_config();
    config.jwt_secret = std::string(secret);
    const auth::JwtVerifier jwt(config.jwt_secret, config.jwt_public_key);
    TestServer server(config, jwt);
    AuthClient ann(server, principal_of({{"a", "write"}, {"b", "write"}}));
    ann.send(fresh_join("a"));
    ann.send(fresh_join("b"));
    server.settle();
    ann.peer->take();
    const std::int64_t exp = now_s() + 900;
    ann.send(proto::Refresh{mint({{"a", "write"}}, exp)});
    server.settle();
    auto frames = ann.peer->take();
    REQUIRE(only<proto::Refreshed>(frames).size() == 1);
    CHECK(only<proto::Refreshed>(frames).front().expires == static_cast<std::uint64_t>(exp));
    REQUIRE(error_names(frames) == std::vector<std::string>{"access_revoked"});
    CHECK(only<proto::Error>(frames).front().doc == "b");
    CHECK(ann.connection.token_expires() == exp);
    ann.send(proto::Ops{"b", {}});
    server.settle();
    CHECK(error_names(ann.peer->take()) == std::vector<std::string>{"not_joined"});
  }

  TEST_CASE("a refresh from write to read makes the member read-only, and back to write") {
    ServerConfig config = test_config();
    config.jwt_secret = std::string(secret);
    const auth::JwtVerifier jwt(config.jwt_secret, config.jwt_public_key);
    TestServer server(config, jwt);
    AuthClient ann(server, principal_of({{"doc", "write"}}));
    ann.send(fresh_join("doc"));
    server.settle();
    const auto joined = only<proto::Joined>(ann.peer->take());
    REQUIRE(joined.size() == 1);
    ann.send(proto::Refresh{mint({{"doc", "read"}})});
    ann.send(proto::Ops{"doc", {insert(joined[0].replica, 0, "x")}});
    server.settle();
    CHECK(error_names(ann.peer->take()) == std::vector<std::string>{"access_revoked", "read_only"});
    ann.send(proto::Refresh{mint({{"doc", "write"}})});
    ann.send(proto::Ops{"doc", {insert(joined[0].replica, 0, "x")}});
    server.settle();
    const auto frames = ann.peer->take();
    CHECK(error_names(frames).empty());
    CHECK(only<proto::Ack>(frames).size() == 1);
  }

  TEST_CASE("a refresh with a token above 8 KiB is unauthorized, the old token stays (issue 13)") {
    ServerConfig config = test_config();
    config.jwt_secret = std::string(secret);
    const auth::JwtVerifier jwt(config.jwt_secret, config.jwt_public_key);
    TestServer server(config, jwt);
    AuthClient ann(server, principal_of({{"doc", "write"}}));
    ann.send(proto::Refresh{std::string(base::max_token_bytes + 1, 'a')});
    ann.send(fresh_join("doc"));
    server.settle();
    const auto frames = ann.peer->take();
    REQUIRE(error_names(frames) == std::vector<std::string>{"unauthorized"});
    CHECK(only<proto::Error>(frames).front().message ==
          "the token is larger than 8192 bytes; the previous token stays in force");
    CHECK(only<proto::Joined>(frames).size() == 1);
  }

  TEST_CASE("a refresh for another user is unauthorized") {
    ServerConfig config = test_config();
    config.jwt_secret = std::string(secret);
    const auth::JwtVerifier jwt(config.jwt_secret, config.jwt_public_key);
    TestServer server(config, jwt);
    AuthClient ann(server, principal_of({{"doc", "write"}}));
    ann.send(proto::Refresh{mint({{"*", "write"}}, std::nullopt, secret, "bob")});
    server.settle();
    CHECK(error_names(ann.peer->take()) == std::vector<std::string>{"unauthorized"});
  }

  TEST_CASE("token expiry ends every membership with token_expired until a refresh") {
    ServerConfig config = test_config();
    config.jwt_secret = std::string(secret);
    const auth::JwtVerifier jwt(config.jwt_secret, config.jwt_public_key);
    TestServer server(config, jwt);
    AuthClient ann(server, principal_of({{"*", "write"}}));
    ann.send(fresh_join("a"));
    ann.send(fresh_join("b"));
    server.settle();
    ann.peer->take();
    ann.connection.on_token_expired();
    server.settle();
    CHECK(error_names(ann.peer->take()) ==
          std::vector<std::string>{"token_expired", "token_expired"});
    ann.send(fresh_join("a"));
    server.settle();
    CHECK(error_names(ann.peer->take()) == std::vector<std::string>{"token_expired"});
    ann.send(proto::Refresh{mint({{"*", "write"}})});
    ann.send(fresh_join("a"));
    server.settle();
    const auto frames = ann.peer->take();
    CHECK(only<proto::Refreshed>(frames).size() == 1);
    CHECK(only<proto::Joined>(frames).size() == 1);
    CHECK_FALSE(ann.peer->closed_with());
  }
}

}  // namespace weft::server::test
