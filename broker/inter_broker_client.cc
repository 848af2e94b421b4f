#include "broker/inter_broker_client.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <glog/logging.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/clock.h"
#include "protocol/framing.h"

namespace sluice::broker {

InterBrokerClient::InterBrokerClient(EventLoop* loop, std::string host, int port,
                                     InterBrokerClientOptions opts)
    : loop_(loop), host_(std::move(host)), port_(port), opts_(std::move(opts)) {
  timeout_timer_ = loop_->RunEvery(100, [this] { CheckTimeouts(); });
}

InterBrokerClient::~InterBrokerClient() {
  *alive_ = false;
  timeout_timer_.reset();
  if (bev_ != nullptr) bufferevent_free(bev_);
  bev_ = nullptr;
}

void InterBrokerClient::SetEndpoint(const std::string& host, int port) {
  if (host == host_ && port == port_) return;
  host_ = host;
  port_ = port;
  Close("endpoint_changed");
  retry_after_ms_ = 0;
}

void InterBrokerClient::Close(const std::string& why) {
  if (bev_ != nullptr) {
    bufferevent_free(bev_);
    bev_ = nullptr;
  }
  bool had = state_ != State::kIdle;
  state_ = State::kIdle;
  if (had) {
    VLOG(1) << "inter_broker_connection_closed host=" << host_ << " port=" << port_
            << " reason=" << why << " pending=" << pending_.size();
    retry_after_ms_ = SteadyMillis() + opts_.reconnect_backoff_ms;
  }
  std::deque<Pending> failed;
  failed.swap(pending_);
  std::shared_ptr<bool> alive = alive_;
  for (auto& p : failed) {
    p.cb(Status::Unavailable("inter-broker connection to " + host_ + ":" +
                             std::to_string(port_) + " closed: " + why),
         nullptr);
    if (!*alive) return;
  }
}

bool InterBrokerClient::Connect() {
  if (SteadyMillis() < retry_after_ms_) return false;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(port_);
  // Endpoints are our own brokers' advertised listeners (addresses or local names): resolving
  // inline is acceptable here.
  int rc = getaddrinfo(host_.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    LOG_EVERY_T(WARNING, 5) << "inter_broker_resolve_failed host=" << host_
                            << " error=" << gai_strerror(rc);
    retry_after_ms_ = SteadyMillis() + opts_.reconnect_backoff_ms;
    return false;
  }
  bev_ = bufferevent_socket_new(loop_->base(), -1, BEV_OPT_CLOSE_ON_FREE);
  bufferevent_setcb(bev_, &InterBrokerClient::ReadCb, nullptr, &InterBrokerClient::EventCb, this);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  state_ = State::kConnecting;
  int c = bufferevent_socket_connect(bev_, res->ai_addr, static_cast<int>(res->ai_addrlen));
  freeaddrinfo(res);
  if (c != 0) {
    Close("connect_failed");
    return false;
  }
  return true;
}

void InterBrokerClient::SendFrame(std::string frame, int16_t api_key, int16_t version,
                                  int32_t corr, int64_t timeout_ms, RawCallback cb) {
  if (state_ == State::kIdle && !Connect()) {
    // Fail asynchronously: callers may re-enter Send from the callback.
    std::weak_ptr<bool> alive = alive_;
    std::string where = host_ + ":" + std::to_string(port_);
    loop_->Post([alive, cb = std::move(cb), where] {
      if (alive.expired()) return;
      cb(Status::Unavailable("inter-broker connection to " + where + " unavailable"), nullptr);
    });
    return;
  }
  pending_.push_back({corr, api_key, version,
                      SteadyMillis() + (timeout_ms > 0 ? timeout_ms : opts_.request_timeout_ms),
                      std::move(cb)});
  bufferevent_write(bev_, frame.data(), frame.size());
}

void InterBrokerClient::ReadCb(bufferevent*, void* arg) {
  static_cast<InterBrokerClient*>(arg)->OnRead();
}

void InterBrokerClient::EventCb(bufferevent*, short what, void* arg) {
  static_cast<InterBrokerClient*>(arg)->OnEvent(what);
}

void InterBrokerClient::OnEvent(short what) {
  if (what & BEV_EVENT_CONNECTED) {
    state_ = State::kConnected;
    int fd = bufferevent_getfd(bev_);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return;
  }
  if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
    Close((what & BEV_EVENT_EOF) ? "eof" : std::string("error: ") + strerror(errno));
  }
}

void InterBrokerClient::OnRead() {
  std::shared_ptr<bool> alive = alive_;
  while (bev_ != nullptr) {
    evbuffer* in = bufferevent_get_input(bev_);
    size_t avail = evbuffer_get_length(in);
    uint8_t prefix[protocol::kFrameSizePrefix];
    if (avail < sizeof(prefix)) return;
    evbuffer_copyout(in, prefix, sizeof(prefix));
    auto check = protocol::CheckFrame(prefix, sizeof(prefix), opts_.max_response_bytes);
    if (check.state == protocol::FrameCheck::State::kError) {
      Close("bad_frame");
      return;
    }
    if (check.size < 0) return;
    size_t total = protocol::kFrameSizePrefix + static_cast<size_t>(check.size);
    if (avail < total) return;
    std::string frame(total, '\0');
    evbuffer_remove(in, frame.data(), total);
    if (pending_.empty()) {
      Close("unexpected_response");
      return;
    }
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    protocol::WireReader reader(reinterpret_cast<const uint8_t*>(frame.data()) +
                                    protocol::kFrameSizePrefix,
                                static_cast<size_t>(check.size));
    auto header = protocol::DecodeResponseHeader(reader, p.api_key, p.api_version);
    if (!header.ok() || header->correlation_id != p.correlation_id) {
      pending_.push_front(std::move(p));
      Close("correlation_mismatch");
      return;
    }
    p.cb(Status::Ok(), &reader);
    if (!*alive) return;
  }
}

void InterBrokerClient::CheckTimeouts() {
  if (pending_.empty()) return;
  if (pending_.front().deadline_ms <= SteadyMillis() ||
      std::any_of(pending_.begin(), pending_.end(),
                  [now = SteadyMillis()](const Pending& p) { return p.deadline_ms <= now; })) {
    Close("request_timed_out");
  }
}

}  // namespace sluice::broker
