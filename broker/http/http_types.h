#pragma once
// Plain HTTP request/response values between the evhttp adapter (http_server.h) and the routes
// (admin_api.h), so the routes are testable without sockets. Loop thread only.

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sluice::broker {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded, without the query string
  std::multimap<std::string, std::string> query;  // decoded; repeated keys kept
  std::string body;

  // First value of `key`, or nullptr.
  const std::string* Param(const std::string& key) const {
    auto it = query.find(key);
    return it == query.end() ? nullptr : &it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, ...)
};

// Called exactly once per request, on the loop thread, possibly after the route returned.
using HttpReply = std::function<void(HttpResponse)>;

}  // namespace sluice::broker
