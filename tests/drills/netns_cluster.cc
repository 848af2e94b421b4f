#include "tests/drills/netns_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/kafka_client.h"
#include "tests/support/test_util.h"

namespace sluice::drills {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// One TCP exchange: send `word`, read until EOF or the deadline.
std::string Ask(const std::string& addr, int port, const std::string& word, milliseconds timeout) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
  auto deadline = Clock::now() + timeout;
  auto left = [&] {
    return static_cast<int>(
        std::max<int64_t>(0, std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count()));
  };
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 && errno != EINPROGRESS) {
    close(fd);
    return "";
  }
  pollfd p{fd, POLLOUT, 0};
  if (poll(&p, 1, left()) != 1) {
    close(fd);
    return "";
  }
  int err = 0;
  socklen_t len = sizeof(err);
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0 || send(fd, word.data(), word.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(word.size())) {
    close(fd);
    return "";
  }
  char buf[4096];
  while (left() > 0) {
    p = {fd, POLLIN, 0};
    if (poll(&p, 1, left()) != 1) break;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

}  // namespace

NetnsCluster::NetnsCluster(ClusterOptions options) : options_(std::move(options)) {}

NetnsCluster::~NetnsCluster() { Down(); }

std::string NetnsCluster::bootstrap() const {
  std::string out;
  for (int id = 1; id <= options_.brokers; ++id) {
    if (!out.empty()) out += ",";
    out += broker_addr(id) + ":9092";
  }
  return out;
}

std::string NetnsCluster::broker_log_dir(int id) const {
  return options_.work_dir + "/b" + std::to_string(id) + "/logs";
}
std::string NetnsCluster::broker_output(int id) const {
  return options_.work_dir + "/b" + std::to_string(id) + "/sluiced.log";
}

Status NetnsCluster::Hosts(const std::string& verb, const std::vector<std::string>& args) {
  std::string cmd = ShellQuote(options_.hosts_script) + " " + verb + " " + options_.run;
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  std::lock_guard<std::mutex> lock(hosts_mu_);
  SLUICE_ASSIGN_OR_RETURN(testing::CommandOutput out, testing::RunCommand(cmd));
  if (out.exit_code != 0) {
    return Status::IoError("hosts.sh " + verb + " failed (" + std::to_string(out.exit_code) +
                           "): " + out.output);
  }
  return Status::Ok();
}

Status NetnsCluster::Up(milliseconds deadline_ms) {
  auto deadline = Clock::now() + deadline_ms;
  std::filesystem::create_directories(options_.work_dir);
  std::vector<std::string> specs;
  for (int i = 1; i <= options_.zookeepers; ++i) specs.push_back(zk_host(i) + "=" + zk_addr(i));
  for (int id = 1; id <= options_.brokers; ++id) {
    specs.push_back(broker_host(id) + "=" + broker_addr(id));
  }
  specs.push_back("client=10.77.0.100");
  up_ = true;
  SLUICE_RETURN_IF_ERROR(Hosts("up", specs));

  // From here on this thread (and every thread it creates: librdkafka's) is the client host.
  // Down() returns to the original namespace first: `hosts.sh down` kills every PID inside the
  // run's namespaces, which would include this process.
  original_ns_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original_ns_fd_ < 0) return Status::IoError("open own netns: " + std::string(strerror(errno)));
  int fd = open(("/var/run/netns/sl-" + options_.run + "-client").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("open client netns: " + std::string(strerror(errno)));
  int rc = setns(fd, CLONE_NEWNET);
  close(fd);
  if (rc != 0) return Status::IoError("setns client: " + std::string(strerror(errno)));

  for (int i = 1; i <= options_.zookeepers; ++i) SLUICE_RETURN_IF_ERROR(StartZk(i));
  if (!testing::WaitFor([&] { return ZkLeader() > 0; },
                        std::chrono::duration_cast<milliseconds>(deadline - Clock::now()),
                        milliseconds(200))) {
    return Status::TimedOut("ZooKeeper ensemble elected no leader");
  }
  for (int id = 1; id <= options_.brokers; ++id) SLUICE_RETURN_IF_ERROR(StartBroker(id));
  for (int id = 1; id <= options_.brokers; ++id) {
    SLUICE_RETURN_IF_ERROR(
        WaitBrokerListed(id, std::chrono::duration_cast<milliseconds>(deadline - Clock::now())));
  }
  return Status::Ok();
}

