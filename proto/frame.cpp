// frame.cpp — the names of frame types and error codes (PROTOCOL.md, "Frames" and "Errors").
#include "proto/frame.hpp"

#include <type_traits>

namespace weft::proto {

static_assert(std::is_same_v<std::variant_alternative_t<0, Frame>, Hello>);
static_assert(std::is_same_v<std::variant_alternative_t<4, Frame>, SnapshotChunk>);
static_assert(std::is_same_v<std::variant_alternative_t<12, Frame>, DigestFrame>);
static_assert(std::is_same_v<std::variant_alternative_t<14, Frame>, Error>);
static_assert(std::is_same_v<std::variant_alternative_t<16, Frame>, Refreshed>);
static_assert(std::variant_size_v<Frame> == static_cast<std::size_t>(FrameType::refreshed));

FrameType frame_type(const Frame& frame) {
  // The variant's alternatives are listed in type-number order, from hello = 1.
  return static_cast<FrameType>(frame.index() + 1);
}

std::string_view error_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::malformed_frame:
      return "malformed_frame";
    case ErrorCode::unknown_frame_type:
      return "unknown_frame_type";
    case ErrorCode::frame_too_large:
      return "frame_too_large";
    case ErrorCode::unsupported_version:
      return "unsupported_version";
    case ErrorCode::hello_required:
      return "hello_required";
    case ErrorCode::bad_document_id:
      return "bad_document_id";
    case ErrorCode::not_joined:
      return "not_joined";
    case ErrorCode::already_joined:
      return "already_joined";
    case ErrorCode::too_many_documents:
      return "too_many_documents";
    case ErrorCode::rate_limited:
      return "rate_limited";
    case ErrorCode::too_many_ops:
      return "too_many_ops";
    case ErrorCode::replica_mismatch:
      return "replica_mismatch";
    case ErrorCode::replica_taken_over:
      return "replica_taken_over";
    case ErrorCode::document_unavailable:
      return "document_unavailable";
    case ErrorCode::storage_failed:
      return "storage_failed";
    case ErrorCode::overloaded:
      return "overloaded";
    case ErrorCode::internal_error:
      return "internal_error";
    case ErrorCode::unauthorized:
      return "unauthorized";
    case ErrorCode::access_denied:
      return "access_denied";
    case ErrorCode::read_only:
      return "read_only";
    case ErrorCode::token_expired:
      return "token_expired";
    case ErrorCode::access_revoked:
      return "access_revoked";
    case ErrorCode::document_full:
      return "document_full";
    case ErrorCode::too_many_connections:
      return "too_many_connections";
    case ErrorCode::op_rejected_base:
      return "op_rejected_base";
  }
  return "unknown";
}

}  // namespace weft::proto
