#include "broker/http/http_server.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <glog/logging.h>
#include <netinet/in.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <cstdlib>

namespace sluice::broker {

namespace {
constexpr int64_t kRosterIntervalMs = 1000;
constexpr int kRequestTimeoutSeconds = 30;
constexpr size_t kMaxBodyBytes = 1 << 20;

const char* MethodName(evhttp_cmd_type cmd) {
  switch (cmd) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
  }
  return "UNKNOWN";
}

std::string Decode(const char* s) {
  if (s == nullptr) return "";
  char* d = evhttp_uridecode(s, /*decode_plus=*/1, nullptr);
  if (d == nullptr) return "";
  std::string out(d);
  std::free(d);
  return out;
}

void Send(evhttp_request* req, const HttpResponse& r) {
  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  evhttp_add_header(headers, "Content-Type", r.content_type.c_str());
  evhttp_add_header(headers, "Cache-Control", "no-store");
  for (const auto& [k, v] : r.headers) evhttp_add_header(headers, k.c_str(), v.c_str());
  evbuffer* body = evbuffer_new();
  evbuffer_add(body, r.body.data(), r.body.size());
  const char* reason = r.status < 300   ? "OK"
                       : r.status < 500 ? "Client Error"
                                        : "Server Error";
  evhttp_send_reply(req, r.status, reason, body);
  evbuffer_free(body);
}
}  // namespace

HttpServer::HttpServer(EventLoop* loop, AdminApi* api) : loop_(loop), api_(api) {}

HttpServer::~HttpServer() {
  *alive_ = false;
  roster_timer_.reset();
  if (http_ != nullptr) evhttp_free(http_);
}

Status HttpServer::Listen(const Endpoint& endpoint) {
  http_ = evhttp_new(loop_->base());
  if (http_ == nullptr) return Status::IoError("evhttp_new failed");
  // Every method reaches AdminApi, which answers 405 with a JSON body itself.
  evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                        EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                        EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
  evhttp_set_timeout(http_, kRequestTimeoutSeconds);
  evhttp_set_max_body_size(http_, kMaxBodyBytes);
  evhttp_set_gencb(http_, &HttpServer::OnRequest, this);
  const std::string host = endpoint.host.empty() ? "0.0.0.0" : endpoint.host;
  evhttp_bound_socket* bound =
      evhttp_bind_socket_with_handle(http_, host.c_str(), static_cast<uint16_t>(endpoint.port));
  if (bound == nullptr) {
    return Status::IoError("http.listener: cannot bind " + host + ":" +
                           std::to_string(endpoint.port));
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  evutil_socket_t fd = evhttp_bound_socket_get_fd(bound);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    if (addr.ss_family == AF_INET) {
      port_ = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      port_ = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    }
  }
  roster_timer_ = loop_->RunEvery(kRosterIntervalMs, [this] { api_->NoteBrokers(); });
  LOG(INFO) << "http_listening address=" << host << ":" << port_;
  return Status::Ok();
}

void HttpServer::OnRequest(evhttp_request* req, void* arg) {
  auto* self = static_cast<HttpServer*>(arg);
  HttpRequest r;
  r.method = MethodName(evhttp_request_get_command(req));
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req);
  r.path = Decode(uri != nullptr ? evhttp_uri_get_path(uri) : "/");
  if (r.path.empty()) r.path = "/";
  const char* query = uri != nullptr ? evhttp_uri_get_query(uri) : nullptr;
  if (query != nullptr) {
    evkeyvalq params;
    TAILQ_INIT(&params);
    if (evhttp_parse_query_str(query, &params) == 0) {
      for (evkeyval* kv = params.tqh_first; kv != nullptr; kv = kv->next.tqe_next) {
        r.query.emplace(kv->key, kv->value);
      }
    }
    evhttp_clear_headers(&params);
  }
  evbuffer* in = evhttp_request_get_input_buffer(req);
  size_t n = evbuffer_get_length(in);
  if (n > 0) {
    r.body.resize(n);
    evbuffer_copyout(in, r.body.data(), n);
  }
  VLOG(1) << "http_request method=" << r.method << " path=" << r.path;
  // evhttp keeps `req` until we reply; if the client goes away first, libevent detaches it and
  // frees it in evhttp_send_reply. Replies after the server died are dropped.
  std::weak_ptr<bool> alive = self->alive_;
  self->api_->Handle(r, [req, alive](HttpResponse resp) {
    if (alive.expired()) return;
    Send(req, resp);
  });
}

}  // namespace sluice::broker
