#include "broker/server.h"

#include <arpa/inet.h>
#include <glog/logging.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace sluice::broker {

namespace {
std::string PeerName(const sockaddr* addr) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    port = ntohs(in->sin_port);
  } else if (addr->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    port = ntohs(in6->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}
}  // namespace

Server::Server(event_base* base, RequestHandler* handler, int32_t max_frame_bytes)
    : base_(base), handler_(handler), max_frame_bytes_(max_frame_bytes) {}

Server::~Server() {
  StopAccepting();
  CloseAll();
}

Status Server::Listen(const Endpoint& endpoint) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port = std::to_string(endpoint.port);
  int rc = getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    return Status::InvalidArgument("cannot resolve listener host " + endpoint.host + ": " +
                                   gai_strerror(rc));
  }
  std::string last_error;
  for (addrinfo* ai = res; ai != nullptr && listener_ == nullptr; ai = ai->ai_next) {
    listener_ = evconnlistener_new_bind(
        base_, &Server::OnAccept, this,
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 1024, ai->ai_addr,
        static_cast<int>(ai->ai_addrlen));
    if (listener_ == nullptr) last_error = strerror(errno);
  }
  freeaddrinfo(res);
  if (listener_ == nullptr) {
    return Status::IoError("cannot listen on " + endpoint.ToString() + ": " + last_error);
  }
  evconnlistener_set_error_cb(listener_, &Server::OnAcceptError);
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  getsockname(evconnlistener_get_fd(listener_), reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                      : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  LOG(INFO) << "listener_started host=" << endpoint.host << " port=" << port_;
  return Status::Ok();
}

void Server::StopAccepting() {
  if (listener_ != nullptr) {
    evconnlistener_free(listener_);
    listener_ = nullptr;
  }
}

void Server::CloseAll() {
  // Close() calls back into connections_.erase; iterate over a copy.
  std::vector<std::shared_ptr<Connection>> all;
  all.reserve(connections_.size());
  for (auto& [id, c] : connections_) all.push_back(c);
  for (auto& c : all) c->Close("server_shutdown");
  connections_.clear();
}

void Server::OnAccept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int, void* arg) {
  auto* self = static_cast<Server*>(arg);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  uint64_t id = self->next_id_++;
  auto conn = std::make_shared<Connection>(
      self->base_, fd, id, PeerName(addr), self->max_frame_bytes_, self->handler_,
      [self](uint64_t closed_id) {
        self->connections_.erase(closed_id);
        if (self->on_connection_closed_) self->on_connection_closed_(closed_id);
      });
  self->connections_.emplace(id, conn);
  conn->Start();
}

void Server::OnAcceptError(evconnlistener*, void*) {
  LOG_EVERY_T(WARNING, 10) << "accept_failed error=" << strerror(errno);
}

}  // namespace sluice::broker
