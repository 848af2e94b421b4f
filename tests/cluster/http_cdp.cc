#include "tests/cluster/http_cdp.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace sluice::testing {

using nlohmann::json;

namespace {

Result<int> Connect(int port, std::chrono::milliseconds timeout) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::IoError("socket failed");
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return Status::Unavailable("connect to port " + std::to_string(port) + ": " +
                               std::strerror(errno));
  }
  return fd;
}

bool WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string Base64Decode(const std::string& in) {
  static const std::string kChars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (char c : in) {
    size_t pos = kChars.find(c);
    if (pos == std::string::npos) continue;  // '=' and whitespace
    val = (val << 6) + static_cast<int>(pos);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<HttpResult> HttpCall(int port, const std::string& method, const std::string& target,
                            const std::string& body, std::chrono::milliseconds timeout) {
  SLUICE_ASSIGN_OR_RETURN(int fd, Connect(port, timeout));
  // HTTP/1.1 (Chromium's DevTools server ignores 1.0); the server closes after the response.
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                    std::to_string(port) + "\r\nConnection: close\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n";
  if (!body.empty()) req += "Content-Type: application/json\r\n";
  req += "\r\n" + body;
  if (!WriteAll(fd, req)) {
    close(fd);
    return Status::IoError("write failed");
  }
  std::string resp;
  char buf[16384];
  while (true) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      close(fd);
      return Status::TimedOut(method + " " + target + ": read failed or timed out");
    }
    if (n == 0) break;
    resp.append(buf, static_cast<size_t>(n));
    // Some servers (Chromium's DevTools) keep the connection open: stop at Content-Length.
    size_t head_end = resp.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      std::string head = resp.substr(0, head_end);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t cl = head.find("\r\ncontent-length:");
      if (cl != std::string::npos &&
          resp.size() - head_end - 4 >= std::stoul(head.substr(cl + 17))) {
        break;
      }
    }
  }
  close(fd);
  size_t end = resp.find("\r\n\r\n");
  if (end == std::string::npos || resp.compare(0, 5, "HTTP/") != 0) {
    return Status::Corruption("not an HTTP response: " + resp.substr(0, 100));
  }
  HttpResult r;
  r.status = std::atoi(resp.c_str() + resp.find(' ') + 1);
  r.headers = resp.substr(0, end);
  r.body = resp.substr(end + 4);
  std::string lower = r.headers;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    std::string plain;
    size_t pos = 0;
    while (pos < r.body.size()) {
      size_t eol = r.body.find("\r\n", pos);
      if (eol == std::string::npos) return Status::Corruption("bad chunked body");
      size_t n = std::stoul(r.body.substr(pos, eol - pos), nullptr, 16);
      if (n == 0) break;
      if (eol + 2 + n > r.body.size()) return Status::Corruption("truncated chunked body");
      plain += r.body.substr(eol + 2, n);
      pos = eol + 2 + n + 2;
    }
    r.body = std::move(plain);
  }
  return r;
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::Start(const std::vector<std::string>& argv,
                                                          const std::string& log_path) {
  int out = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) return Status::IoError("cannot open " + log_path);
  pid_t pid = fork();
  if (pid < 0) {
    close(out);
    return Status::IoError("fork failed");
  }
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out);
  setpgid(pid, pid);
  auto child = std::unique_ptr<ChildProcess>(new ChildProcess());
  child->pid_ = pid;
  return child;
}

ChildProcess::~ChildProcess() { Stop(); }