void NetnsCluster::StopPid(pid_t pid, milliseconds grace) {
  if (pid <= 0) return;
  kill(pid, SIGCONT);
  kill(pid, SIGTERM);
  auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

void NetnsCluster::Down() {
  if (!up_) return;
  up_ = false;
  for (auto& [id, p] : brokers_) {
    if (p.pid > 0) {
      kill(p.pid, SIGKILL);
      waitpid(p.pid, nullptr, 0);
      p.pid = -1;
    }
  }
  for (auto& [i, p] : zks_) {
    StopPid(p.pid, milliseconds(3000));
    p.pid = -1;
  }
  if (original_ns_fd_ >= 0) {
    if (setns(original_ns_fd_, CLONE_NEWNET) != 0) {
      fprintf(stderr, "drill: cannot leave the client namespace (%s); teardown skipped\n",
              strerror(errno));
      return;
    }
    close(original_ns_fd_);
    original_ns_fd_ = -1;
  }
  Status s = Hosts("down", {});
  if (!s.ok()) fprintf(stderr, "drill: teardown: %s\n", s.ToString().c_str());
}

Result<pid_t> NetnsCluster::Spawn(const std::string& host, const std::vector<std::string>& argv,
                                  const std::string& log_path) {
  const std::string ns_path = "/var/run/netns/sl-" + options_.run + "-" + host;
  int ns_fd = open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns_fd < 0) return Status::IoError("open " + ns_path + ": " + strerror(errno));
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    close(ns_fd);
    return Status::IoError("open " + log_path + ": " + strerror(errno));
  }
  std::vector<std::string> args = argv;
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return Status::IoError("fork: " + std::string(strerror(errno)));
  if (pid == 0) {  // async-signal-safe calls only until exec
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (setns(ns_fd, CLONE_NEWNET) != 0) _exit(126);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    setpgid(0, 0);
    execvp(cargs[0], cargs.data());
    _exit(127);
  }
  close(ns_fd);
  close(log_fd);
  return pid;
}

Status NetnsCluster::WriteZkConfig(int i) const {
  const std::string dir = options_.work_dir + "/zk" + std::to_string(i);
  std::filesystem::create_directories(dir + "/data");
  std::ofstream(dir + "/data/myid") << i << "\n";
  std::ofstream cfg(dir + "/zoo.cfg");
  // tickTime 500: sessions of 1-60 s accepted, a lost leader replaced in ~2.5 s (scripts/zk.sh).
  cfg << "tickTime=500\ninitLimit=10\nsyncLimit=5\nmaxSessionTimeout=60000\n"
      << "dataDir=" << dir << "/data\nclientPort=2181\nclientPortAddress=" << zk_addr(i) << "\n"
      << "4lw.commands.whitelist=*\nadmin.enableServer=false\n";
  for (int j = 1; j <= options_.zookeepers; ++j) {
    cfg << "server." << j << "=" << zk_addr(j) << ":2888:3888\n";
  }
  if (!cfg) return Status::IoError("cannot write " + dir + "/zoo.cfg");
  return Status::Ok();
}

Status NetnsCluster::StartZk(int i) {
  SLUICE_RETURN_IF_ERROR(WriteZkConfig(i));
  const std::string dir = options_.work_dir + "/zk" + std::to_string(i);
  std::string cp = "/usr/share/java/zookeeper.jar";
  if (std::filesystem::exists("/usr/share/java/slf4j-simple.jar")) {
    cp += ":/usr/share/java/slf4j-simple.jar";
  }
  SLUICE_ASSIGN_OR_RETURN(pid_t pid,
                          Spawn(zk_host(i),
                                {"java", "-Xmx192m", "-XX:+UseSerialGC", "-Dzookeeper.log.dir=" + dir,
                                 "-cp", cp, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                                 dir + "/zoo.cfg"},
                                dir + "/zookeeper.log"));
  zks_[i] = Proc{pid, false};
  return Status::Ok();
}

std::string NetnsCluster::ZkMode(int i) const {
  std::string srvr = Ask(zk_addr(i), 2181, "srvr", milliseconds(1000));
  size_t at = srvr.find("Mode: ");
  if (at == std::string::npos) return "";
  size_t end = srvr.find('\n', at);
  return srvr.substr(at + 6, end == std::string::npos ? std::string::npos : end - at - 6);
}

int NetnsCluster::ZkLeader() const {
  for (int i = 1; i <= options_.zookeepers; ++i) {
    if (ZkMode(i) == "leader") return i;
  }
  return -1;
}

Status NetnsCluster::WriteBrokerConfig(int id) const {
  const std::string dir = options_.work_dir + "/b" + std::to_string(id);
  std::filesystem::create_directories(dir + "/logs");
  std::string zk;
  for (int i = 1; i <= options_.zookeepers; ++i) {
    zk += (i > 1 ? "," : "") + zk_addr(i) + ":2181";
  }
  std::ofstream cfg(dir + "/server.properties");
  cfg << "broker.id=" << id << "\n"
      << "listeners=PLAINTEXT://" << broker_addr(id) << ":9092\n"
      << "advertised.listeners=PLAINTEXT://" << broker_addr(id) << ":9092\n"
      << "log.dirs=" << dir << "/logs\n"
      << "zookeeper.connect=" << zk << "\n"
      << "zookeeper.session.timeout.ms=" << options_.session_timeout_ms << "\n"
      << "min.insync.replicas=" << options_.min_insync_replicas << "\n"
      << "unclean.leader.election.enable="
      << (options_.unclean_leader_election ? "true" : "false") << "\n"
      << "default.replication.factor=3\nnum.partitions=12\nauto.create.topics.enable=false\n"
      << "offsets.topic.replication.factor=3\n"
      << "replica.lag.time.max.ms=" << options_.replica_lag_time_max_ms << "\n";
  if (!cfg) return Status::IoError("cannot write " + dir + "/server.properties");
  return Status::Ok();
}

