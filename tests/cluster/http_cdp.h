#pragma once
// Helpers of the HTTP cluster tests (tests/cluster/http_cluster_test.cc):
// - HttpCall: a blocking HTTP/1.1 request to 127.0.0.1:port (Connection: close).
// - ChildProcess: a started program (own process group) stopped by PID in its destructor.
// - Chromium: headless Chromium with the DevTools protocol over a WebSocket on an OS-assigned
//   port (--remote-debugging-port=0; the port is read from DevToolsActivePort): one page stays
//   open while the test changes the cluster, evaluates JavaScript in it and takes screenshots.
// Thread: the test's main thread.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace sluice::testing {

struct HttpResult {
  int status = 0;
  std::string headers;  // raw header block
  std::string body;
};
Result<HttpResult> HttpCall(int port, const std::string& method, const std::string& target,
                            const std::string& body = "",
                            std::chrono::milliseconds timeout = std::chrono::seconds(20));

class ChildProcess {
 public:
  // Starts argv[0] (PATH lookup) with stdout+stderr to `log_path`, in its own process group.
  static Result<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv,
                                                     const std::string& log_path);
  ~ChildProcess();  // Stop()
  // SIGTERM to the group, up to `grace` for the leader to exit, then SIGKILL; reaps. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  bool Alive();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

class Chromium {
 public:
  // Starts headless Chromium (binary `chromium`) showing `url`, with its own user-data-dir
  // under `work_dir`, and connects to the page's DevTools WebSocket.
  static Result<std::unique_ptr<Chromium>> Open(const std::string& url,
                                                const std::string& work_dir);
  ~Chromium();

  // Runtime.evaluate with returnByValue; the value, or an error (exception, protocol error).
  Result<nlohmann::json> Evaluate(const std::string& expression);
  // Page.captureScreenshot as PNG bytes written to `path`.
  Status Screenshot(const std::string& path);

 private:
  Chromium() = default;
  Result<nlohmann::json> Call(const std::string& method, const nlohmann::json& params);
  Status SendText(const std::string& text);
  Result<std::string> ReadMessage();

  std::unique_ptr<ChildProcess> process_;
  int fd_ = -1;
  int next_id_ = 1;
};

}  // namespace sluice::testing
