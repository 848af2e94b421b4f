#include "tests/cluster/standalone_zookeeper.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "tests/support/zk_ensemble.h"

namespace sluice::testing {

StandaloneZooKeeper::StandaloneZooKeeper(int client_port) : port_(client_port), dir_("sluice-zk") {}

StandaloneZooKeeper::~StandaloneZooKeeper() { Stop(); }

Status StandaloneZooKeeper::Start(std::chrono::milliseconds deadline) {
  std::string data = dir_.path() + "/data";
  std::filesystem::create_directories(data);
  std::string cfg = dir_.path() + "/zoo.cfg";
  {
    std::ofstream out(cfg);
    out << "tickTime=500\ninitLimit=10\nsyncLimit=5\nmaxSessionTimeout=60000\n"
        << "dataDir=" << data << "\nclientPort=" << port_ << "\nclientPortAddress=127.0.0.1\n"
        << "4lw.commands.whitelist=*\nadmin.enableServer=false\n";
    if (!out) return Status::IoError("cannot write " + cfg);
  }
  const char* jar_dir_env = std::getenv("ZK_JAR_DIR");
  std::string jar_dir = jar_dir_env != nullptr ? jar_dir_env : "/usr/share/java";
  const char* java_env = std::getenv("ZK_JAVA");
  std::string java = java_env != nullptr ? java_env : "java";
  std::vector<std::string> args = {java, "-Xmx256m", "-Dzookeeper.log.dir=" + dir_.path(), "-cp",
                                   jar_dir + "/zookeeper.jar",
                                   "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string log = dir_.path() + "/zookeeper.log";
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Status::IoError("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  bool up = WaitFor(
      [&] {
        int st = 0;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
          pid_ = -1;
          return true;  // exited: stop waiting, reported below
        }
        return FourLetterWord(port_, "srvr").find("Mode: standalone") != std::string::npos;
      },
      deadline, std::chrono::milliseconds(100));
  if (pid_ < 0) return Status::Unavailable("ZooKeeper exited during start; see " + log);
  if (!up) return Status::TimedOut("ZooKeeper on port " + std::to_string(port_) + " not serving");
  return Status::Ok();
}

void StandaloneZooKeeper::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  bool gone = WaitFor(
      [&] {
        int st = 0;
        return ::waitpid(pid_, &st, WNOHANG) == pid_;
      },
      std::chrono::seconds(10));
  if (!gone) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
  pid_ = -1;
}

}  // namespace sluice::testing
