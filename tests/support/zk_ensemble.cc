#include "tests/support/zk_ensemble.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "common/clock.h"

namespace sluice::testing {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

std::string ClassPath() {
  std::string jars = EnvOr("ZK_JAR_DIR", "/usr/share/java");
  std::string cp = jars + "/zookeeper.jar";
  // The jar's manifest lists its dependencies but no slf4j binding: slf4j-simple gives a log.
  if (std::filesystem::exists(jars + "/slf4j-simple.jar")) cp += ":" + jars + "/slf4j-simple.jar";
  return cp;
}

}  // namespace

std::string FourLetterWord(int port, const std::string& word, std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::send(fd, word.data(), word.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(word.size())) {
    const TimePoint end = SteadyClock::now() + timeout;
    char buf[4096];
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - SteadyClock::now());
      if (left.count() <= 0) { out.clear(); break; }
      pollfd p{fd, POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(left.count()));
      if (r <= 0) { out.clear(); break; }
      ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;  // EOF: the server answered fully
      out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

ZkEnsemble::ZkEnsemble(int servers, std::chrono::milliseconds start_deadline)
    : dir_("sluice-zk") {
  if (servers < 1 || servers > 9) {
    status_ = Status::InvalidArgument("ZkEnsemble: servers must be 1..9");
    return;
  }
  servers_.resize(static_cast<size_t>(servers));
  // A port taken between FreePort() and the server's bind makes that server exit: retry with
  // fresh ports.
  for (int attempt = 0; attempt < 3; ++attempt) {
    status_ = StartAll(start_deadline);
    if (status_.ok() || status_.code() != Errc::kUnavailable) break;
    for (int i = 0; i < size(); ++i) Stop(i);
    std::error_code ec;
    for (int i = 0; i < size(); ++i) std::filesystem::remove_all(server_dir(i) + "/data", ec);
  }
  if (!status_.ok()) {
    fprintf(stderr, "ZkEnsemble: start failed: %s (logs under %s)\n", status_.ToString().c_str(),
            dir_.path().c_str());
    for (int i = 0; i < size(); ++i) Stop(i);
  }
}

ZkEnsemble::~ZkEnsemble() {
  for (int i = 0; i < size(); ++i) {
    if (servers_[i].paused) Resume(i);
    Stop(i);
  }
}

std::string ZkEnsemble::connect_string() const {
  std::string s;
  for (const Server& server : servers_) {
    if (!s.empty()) s += ",";
    s += "127.0.0.1:" + std::to_string(server.client_port);
  }
  return s;
}

std::string ZkEnsemble::server_dir(int i) const {
  return dir_.path() + "/zk" + std::to_string(i + 1);
}

void ZkEnsemble::AssignPorts() {
  std::set<int> used;
  auto next = [&used] {
    while (true) {
      int p = FreePort();
      if (p > 0 && used.insert(p).second) return p;
    }
  };
  for (Server& s : servers_) {
    s.client_port = next();
    s.peer_port = next();
    s.election_port = next();
  }
}

Status ZkEnsemble::WriteConfig(int i) const {
  const std::string sdir = server_dir(i);
  std::error_code ec;
  std::filesystem::create_directories(sdir + "/data", ec);
  if (ec) return Status::IoError("mkdir " + sdir + ": " + ec.message());
  {
    std::ofstream myid(sdir + "/data/myid");
    myid << (i + 1) << "\n";
  }
  std::ofstream cfg(sdir + "/zoo.cfg");
  cfg << "tickTime=500\n"
      << "initLimit=10\n"
      << "syncLimit=5\n"
      << "maxSessionTimeout=60000\n"
      << "dataDir=" << sdir << "/data\n"
      << "clientPort=" << servers_[i].client_port << "\n"
      << "clientPortAddress=127.0.0.1\n"
      << "4lw.commands.whitelist=*\n"
      << "admin.enableServer=false\n";
  if (size() > 1) {
    for (int j = 0; j < size(); ++j) {
      cfg << "server." << (j + 1) << "=127.0.0.1:" << servers_[j].peer_port << ":"
          << servers_[j].election_port << "\n";
    }
  }
  cfg.flush();
  if (!cfg) return Status::IoError("cannot write " + sdir + "/zoo.cfg");
  return Status::Ok();
}

Status ZkEnsemble::Spawn(int i) {
  const std::string sdir = server_dir(i);
  const std::string java = EnvOr("ZK_JAVA", "java");
  std::vector<std::string> args = {java,
                                   "-Xmx256m",
                                   "-Dzookeeper.log.dir=" + sdir,
                                   "-cp",
                                   ClassPath(),
                                   "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                                   sdir + "/zoo.cfg"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = sdir + "/zookeeper.log";
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return Status::IoError("fork: " + std::string(strerror(errno)));
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  servers_[i].pid = pid;
  servers_[i].paused = false;
  return Status::Ok();
}

bool ZkEnsemble::Running(int i) {
  Server& s = servers_[i];
  if (s.pid <= 0) return false;
  int wstatus = 0;
  pid_t r = waitpid(s.pid, &wstatus, WNOHANG);
  if (r == s.pid) {
    s.pid = -1;
    return false;
  }
  return true;
}

Status ZkEnsemble::StartAll(std::chrono::milliseconds deadline) {
  AssignPorts();
  for (int i = 0; i < size(); ++i) SLUICE_RETURN_IF_ERROR(WriteConfig(i));
  for (int i = 0; i < size(); ++i) SLUICE_RETURN_IF_ERROR(Spawn(i));
  return WaitServing(deadline);
}

std::string ZkEnsemble::Mode(int i) const {
  std::string answer = FourLetterWord(servers_[i].client_port, "srvr");
  std::istringstream in(answer);
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

Status ZkEnsemble::WaitServing(std::chrono::milliseconds deadline) {
  std::string last;
  bool ok = WaitFor(
      [&] {
        int leaders = 0;
        for (int i = 0; i < size(); ++i) {
          if (servers_[i].pid <= 0 || servers_[i].paused) continue;
          if (!Running(i)) {
            last = "server " + std::to_string(i + 1) + " exited (see " + server_dir(i) +
                   "/zookeeper.log)";
            return true;  // stop waiting; reported below
          }
          std::string mode = Mode(i);
          if (mode.empty()) {
            last = "server " + std::to_string(i + 1) + " not serving";
            return false;
          }
          if (mode == "leader" || mode == "standalone") ++leaders;
        }
        if (leaders != 1) {
          last = "leaders=" + std::to_string(leaders);
          return false;
        }
        last.clear();
        return true;
      },
      deadline, std::chrono::milliseconds(100));
  if (ok && last.empty()) return Status::Ok();
  if (ok) return Status::Unavailable(last);  // a server exited (port race or bad config)
  return Status::TimedOut("ZooKeeper ensemble not serving after " +
                          std::to_string(deadline.count()) + " ms: " + last);
}

void ZkEnsemble::Stop(int i, std::chrono::milliseconds grace) {
  Server& s = servers_[i];
  if (s.pid <= 0) return;
  if (s.paused) Resume(i);
  kill(s.pid, SIGTERM);
  if (!WaitFor([&] { return !Running(i); }, grace, std::chrono::milliseconds(20))) {
    kill(s.pid, SIGKILL);
    int wstatus = 0;
    waitpid(s.pid, &wstatus, 0);
    s.pid = -1;
  }
}

void ZkEnsemble::Kill(int i) {
  Server& s = servers_[i];
  if (s.pid <= 0) return;
  kill(s.pid, SIGKILL);
  int wstatus = 0;
  waitpid(s.pid, &wstatus, 0);
  s.pid = -1;
  s.paused = false;
}

Status ZkEnsemble::Start(int i, std::chrono::milliseconds deadline) {
  if (Running(i)) return Status::Ok();
  SLUICE_RETURN_IF_ERROR(Spawn(i));
  return WaitServing(deadline);
}

void ZkEnsemble::Pause(int i) {
  if (servers_[i].pid <= 0) return;
  kill(servers_[i].pid, SIGSTOP);
  servers_[i].paused = true;
}

void ZkEnsemble::Resume(int i) {
  if (servers_[i].pid <= 0) return;
  kill(servers_[i].pid, SIGCONT);
  servers_[i].paused = false;
}

}  // namespace sluice::testing
