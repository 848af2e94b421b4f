#pragma once
// Connection: one client socket. Reads 4-byte-size frames into an input evbuffer, hands each frame
// (header + body, writable, contiguous via evbuffer_pullup of exactly that frame) to the
// RequestHandler in place, and writes responses in request order through a ResponseQueue. File
// regions (Fetch) are queued as evbuffer file segments, sent with sendfile().
// Owned (shared_ptr) by the Server; Responders hold weak_ptrs, so a response completed after the
// client went away is dropped. Loop thread only.

#include <event2/buffer.h>
#include <event2/event.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "broker/response_queue.h"
#include "protocol/wire.h"

namespace sluice::broker {

class Connection;

// The request as the connection saw it: the frame bytes (without the 4-byte size), writable and
// valid only during RequestHandler::Handle, plus the header fields at fixed offsets.
struct RawRequest {
  uint8_t* data = nullptr;
  size_t size = 0;
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
};

// Completes one request slot of one connection; move-only. Exactly one of Send/NoResponse/
// CloseConnection should be called; if none was when it is destroyed, the connection is closed
// (a lost response would otherwise stall every later response on that connection).
class Responder {
 public:
  Responder() = default;
  Responder(std::weak_ptr<Connection> conn, uint64_t slot, int16_t api_key, int16_t api_version,
            int32_t correlation_id)
      : conn_(std::move(conn)), slot_(slot), api_key_(api_key), api_version_(api_version),
        correlation_id_(correlation_id), armed_(true) {}
  // Without a connection (tests, in-process requests): the sink gets the frame (nullopt for no
  // response) and whether the connection would have been closed.
  using Sink = std::function<void(std::optional<protocol::EncodedChunks> frame, bool close)>;
  Responder(std::shared_ptr<Sink> sink, int16_t api_key, int16_t api_version,
            int32_t correlation_id)
      : sink_(std::move(sink)), api_key_(api_key), api_version_(api_version),
        correlation_id_(correlation_id), armed_(true) {}
  Responder(Responder&& o) noexcept { *this = std::move(o); }
  Responder& operator=(Responder&& o) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  // `frame` is the whole response frame: 4-byte size, response header, body (see
  // EncodeResponseFrame in broker/request_context.h).
  void Send(protocol::EncodedChunks frame);
  void NoResponse();
  void CloseConnection(const char* reason);

  int16_t api_key() const { return api_key_; }
  int16_t api_version() const { return api_version_; }
  int32_t correlation_id() const { return correlation_id_; }
  bool armed() const { return armed_; }
  // False once the client's connection is gone (a parked operation may then stop early).
  bool connection_alive() const;
  // The client connection's id (Server-unique), 0 without one.
  uint64_t connection_id() const;

 private:
  void Complete(std::optional<protocol::EncodedChunks> frame);
  std::weak_ptr<Connection> conn_;
  std::shared_ptr<Sink> sink_;
  uint64_t slot_ = 0;
  int16_t api_key_ = 0;
  int16_t api_version_ = 0;
  int32_t correlation_id_ = 0;
  bool armed_ = false;
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Loop thread. `req.data` is valid (and may be modified in place) only during this call; the
  // handler copies what it keeps. It completes `responder` now or later.
  virtual void Handle(RawRequest req, Responder responder) = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using CloseCallback = std::function<void(uint64_t id)>;
  Connection(event_base* base, int fd, uint64_t id, std::string peer, int32_t max_frame_bytes,
             RequestHandler* handler, CloseCallback on_close);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Start();
  // Idempotent: stops reading and writing, closes the socket, tells the server.
  void Close(const char* reason);

  void CompleteSlot(uint64_t slot, std::optional<protocol::EncodedChunks> frame);
  bool closed() const { return fd_ < 0; }
  const std::string& peer() const { return peer_; }
  uint64_t id() const { return id_; }

 private:
  static void OnReadable(evutil_socket_t fd, short what, void* arg);
  static void OnWritable(evutil_socket_t fd, short what, void* arg);
  void ReadSome();
  void ProcessFrames();
  void QueueFrame(protocol::EncodedChunks&& frame);
  void Flush();
  void UpdateReadInterest();

  event_base* base_;
  int fd_;
  uint64_t id_;
  std::string peer_;
  int32_t max_frame_bytes_;
  RequestHandler* handler_;
  CloseCallback on_close_;
  event* read_ev_ = nullptr;
  event* write_ev_ = nullptr;
  evbuffer* in_ = nullptr;
  evbuffer* out_ = nullptr;
  bool reading_ = false;
  bool in_dispatch_ = false;  // re-entrancy guard: Close() during Handle() defers the free
  ResponseQueue<protocol::EncodedChunks> slots_;
};

}  // namespace sluice::broker