Status NetnsCluster::StartBroker(int id) {
  if (BrokerAlive(id)) return Status::Ok();
  SLUICE_RETURN_IF_ERROR(WriteBrokerConfig(id));
  const std::string dir = options_.work_dir + "/b" + std::to_string(id);
  SLUICE_ASSIGN_OR_RETURN(pid_t pid, Spawn(broker_host(id),
                                           {options_.sluiced, "--config", dir + "/server.properties"},
                                           broker_output(id)));
  brokers_[id] = Proc{pid, false};
  return Status::Ok();
}

bool NetnsCluster::BrokerAlive(int id) {
  auto it = brokers_.find(id);
  if (it == brokers_.end() || it->second.pid <= 0) return false;
  if (waitpid(it->second.pid, nullptr, WNOHANG) == it->second.pid) {
    it->second.pid = -1;
    return false;
  }
  return true;
}

bool NetnsCluster::BrokerPaused(int id) const {
  auto it = brokers_.find(id);
  return it != brokers_.end() && it->second.paused;
}

Status NetnsCluster::KillBroker(int id) {
  if (!BrokerAlive(id)) return Status::NotFound("broker " + std::to_string(id) + " not running");
  Proc& p = brokers_[id];
  kill(p.pid, SIGKILL);
  waitpid(p.pid, nullptr, 0);
  p = Proc{};
  return Status::Ok();
}

Result<int> NetnsCluster::TerminateBroker(int id, milliseconds timeout) {
  if (!BrokerAlive(id)) return Status::NotFound("broker " + std::to_string(id) + " not running");
  Proc& p = brokers_[id];
  if (p.paused) kill(p.pid, SIGCONT);
  kill(p.pid, SIGTERM);
  int wstatus = 0;
  bool exited = testing::WaitFor(
      [&] { return waitpid(p.pid, &wstatus, WNOHANG) == p.pid; }, timeout, milliseconds(20));
  if (!exited) {
    kill(p.pid, SIGKILL);
    waitpid(p.pid, nullptr, 0);
    p = Proc{};
    return Status::TimedOut("broker " + std::to_string(id) + " ignored SIGTERM; killed");
  }
  p = Proc{};
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

Status NetnsCluster::PauseBroker(int id) {
  if (!BrokerAlive(id)) return Status::NotFound("broker " + std::to_string(id) + " not running");
  kill(brokers_[id].pid, SIGSTOP);
  brokers_[id].paused = true;
  return Status::Ok();
}

Status NetnsCluster::ResumeBroker(int id) {
  if (!BrokerAlive(id)) return Status::NotFound("broker " + std::to_string(id) + " not running");
  kill(brokers_[id].pid, SIGCONT);
  brokers_[id].paused = false;
  return Status::Ok();
}

Status NetnsCluster::ReviveAll() {
  for (int id = 1; id <= options_.brokers; ++id) {
    if (BrokerAlive(id)) {
      if (BrokerPaused(id)) SLUICE_RETURN_IF_ERROR(ResumeBroker(id));
    } else {
      SLUICE_RETURN_IF_ERROR(StartBroker(id));
    }
  }
  return Status::Ok();
}

Status NetnsCluster::PauseAll() {
  for (int id = 1; id <= options_.brokers; ++id) {
    if (BrokerAlive(id)) SLUICE_RETURN_IF_ERROR(PauseBroker(id));
  }
  return Status::Ok();
}

Status NetnsCluster::ResumeAll() {
  for (int id = 1; id <= options_.brokers; ++id) {
    if (BrokerAlive(id) && BrokerPaused(id)) SLUICE_RETURN_IF_ERROR(ResumeBroker(id));
  }
  return Status::Ok();
}

Status NetnsCluster::WaitBrokerListed(int id, milliseconds deadline) {
  Status last = Status::TimedOut("no metadata yet");
  bool ok = testing::WaitFor(
      [&] {
        if (!BrokerAlive(id)) {
          last = Status::IoError("broker " + std::to_string(id) + " exited");
          return false;
        }
        auto md = testing::FetchMetadata(bootstrap(), milliseconds(2000));
        if (!md.ok()) {
          last = md.status();
          return false;
        }
        if (md.value().controller_id < 0) {
          last = Status::NotFound("no controller");
          return false;
        }
        for (const auto& b : md.value().brokers) {
          if (b.id == id) return true;
        }
        last = Status::NotFound("broker " + std::to_string(id) + " not listed");
        return false;
      },
      deadline, milliseconds(250));
  if (ok) return Status::Ok();
  return Status::TimedOut("broker " + std::to_string(id) + " not ready: " + last.ToString());
}

}  // namespace sluice::drills
