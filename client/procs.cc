#include "client/procs.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "client/args.h"

namespace sluice::client {
namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Reaps `pid` if it is our child (no-op otherwise), so it does not linger as a zombie.
void ReapIfChild(pid_t pid) {
  int status = 0;
  (void)waitpid(pid, &status, WNOHANG);
}

}  // namespace

Result<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  if (argv.empty()) return Status::InvalidArgument("empty command");
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::IoError("cannot open " + log_path + ": " + std::strerror(errno));
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  // A close-on-exec pipe tells us when exec has happened (EOF) or failed (errno): afterwards the
  // child's /proc cmdline is the new program's, which ProcessAlive() matches on.
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) {
    close(log_fd);
    return Status::IoError(std::string("pipe: ") + std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    close(exec_pipe[0]);
    close(exec_pipe[1]);
    return Status::IoError(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    setsid();  // outlives this CLI and its terminal's Ctrl-C
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    execvp(cargv[0], cargv.data());
    int exec_errno = errno;
    ssize_t ignored_pipe = write(exec_pipe[1], &exec_errno, sizeof(exec_errno));
    (void)ignored_pipe;
    std::string msg = std::string("ERROR exec ") + argv[0] + ": " + std::strerror(errno) + "\n";
    ssize_t ignored = write(2, msg.data(), msg.size());
    (void)ignored;
    _exit(127);
  }
  close(log_fd);
  close(exec_pipe[1]);
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(exec_pipe[0], &exec_errno, sizeof(exec_errno));
  } while (n < 0 && errno == EINTR);
  close(exec_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof(exec_errno))) {
    int status = 0;
    waitpid(pid, &status, 0);
    return Status::IoError("cannot run " + argv[0] + ": " + std::strerror(exec_errno));
  }
  return pid;
}

bool ProcessAlive(pid_t pid, const std::string& marker) {
  if (pid <= 0) return false;
  ReapIfChild(pid);
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!stat || !std::getline(stat, line)) return false;
  size_t paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return false;
  char state = line[paren + 2];
  if (state == 'Z' || state == 'X') return false;
  if (marker.empty()) return true;
  std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
  for (char& c : cmdline) {
    if (c == '\0') c = ' ';
  }
  return cmdline.find(marker) != std::string::npos;
}

const char* StopHowName(StopHow how) {
  switch (how) {
    case StopHow::kNotRunning: return "not running";
    case StopHow::kTerminated: return "stopped (SIGTERM)";
    case StopHow::kKilled: return "killed (SIGKILL)";
    case StopHow::kFailed: return "still running after SIGKILL";
  }
  return "?";
}

StopHow StopProcess(pid_t pid, const std::string& marker, std::chrono::milliseconds grace,
                    bool kill9) {
  if (!ProcessAlive(pid, marker)) return StopHow::kNotRunning;
  auto wait_gone = [&](std::chrono::milliseconds limit) {
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (!ProcessAlive(pid, marker)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return !ProcessAlive(pid, marker);
  };
  if (!kill9) {
    kill(pid, SIGTERM);
    if (wait_gone(grace)) return StopHow::kTerminated;
  }
  kill(pid, SIGKILL);
  if (wait_gone(std::chrono::seconds(5))) return StopHow::kKilled;
  return StopHow::kFailed;
}

Result<std::vector<int>> FreePorts(int count) {
  std::vector<int> fds;
  std::vector<int> ports;
  Status status;
  for (int i = 0; i < count; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = Loopback(0);
    socklen_t len = sizeof(addr);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      status = Status::IoError(std::string("cannot get a free port: ") + std::strerror(errno));
      if (fd >= 0) close(fd);
      break;
    }
    fds.push_back(fd);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) close(fd);
  if (!status.ok()) return status;
  return ports;
}

bool PortFree(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr = Loopback(port);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

namespace {
int ConnectWithTimeout(int port, std::chrono::milliseconds timeout) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_in addr = Loopback(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS) {
      close(fd);
      return -1;
    }
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof(err);
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      close(fd);
      return -1;
    }
  }
  return fd;
}
}  // namespace

bool PortAccepts(int port, std::chrono::milliseconds timeout) {
  int fd = ConnectWithTimeout(port, timeout);
  if (fd < 0) return false;
  close(fd);
  return true;
}

std::string FourLetterWord(int port, const std::string& word, std::chrono::milliseconds timeout) {
  int fd = ConnectWithTimeout(port, timeout);
  if (fd < 0) return "";
  std::string answer;
  if (send(fd, word.data(), word.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(word.size())) {
    auto deadline = Clock::now() + timeout;
    char buf[4096];
    while (Clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count()))) != 1) break;
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      answer.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return answer;
}

std::string ParseZkMode(const std::string& srvr_answer) {
  std::istringstream in(srvr_answer);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Mode: ", 0) == 0) {
      std::string mode = line.substr(6);
      while (!mode.empty() && (mode.back() == '\r' || mode.back() == ' ')) mode.pop_back();
      return mode;
    }
  }
  return "";
}

std::string LastErrorLine(const std::string& path) {
  std::ifstream f(path);
  if (!f) return "";
  std::string line;
  std::string last;
  std::string last_error;
  while (std::getline(f, line)) {
    if (line.empty()) continue;
    last = line;
    bool glog_error = line.size() > 1 && (line[0] == 'E' || line[0] == 'F') &&
                      std::isdigit(static_cast<unsigned char>(line[1]));
    if (glog_error || line.find("ERROR") != std::string::npos ||
        line.find("FATAL") != std::string::npos || line.find("Exception") != std::string::npos) {
      last_error = line;
    }
  }
  std::string out = last_error.empty() ? last : last_error;
  if (out.size() > 300) out = out.substr(0, 300) + "...";
  return out;
}

Result<pid_t> ReadPidFile(const std::string& path) {
  std::ifstream f(path);
  std::string text;
  if (!f || !std::getline(f, text)) return Status::NotFound("no pid file " + path);
  Result<int64_t> pid = ParseInt(text, path);
  if (!pid.ok() || *pid <= 0) return Status::Corruption("bad pid file " + path);
  return static_cast<pid_t>(*pid);
}

Status WritePidFile(const std::string& path, pid_t pid) {
  std::ofstream f(path, std::ios::trunc);
  f << pid << "\n";
  f.close();
  if (!f) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace sluice::client
