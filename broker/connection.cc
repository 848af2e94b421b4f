#include "broker/connection.h"

#include <glog/logging.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::broker {

namespace {
constexpr size_t kReadChunk = 64 * 1024;
// Backpressure: stop reading new requests while this many are in flight or this much output is
// queued (Kafka mutes at one in flight; ordering by slots lets us pipeline up to a bound).
constexpr size_t kMaxInFlight = 1024;
constexpr size_t kMaxQueuedOutput = 32u << 20;

int32_t ReadBe32(const uint8_t* p) {
  return static_cast<int32_t>((uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) |
                              (uint32_t(p[2]) << 8) | uint32_t(p[3]));
}
int16_t ReadBe16(const uint8_t* p) {
  return static_cast<int16_t>((uint16_t(p[0]) << 8) | uint16_t(p[1]));
}

void DropKeepalive(const evbuffer_file_segment*, int, void* arg) {
  delete static_cast<std::shared_ptr<void>*>(arg);
}
}  // namespace

// ---- Responder ----

Responder& Responder::operator=(Responder&& o) noexcept {
  if (this != &o) {
    if (armed_) CloseConnection("responder_overwritten");
    conn_ = std::move(o.conn_);
    sink_ = std::move(o.sink_);
    slot_ = o.slot_;
    api_key_ = o.api_key_;
    api_version_ = o.api_version_;
    correlation_id_ = o.correlation_id_;
    armed_ = o.armed_;
    o.armed_ = false;
  }
  return *this;
}

Responder::~Responder() {
  if (armed_) CloseConnection("response_dropped");
}

uint64_t Responder::connection_id() const {
  auto c = conn_.lock();
  return c != nullptr ? c->id() : 0;
}

bool Responder::connection_alive() const {
  if (sink_) return true;
  auto c = conn_.lock();
  return c != nullptr && !c->closed();
}

void Responder::Complete(std::optional<protocol::EncodedChunks> frame) {
  if (!armed_) return;
  armed_ = false;
  if (sink_) {
    (*sink_)(std::move(frame), /*close=*/false);
    return;
  }
  if (auto c = conn_.lock()) c->CompleteSlot(slot_, std::move(frame));
}

void Responder::Send(protocol::EncodedChunks frame) { Complete(std::move(frame)); }
void Responder::NoResponse() { Complete(std::nullopt); }

void Responder::CloseConnection(const char* reason) {
  if (!armed_) return;
  armed_ = false;
  if (sink_) {
    (*sink_)(std::nullopt, /*close=*/true);
    return;
  }
  if (auto c = conn_.lock()) c->Close(reason);
}

// ---- Connection ----

Connection::Connection(event_base* base, int fd, uint64_t id, std::string peer,
                       int32_t max_frame_bytes, RequestHandler* handler, CloseCallback on_close)
    : base_(base), fd_(fd), id_(id), peer_(std::move(peer)), max_frame_bytes_(max_frame_bytes),
      handler_(handler), on_close_(std::move(on_close)) {
  in_ = evbuffer_new();
  out_ = evbuffer_new();
  CHECK(in_ != nullptr && out_ != nullptr);
}

Connection::~Connection() {
  if (fd_ >= 0) {
    event_free(read_ev_);
    event_free(write_ev_);
    close(fd_);
  }
  evbuffer_free(in_);
  evbuffer_free(out_);
}

void Connection::Start() {
  evutil_make_socket_nonblocking(fd_);
  read_ev_ = event_new(base_, fd_, EV_READ | EV_PERSIST, &Connection::OnReadable, this);
  write_ev_ = event_new(base_, fd_, EV_WRITE, &Connection::OnWritable, this);
  CHECK(read_ev_ != nullptr && write_ev_ != nullptr);
  event_add(read_ev_, nullptr);
  reading_ = true;
  VLOG(1) << "connection_open id=" << id_ << " peer=" << peer_;
}

void Connection::Close(const char* reason) {
  if (fd_ < 0) return;
  VLOG(1) << "connection_close id=" << id_ << " peer=" << peer_ << " reason=" << reason;
  event_free(read_ev_);
  event_free(write_ev_);
  read_ev_ = write_ev_ = nullptr;
  close(fd_);
  fd_ = -1;
  // Free queued output now: file segments drop their keepalives (segments) promptly.
  evbuffer_drain(out_, evbuffer_get_length(out_));
  if (on_close_) {
    CloseCallback cb = std::move(on_close_);
    on_close_ = nullptr;
    cb(id_);  // may drop the server's reference; callers hold their own
  }
}

void Connection::OnReadable(evutil_socket_t, short, void* arg) {
  auto self = static_cast<Connection*>(arg)->shared_from_this();
  self->ReadSome();
  if (!self->closed()) self->ProcessFrames();
}

void Connection::OnWritable(evutil_socket_t, short, void* arg) {
  auto self = static_cast<Connection*>(arg)->shared_from_this();
  self->Flush();
  // Output drained below the bound: continue with frames already buffered.
  if (!self->closed() && evbuffer_get_length(self->in_) > 0) self->ProcessFrames();
}

