#pragma once
// Server: the Kafka listener. Accepts connections on the configured address (port 0 = OS-assigned;
// port() then reports the bound one) and owns them until they close. Loop thread only.

#include <event2/listener.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "broker/config.h"
#include "broker/connection.h"
#include "common/status.h"

namespace sluice::broker {

class Server {
 public:
  Server(event_base* base, RequestHandler* handler, int32_t max_frame_bytes);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Status Listen(const Endpoint& endpoint);
  int port() const { return port_; }
  // Stops accepting new connections (existing ones keep running).
  void StopAccepting();
  // Closes every connection.
  void CloseAll();
  size_t connection_count() const { return connections_.size(); }
  // Told the id of every connection that closes (after the Server forgot it).
  void set_on_connection_closed(std::function<void(uint64_t id)> fn) {
    on_connection_closed_ = std::move(fn);
  }

 private:
  static void OnAccept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int len, void* arg);
  static void OnAcceptError(evconnlistener*, void* arg);

  event_base* base_;
  RequestHandler* handler_;
  int32_t max_frame_bytes_;
  evconnlistener* listener_ = nullptr;
  int port_ = 0;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections_;
  std::function<void(uint64_t id)> on_connection_closed_;
};

}  // namespace sluice::broker