bool ChildProcess::Alive() {
  if (pid_ < 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (pid_ < 0) return;
  kill(-pid_, SIGTERM);  // the group we created for this child (Chromium's helpers included)
  auto until = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      kill(-pid_, SIGKILL);  // helpers that outlived the leader
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(-pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

Result<std::unique_ptr<Chromium>> Chromium::Open(const std::string& url,
                                                 const std::string& work_dir) {
  const std::string profile = work_dir + "/chromium-profile";
  auto c = std::unique_ptr<Chromium>(new Chromium());
  SLUICE_ASSIGN_OR_RETURN(
      c->process_,
      ChildProcess::Start({"chromium", "--headless", "--no-sandbox", "--disable-gpu",
                           "--disable-dev-shm-usage", "--no-first-run",
                           "--no-default-browser-check", "--disable-extensions",
                           "--disable-background-networking", "--user-data-dir=" + profile,
                           "--remote-debugging-port=0", "--window-size=1400,1000", url},
                          work_dir + "/chromium.log"));
  // Chromium writes "<port>\n<browser path>" once DevTools listens.
  int port = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (port == 0 && std::chrono::steady_clock::now() < until) {
    if (!c->process_->Alive()) {
      return Status::Unavailable("chromium exited: " + ReadFile(work_dir + "/chromium.log"));
    }
    std::string content = ReadFile(profile + "/DevToolsActivePort");
    if (content.find('\n') != std::string::npos) port = std::atoi(content.c_str());
    if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (port == 0) return Status::TimedOut("chromium never wrote DevToolsActivePort");
  // The page target showing `url`.
  std::string ws_path;
  while (ws_path.empty() && std::chrono::steady_clock::now() < until) {
    auto list = HttpCall(port, "GET", "/json/list");
    if (list.ok() && list->status == 200) {
      json targets = json::parse(list->body, nullptr, false);
      if (targets.is_array()) {
        for (const auto& t : targets) {
          if (t.value("type", "") == "page" && t.contains("webSocketDebuggerUrl")) {
            std::string ws = t["webSocketDebuggerUrl"];
            ws_path = ws.substr(ws.find('/', std::strlen("ws://")));
            break;
          }
        }
      }
    }
    if (ws_path.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (ws_path.empty()) return Status::TimedOut("no page target in chromium");
  SLUICE_ASSIGN_OR_RETURN(c->fd_, Connect(port, std::chrono::seconds(30)));
  std::string handshake = "GET " + ws_path + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                          std::to_string(port) +
                          "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: c2x1aWNlLWh0dHAtdGVzdA==\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n";
  if (!WriteAll(c->fd_, handshake)) return Status::IoError("websocket handshake write failed");
  std::string head;
  char ch;
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (read(c->fd_, &ch, 1) != 1) return Status::IoError("websocket handshake read failed");
    head += ch;
  }
  if (head.find(" 101 ") == std::string::npos) {
    return Status::Unavailable("websocket upgrade refused: " + head);
  }
  return c;
}

Chromium::~Chromium() {
  if (fd_ >= 0) close(fd_);
  process_.reset();
}

Status Chromium::SendText(const std::string& text) {
  std::string frame;
  frame.push_back(static_cast<char>(0x81));  // FIN, text
  const uint64_t n = text.size();
  if (n < 126) {
    frame.push_back(static_cast<char>(0x80 | n));
  } else if (n < 65536) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(n >> 8));
    frame.push_back(static_cast<char>(n & 0xFF));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) frame.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  }
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};  // clients must mask; any key will do
  frame.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < text.size(); ++i) frame.push_back(static_cast<char>(text[i] ^ mask[i % 4]));
  return WriteAll(fd_, frame) ? Status::Ok() : Status::IoError("websocket write failed");
}

Result<std::string> Chromium::ReadMessage() {
  auto read_exact = [this](void* dst, size_t n) {
    size_t off = 0;
    while (off < n) {
      ssize_t r = read(fd_, static_cast<char*>(dst) + off, n - off);
      if (r <= 0) return false;
      off += static_cast<size_t>(r);
    }
    return true;
  };
  std::string message;
  while (true) {
    unsigned char hdr[2];
    if (!read_exact(hdr, 2)) return Status::IoError("websocket read failed");
    const bool fin = (hdr[0] & 0x80) != 0;
    const int opcode = hdr[0] & 0x0F;
    uint64_t len = hdr[1] & 0x7F;
    if (len == 126) {
      unsigned char ext[2];
      if (!read_exact(ext, 2)) return Status::IoError("websocket read failed");
      len = (uint64_t{ext[0]} << 8) | ext[1];
    } else if (len == 127) {
      unsigned char ext[8];
      if (!read_exact(ext, 8)) return Status::IoError("websocket read failed");
      len = 0;
      for (unsigned char b : ext) len = (len << 8) | b;
    }
    if (len > (256u << 20)) return Status::Corruption("websocket frame too large");
    std::string payload(len, '\0');
    if (len > 0 && !read_exact(payload.data(), len)) return Status::IoError("websocket read failed");
    if (opcode == 8) return Status::Unavailable("websocket closed by chromium");
    if (opcode == 9 || opcode == 10) continue;  // ping/pong
    message += payload;
    if (fin) return message;
  }
}

Result<json> Chromium::Call(const std::string& method, const json& params) {
  const int id = next_id_++;
  SLUICE_RETURN_IF_ERROR(SendText(json{{"id", id}, {"method", method}, {"params", params}}.dump()));
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(std::string text, ReadMessage());
    json msg = json::parse(text, nullptr, false);
    if (msg.is_discarded() || !msg.contains("id") || msg["id"] != id) continue;  // events
    if (msg.contains("error")) return Status::InvalidArgument(method + ": " + msg["error"].dump());
    return msg["result"];
  }
}

Result<json> Chromium::Evaluate(const std::string& expression) {
  SLUICE_ASSIGN_OR_RETURN(json r, Call("Runtime.evaluate", {{"expression", expression},
                                                            {"returnByValue", true},
                                                            {"awaitPromise", true}}));
  if (r.contains("exceptionDetails")) {
    return Status::InvalidArgument("javascript exception: " + r["exceptionDetails"].dump());
  }
  return r["result"].value("value", json());
}

Status Chromium::Screenshot(const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(json r, Call("Page.captureScreenshot", {{"format", "png"}}));
  std::string png = Base64Decode(r.value("data", ""));
  if (png.size() < 8) return Status::Corruption("empty screenshot");
  std::ofstream out(path, std::ios::binary);
  out << png;
  return out.good() ? Status::Ok() : Status::IoError("cannot write " + path);
}

}  // namespace sluice::testing