void Connection::ReadSome() {
  size_t want = kReadChunk;
  size_t have = evbuffer_get_length(in_);
  if (have >= 4) {
    uint8_t hdr[4];
    evbuffer_copyout(in_, hdr, 4);
    int64_t frame = int64_t{ReadBe32(hdr)} + 4;
    if (frame > static_cast<int64_t>(have) && frame - static_cast<int64_t>(have) > int64_t(want) &&
        frame <= int64_t{max_frame_bytes_} + 4) {
      want = static_cast<size_t>(frame - static_cast<int64_t>(have));  // read the frame whole
    }
  }
  evbuffer_iovec vec[2];
  int n = evbuffer_reserve_space(in_, static_cast<ev_ssize_t>(want), vec, 2);
  if (n <= 0) {
    Close("reserve_failed");
    return;
  }
  iovec iov[2];
  for (int i = 0; i < n; ++i) iov[i] = iovec{vec[i].iov_base, vec[i].iov_len};
  ssize_t r = readv(fd_, iov, n);
  if (r < 0) {
    evbuffer_commit_space(in_, vec, 0);
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    Close("read_error");
    return;
  }
  if (r == 0) {
    evbuffer_commit_space(in_, vec, 0);
    Close("eof");
    return;
  }
  size_t left = static_cast<size_t>(r);
  int used = 0;
  for (int i = 0; i < n && left > 0; ++i, ++used) {
    if (vec[i].iov_len > left) vec[i].iov_len = left;
    left -= vec[i].iov_len;
  }
  evbuffer_commit_space(in_, vec, used);
}

void Connection::ProcessFrames() {
  if (in_dispatch_) return;
  auto self = shared_from_this();
  in_dispatch_ = true;
  while (!closed()) {
    if (slots_.in_flight() >= kMaxInFlight || evbuffer_get_length(out_) >= kMaxQueuedOutput) break;
    size_t have = evbuffer_get_length(in_);
    if (have < 4) break;
    uint8_t hdr[4];
    evbuffer_copyout(in_, hdr, 4);
    int32_t size = ReadBe32(hdr);
    if (size < 8 || size > max_frame_bytes_) {
      LOG_EVERY_T(WARNING, 10) << "frame_rejected peer=" << peer_ << " size=" << size
                               << " max=" << max_frame_bytes_;
      Close("bad_frame_size");
      break;
    }
    size_t total = size_t(size) + 4;
    if (have < total) break;
    uint8_t* p = evbuffer_pullup(in_, static_cast<ev_ssize_t>(total));
    if (p == nullptr) {
      Close("pullup_failed");
      break;
    }
    RawRequest req;
    req.data = p + 4;
    req.size = size_t(size);
    req.api_key = ReadBe16(req.data);
    req.api_version = ReadBe16(req.data + 2);
    req.correlation_id = ReadBe32(req.data + 4);
    uint64_t slot = slots_.Reserve();
    handler_->Handle(req, Responder(weak_from_this(), slot, req.api_key, req.api_version,
                                    req.correlation_id));
    if (closed()) break;
    evbuffer_drain(in_, total);
  }
  in_dispatch_ = false;
  if (!closed()) {
    Flush();
    UpdateReadInterest();
  }
}

void Connection::CompleteSlot(uint64_t slot, std::optional<protocol::EncodedChunks> frame) {
  if (closed()) return;
  slots_.Complete(slot, std::move(frame));
  slots_.DrainReady([this](protocol::EncodedChunks&& f) { QueueFrame(std::move(f)); });
  if (in_dispatch_) return;  // ProcessFrames flushes when the dispatch loop ends
  auto self = shared_from_this();
  Flush();
  // Capacity may have been freed: continue with frames already buffered.
  if (!closed() && evbuffer_get_length(in_) > 0) ProcessFrames();
}

void Connection::QueueFrame(protocol::EncodedChunks&& frame) {
  frame.ForEach(
      [this](std::string_view bytes) { evbuffer_add(out_, bytes.data(), bytes.size()); },
      [this](const protocol::FileRegion& region) {
        if (region.length <= 0) return;
        evbuffer_file_segment* seg =
            evbuffer_file_segment_new(region.fd, region.offset, region.length, 0);
        if (seg == nullptr) {
          LOG(ERROR) << "file_segment_failed peer=" << peer_ << " fd=" << region.fd;
          Close("file_segment_failed");
          return;
        }
        evbuffer_file_segment_add_cleanup_cb(seg, &DropKeepalive,
                                             new std::shared_ptr<void>(region.keepalive));
        evbuffer_add_file_segment(out_, seg, 0, region.length);
        evbuffer_file_segment_free(seg);  // the buffer chain holds its own reference
      });
}

void Connection::Flush() {
  while (!closed() && evbuffer_get_length(out_) > 0) {
    int n = evbuffer_write(out_, fd_);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
      Close("write_error");
      return;
    }
    if (n == 0) break;
  }
  if (closed()) return;
  if (evbuffer_get_length(out_) > 0) {
    event_add(write_ev_, nullptr);
  } else {
    event_del(write_ev_);
  }
  UpdateReadInterest();
}

void Connection::UpdateReadInterest() {
  if (closed()) return;
  bool want = slots_.in_flight() < kMaxInFlight && evbuffer_get_length(out_) < kMaxQueuedOutput;
  if (want && !reading_) {
    event_add(read_ev_, nullptr);
    reading_ = true;
    // Frames may already be buffered; they are processed by the caller or the next read.
  } else if (!want && reading_) {
    event_del(read_ev_);
    reading_ = false;
  }
}

}  // namespace sluice::broker
