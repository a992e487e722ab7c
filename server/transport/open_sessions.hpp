// open_sessions.hpp — the WebSocket sessions that are open, so that shutdown can reach them all.
//
// The registry reaches the connections that joined a document; this set also reaches those that did
// not (no hello yet, or between documents). It is touched when a session opens or ends and at
// shutdown only, never per frame; its mutex guards nothing else. Thread-safe.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "proto/frame.hpp"

namespace weft::server::transport {

// A session as shutdown sees it (websocket_session.hpp implements it). Thread-safe.
class OpenSession {
 public:
  virtual ~OpenSession() = default;
  // Sends the queued frames, then a close with `code` and `reason`.
  virtual void close(proto::CloseCode code, std::string_view reason) = 0;
  // Drops the TCP connection without a close handshake.
  virtual void abort() = 0;
};

class OpenSessions {
 public:
  // False once draining: the session must close itself (the server is stopping).
  [[nodiscard]] bool add(std::uint64_t id, std::weak_ptr<OpenSession> session);
  void remove(std::uint64_t id);

  // Closes every open session with `code` (and every session added later), and runs `drained`
  // (on the thread of the last remove(), or at once) when none is left open.
  void drain(proto::CloseCode code, std::string_view reason, std::function<void()> drained);
  // Drops the TCP connection of every session still open (after a close handshake took too long).
  void abort_all();

  [[nodiscard]] std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<OpenSession>> sessions_;  // by mutex_
  bool draining_ = false;                                                   // by mutex_
  std::function<void()> drained_;                                           // by mutex_
};

}  // namespace weft::server::transport
