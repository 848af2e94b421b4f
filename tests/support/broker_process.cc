#include "tests/support/broker_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/kafka_client.h"

namespace sluice::testing {
namespace {

using Clock = std::chrono::steady_clock;

bool PortAccepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

bool CurrentTestFailed() {
  if (::testing::Test::HasFailure()) return true;
  const ::testing::TestSuite* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
  return suite != nullptr && suite->Failed();
}

}  // namespace

std::string DefaultSluicedPath(const std::string& compiled_in) {
  if (const char* env = std::getenv("SLUICED"); env != nullptr && *env != '\0') return env;
  if (!compiled_in.empty()) return compiled_in;
  return "build/broker/sluiced";
}

BrokerProcess::BrokerProcess(BrokerOptions options) : options_(std::move(options)) {
  binary_ = options_.binary.empty() ? DefaultSluicedPath() : options_.binary;
  port_ = options_.port != 0 ? options_.port : FreePort();
  if (options_.work_dir.empty()) {
    char tmpl[] = "/tmp/sluice-broker-XXXXXX";
    if (::mkdtemp(tmpl) != nullptr) {
      work_dir_ = tmpl;
      own_work_dir_ = true;
    }
  } else {
    work_dir_ = options_.work_dir;
    std::filesystem::create_directories(work_dir_);
  }
}

BrokerProcess::~BrokerProcess() {
  if (pid_ > 0) {
    Result<int> r = Terminate(std::chrono::seconds(10));
    (void)r;
  }
  bool failed = CurrentTestFailed();
  if (failed) {
    std::cerr << "---- sluiced broker.id=" << options_.broker_id << " port=" << port_
              << " output (" << output_path() << "), last lines ----\n";
    PrintOutputTail();
    std::cerr << "---- end of sluiced output ----\n";
  }
  const char* keep = std::getenv("SLUICE_KEEP_TEST_DIRS");
  if (own_work_dir_ && !failed && (keep == nullptr || *keep == '\0')) {
    std::error_code ec;
    std::filesystem::remove_all(work_dir_, ec);
  }
}

Status BrokerProcess::WriteConfig() {
  std::map<std::string, std::string> props = {
      {"broker.id", std::to_string(options_.broker_id)},
      {"listeners", "PLAINTEXT://127.0.0.1:" + std::to_string(port_)},
      {"advertised.listeners", "PLAINTEXT://127.0.0.1:" + std::to_string(port_)},
      {"log.dirs", log_dir()},
      {"zookeeper.connect", options_.zookeeper_connect},
      {"zookeeper.session.timeout.ms", std::to_string(options_.zookeeper_session_timeout_ms)},
      {"num.partitions", "1"},
      {"default.replication.factor", "1"},
      {"min.insync.replicas", "1"},
      {"offsets.topic.replication.factor", "1"},
      {"offsets.topic.num.partitions", "4"},
  };
  for (const auto& [k, v] : options_.properties) props[k] = v;
  std::ofstream out(config_path(), std::ios::trunc);
  out << "# written by tests/support/broker_process.cc\n";
  for (const auto& [k, v] : props) out << k << "=" << v << "\n";
  out.close();
  if (!out) return Status::IoError("cannot write " + config_path());
  return Status::Ok();
}

Status BrokerProcess::Start(bool wait) {
  if (pid_ > 0 && Alive()) return Status::InvalidArgument("sluiced already running");
  if (work_dir_.empty()) return Status::IoError("no work dir");
  if (::access(binary_.c_str(), X_OK) != 0) {
    return Status::NotFound("sluiced binary not found or not executable: " + binary_ +
                            " (build the sluiced target, or set $SLUICED)");
  }
  if (!std::filesystem::exists(config_path())) SLUICE_RETURN_IF_ERROR(WriteConfig());
  std::filesystem::create_directories(log_dir());

  std::vector<std::string> args = {binary_, "--config", config_path()};
  for (const auto& [k, v] : options_.overrides) {
    args.push_back("--override");
    args.push_back(k + "=" + v);
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out_fd = ::open(output_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out_fd < 0) return Status::IoError("open " + output_path() + ": " + std::strerror(errno));
  {
    std::string banner = "==== starting sluiced (" + binary_ + ") ====\n";
    ssize_t w = ::write(out_fd, banner.data(), banner.size());
    (void)w;
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out_fd);
    return Status::IoError(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Child: die with the test process, log to the output file, exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(out_fd, STDERR_FILENO);
    ::setenv("GLOG_logtostderr", "1", 1);
    ::execv(argv[0], argv.data());
    std::fprintf(stderr, "execv %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(out_fd);
  pid_ = pid;
  if (!wait) return Status::Ok();
  return WaitReady(options_.ready_timeout);
}

Status BrokerProcess::WaitReady(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string last = "port " + std::to_string(port_) + " never accepted";
  while (Clock::now() < deadline) {
    if (!Alive()) {
      return Status::Unavailable("sluiced exited (status " + std::to_string(last_exit_status_) +
                                 ") before it was ready; output: " + output_path());
    }
    if (PortAccepts(port_)) {
      Result<ClusterMetadata> md = FetchMetadata(bootstrap(), std::chrono::milliseconds(2000));
      if (md.ok()) {
        bool listed = std::any_of(md->brokers.begin(), md->brokers.end(),
                                  [&](const BrokerMeta& b) { return b.id == options_.broker_id; });
        if (!listed) {
          last = "Metadata answered without broker " + std::to_string(options_.broker_id);
        } else if (md->controller_id < 0) {
          last = "Metadata answered without a controller";
        } else if (options_.ready_condition) {
          Status extra = options_.ready_condition();
          if (extra.ok()) return extra;
          last = extra.ToString();
        } else {
          return Status::Ok();
        }
      } else {
        last = "Metadata failed: " + md.status().ToString();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::TimedOut("sluiced broker.id=" + std::to_string(options_.broker_id) +
                          " not ready after " + std::to_string(timeout.count()) + " ms: " + last);
}

void BrokerProcess::Reap(int wstatus) {
  last_exit_status_ = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  pid_ = -1;
}

bool BrokerProcess::Alive() {
  if (pid_ <= 0) return false;
  int wstatus = 0;
  pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
  if (r == pid_) {
    Reap(wstatus);
    return false;
  }
  return r == 0;
}

void BrokerProcess::Kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int wstatus = 0;
  if (::waitpid(pid_, &wstatus, 0) == pid_) Reap(wstatus);
  pid_ = -1;
}

Result<int> BrokerProcess::Terminate(std::chrono::milliseconds timeout) {
  if (pid_ <= 0 || !Alive()) return last_exit_status_;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (!Alive()) return last_exit_status_;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill9();
  return Status::TimedOut("sluiced did not exit within " + std::to_string(timeout.count()) +
                          " ms of SIGTERM; killed");
}

Status BrokerProcess::Restart() {
  if (pid_ > 0 && Alive()) return Status::InvalidArgument("Restart() while running");
  return Start(/*wait=*/true);
}

std::string BrokerProcess::ReadOutput() const {
  std::ifstream in(output_path());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void BrokerProcess::PrintOutputTail(int lines) const {
  std::ifstream in(output_path());
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(std::move(line));
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  for (const std::string& l : tail) std::cerr << l << "\n";
}

}  // namespace sluice::testing
