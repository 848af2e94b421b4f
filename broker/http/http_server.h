#pragma once
// HttpServer: libevent's evhttp on the broker's loop, bound to `http.listener` (port 0 = OS-
// assigned; port() reports the bound one and Listen() logs "http_listening address=host:port").
// Turns each evhttp request into an HttpRequest for AdminApi and sends its HttpResponse back,
// possibly later (admin operations). Loop thread only; destroy before the event_base.

#include <event2/http.h>

#include <memory>

#include "broker/config.h"
#include "broker/event_loop.h"
#include "broker/http/admin_api.h"
#include "common/status.h"

namespace sluice::broker {

class HttpServer {
 public:
  // `api` must outlive the server.
  HttpServer(EventLoop* loop, AdminApi* api);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Status Listen(const Endpoint& endpoint);
  int port() const { return port_; }

 private:
  static void OnRequest(evhttp_request* req, void* arg);

  EventLoop* loop_;
  AdminApi* api_;
  evhttp* http_ = nullptr;
  int port_ = 0;
  std::unique_ptr<Timer> roster_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sluice::broker
