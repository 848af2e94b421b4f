#include "client/local_cluster.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>

#include "client/cli.h"
#include "client/procs.h"
#include "client/zk_view.h"

namespace sluice::client {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Set by SIGINT/SIGTERM while `cluster up` waits, so it stops what it started instead of
// leaving half a cluster behind.
volatile sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) { g_interrupted = 1; }

constexpr char kZkMain[] = "org.apache.zookeeper.server.quorum.QuorumPeerMain";

bool Executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// `name` if it contains '/', else the first match on $PATH; "" if none is executable.
std::string FindOnPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return Executable(name) ? name : "";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path == nullptr ? "/usr/bin:/bin" : path);
  std::string d;
  while (std::getline(dirs, d, ':')) {
    std::string candidate = (d.empty() ? "." : d) + "/" + name;
    if (Executable(candidate)) return candidate;
  }
  return "";
}

Result<std::string> FindSluiced(const std::string& flag) {
  if (!flag.empty()) {
    if (!Executable(flag)) return Status::InvalidArgument("--sluiced " + flag + " is not executable");
    return fs::absolute(flag).string();
  }
  if (const char* env = std::getenv("SLUICED"); env != nullptr && Executable(env)) {
    return fs::absolute(env).string();
  }
  std::string self = SelfDir();
  for (const std::string& rel : {std::string("/../broker/sluiced"), std::string("/sluiced")}) {
    if (!self.empty() && Executable(self + rel)) return fs::weakly_canonical(self + rel).string();
  }
  std::string found = FindOnPath("sluiced");
  if (found.empty()) {
    return Status::NotFound("cannot find the broker binary sluiced (looked next to " +
                            (self.empty() ? std::string("sluice") : self) +
                            " and on PATH); pass --sluiced PATH");
  }
  return found;
}

Result<std::string> FindJava(const std::string& flag) {
  std::string want = flag;
  if (want.empty()) {
    const char* env = std::getenv("JAVA");
    want = env != nullptr && *env != '\0' ? env : "java";
  }
  std::string found = FindOnPath(want);
  if (found.empty()) {
    return Status::NotFound("ZooKeeper cannot start: java (" + want +
                            ") not found; install the Debian zookeeper package or pass --java");
  }
  return found;
}

Result<std::string> ZkClasspath() {
  const char* env = std::getenv("ZK_JAR_DIR");
  std::string dir = env != nullptr && *env != '\0' ? env : "/usr/share/java";
  std::string jar = dir + "/zookeeper.jar";
  if (access(jar.c_str(), R_OK) != 0) {
    return Status::NotFound("ZooKeeper cannot start: " + jar +
                            " missing (install the Debian zookeeper package)");
  }
  // The jar's manifest lists its dependencies but no slf4j binding; slf4j-simple gives a log.
  std::string cp = jar;
  if (access((dir + "/slf4j-simple.jar").c_str(), R_OK) == 0) cp += ":" + dir + "/slf4j-simple.jar";
  return cp;
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc);
  f << text;
  f.close();
  if (!f) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

Result<pid_t> StartZk(const ClusterLayout& layout, const ZkServerSpec& z) {
  std::vector<std::string> argv = {layout.java,
                                   "-Xmx256m",
                                   "-XX:+UseSerialGC",
                                   "-Dzookeeper.log.dir=" + layout.ZkDir(z.id),
                                   "-Dzookeeper.admin.enableServer=false",
                                   "-cp",
                                   layout.zk_classpath,
                                   kZkMain,
                                   layout.ZkConfig(z.id)};
  SLUICE_ASSIGN_OR_RETURN(pid_t pid, Spawn(argv, layout.ZkLog(z.id)));
  SLUICE_RETURN_IF_ERROR(WritePidFile(layout.ZkPidFile(z.id), pid));
  return pid;
}

Result<pid_t> SpawnBroker(const ClusterLayout& layout, const BrokerSpec& b) {
  std::vector<std::string> argv = {layout.sluiced, "--config", layout.BrokerConfig(b.id)};
  SLUICE_ASSIGN_OR_RETURN(pid_t pid, Spawn(argv, layout.BrokerLog(b.id)));
  SLUICE_RETURN_IF_ERROR(WritePidFile(layout.BrokerPidFile(b.id), pid));
  return pid;
}

pid_t PidOf(const std::string& pid_file) {
  Result<pid_t> pid = ReadPidFile(pid_file);
  return pid.ok() ? *pid : -1;
}

// Waits until every ZooKeeper server answers `srvr` with a mode and exactly one leads.
Status WaitForZk(const ClusterLayout& layout, Clock::time_point deadline) {
  while (true) {
    int ready = 0;
    int leaders = 0;
    std::string not_ready;
    for (const ZkServerSpec& z : layout.zookeepers) {
      if (!ProcessAlive(PidOf(layout.ZkPidFile(z.id)), layout.ZkConfig(z.id))) {
        std::string why = LastErrorLine(layout.ZkLog(z.id));
        return Status::Unavailable("ZooKeeper server " + std::to_string(z.id) +
                                   " exited during start" + (why.empty() ? "" : ": " + why) +
                                   " (see " + layout.ZkLog(z.id) + ")");
      }
      std::string mode = ParseZkMode(FourLetterWord(z.client_port, "srvr"));
      if (mode == "leader" || mode == "standalone") ++leaders;
      if (!mode.empty()) ++ready;
      else not_ready = std::to_string(z.id);
    }
    if (ready == static_cast<int>(layout.zookeepers.size()) && leaders == 1) return Status::Ok();
    if (g_interrupted) return Status::Unavailable("interrupted while ZooKeeper was starting");
    if (Clock::now() > deadline) {
      std::string who = not_ready.empty() ? "1" : not_ready;
      return Status::TimedOut("ZooKeeper ensemble did not elect a leader in time (server " + who +
                              " not serving; see " + layout.ZkLog(std::stoi(who)) + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// Waits until `ids` are all registered in /brokers/ids and /controller exists; fails early if
// one of their processes exits.
Status WaitForBrokers(const ClusterLayout& layout, const std::vector<int>& ids,
                      Clock::time_point deadline) {
  std::string missing;
  while (true) {
    if (g_interrupted) return Status::Unavailable("interrupted while brokers were starting");
    for (int id : ids) {
      if (!ProcessAlive(PidOf(layout.BrokerPidFile(id)), layout.BrokerConfig(id))) {
        std::string why = LastErrorLine(layout.BrokerLog(id));
        return Status::Unavailable("broker " + std::to_string(id) + " exited during start" +
                                   (why.empty() ? "" : ": " + why) + " (see " +
                                   layout.BrokerLog(id) + ")");
      }
    }
    Result<ZkClusterView> view = ReadZkView(layout.ZkConnect(), std::chrono::seconds(2), false);
    if (view.ok()) {
      std::set<int> registered;
      for (const ZkBroker& b : view->brokers) registered.insert(b.id);
      missing.clear();
      int first_missing = 0;
      for (int id : ids) {
        if (registered.count(id) == 0) {
          if (!missing.empty()) missing += ",";
          missing += std::to_string(id);
          if (first_missing == 0) first_missing = id;
        }
      }
      if (missing.empty() && view->controller.has_value()) return Status::Ok();
      if (Clock::now() > deadline) {
        if (!missing.empty()) {
          return Status::TimedOut("broker(s) " + missing + " not registered in /brokers/ids in " +
                                  "time (see " + layout.BrokerLog(first_missing) + ")");
        }
        return Status::TimedOut("no controller elected in time (/controller missing; see " +
                                layout.BrokerLog(ids.front()) + ")");
      }
    } else if (Clock::now() > deadline) {
      return Status::TimedOut("ZooKeeper not reachable while waiting for brokers: " +
                              view.status().message());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

std::string ClusterLayout::ZkConnect() const {
  std::string s;
  for (const ZkServerSpec& z : zookeepers) {
    if (!s.empty()) s += ",";
    s += "127.0.0.1:" + std::to_string(z.client_port);
  }
  return s;
}

std::string ClusterLayout::Bootstrap() const {
  std::string s;
  for (const BrokerSpec& b : brokers) {
    if (!s.empty()) s += ",";
    s += "127.0.0.1:" + std::to_string(b.port);
  }
  return s;
}

std::string ClusterLayout::DashboardUrl() const {
  if (brokers.empty()) return "";
  return "http://127.0.0.1:" + std::to_string(brokers.front().http_port) + "/";
}

const BrokerSpec* ClusterLayout::FindBroker(int id) const {
  for (const BrokerSpec& b : brokers) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

nlohmann::json ClusterLayout::ToJson() const {
  nlohmann::json j;
  j["dir"] = dir;
  j["java"] = java;
  j["zk_classpath"] = zk_classpath;
  j["sluiced"] = sluiced;
  j["zookeepers"] = nlohmann::json::array();
  for (const ZkServerSpec& z : zookeepers) {
    j["zookeepers"].push_back({{"id", z.id},
                               {"client_port", z.client_port},
                               {"quorum_port", z.quorum_port},
                               {"election_port", z.election_port}});
  }
  j["brokers"] = nlohmann::json::array();
  for (const BrokerSpec& b : brokers) {
    j["brokers"].push_back({{"id", b.id}, {"port", b.port}, {"http_port", b.http_port}});
  }
  j["zookeeper_connect"] = ZkConnect();
  j["bootstrap"] = Bootstrap();
  return j;
}

Result<ClusterLayout> ClusterLayout::FromJson(const nlohmann::json& j) {
  try {
    ClusterLayout l;
    l.dir = j.at("dir").get<std::string>();
    l.java = j.at("java").get<std::string>();
    l.zk_classpath = j.at("zk_classpath").get<std::string>();
    l.sluiced = j.at("sluiced").get<std::string>();
    for (const auto& z : j.at("zookeepers")) {
      l.zookeepers.push_back({z.at("id").get<int>(), z.at("client_port").get<int>(),
                              z.at("quorum_port").get<int>(), z.at("election_port").get<int>()});
    }
    for (const auto& b : j.at("brokers")) {
      l.brokers.push_back({b.at("id").get<int>(), b.at("port").get<int>(),
                           b.at("http_port").get<int>()});
    }
    return l;
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("bad cluster.json: ") + e.what());
  }
}

Result<ClusterLayout> ClusterLayout::Load(const std::string& dir) {
  std::string path = dir + "/cluster.json";
  std::ifstream f(path);
  if (!f) {
    return Status::NotFound("no cluster under " + dir + " (" + path +
                            " missing; start one with 'sluice cluster up --dir " + dir + "')");
  }
  nlohmann::json j = nlohmann::json::parse(f, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(path + " is not valid JSON");
  return FromJson(j);
}

std::string ZooCfg(const ClusterLayout& layout, const ZkServerSpec& server) {
  std::ostringstream o;
  // tickTime 500 ms: sessions from 1 s to 60 s are accepted (the brokers ask for 6 s), and a lost
  // ZooKeeper leader is replaced in about syncLimit x tickTime = 2.5 s.
  o << "tickTime=500\n"
    << "initLimit=20\n"
    << "syncLimit=5\n"
    << "maxSessionTimeout=60000\n"
    << "dataDir=" << layout.ZkDir(server.id) << "/data\n"
    << "clientPort=" << server.client_port << "\n"
    << "clientPortAddress=127.0.0.1\n"
    << "4lw.commands.whitelist=*\n"
    << "admin.enableServer=false\n"
    << "autopurge.purgeInterval=0\n";
  if (layout.zookeepers.size() > 1) {
    for (const ZkServerSpec& z : layout.zookeepers) {
      o << "server." << z.id << "=127.0.0.1:" << z.quorum_port << ":" << z.election_port << "\n";
    }
  }
  return o.str();
}

std::string ServerProperties(const ClusterLayout& layout, const BrokerSpec& broker) {
  int rf = std::min<int>(3, static_cast<int>(layout.brokers.size()));
  std::ostringstream o;
  o << "# written by sluice cluster up\n"
    << "broker.id=" << broker.id << "\n"
    << "listeners=PLAINTEXT://127.0.0.1:" << broker.port << "\n"
    << "advertised.listeners=PLAINTEXT://127.0.0.1:" << broker.port << "\n"
    << "http.listener=127.0.0.1:" << broker.http_port << "\n"
    << "log.dirs=" << layout.BrokerDir(broker.id) << "/data\n"
    << "zookeeper.connect=" << layout.ZkConnect() << "\n"
    << "zookeeper.session.timeout.ms=6000\n"
    << "num.partitions=1\n"
    << "default.replication.factor=" << rf << "\n"
    << "offsets.topic.replication.factor=" << rf << "\n"
    << "min.insync.replicas=1\n"
    << "unclean.leader.election.enable=false\n"
    << "auto.create.topics.enable=true\n";
  return o.str();
}

Result<ClusterLayout> ClusterUp(const UpOptions& options, std::ostream& progress) {
  if (options.brokers < 1 || options.brokers > 32) {
    return Status::InvalidArgument("--brokers must be 1..32, got " +
                                   std::to_string(options.brokers));
  }
  if (options.zookeepers < 1 || options.zookeepers > 9) {
    return Status::InvalidArgument("--zookeepers must be 1..9, got " +
                                   std::to_string(options.zookeepers));
  }
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Status::IoError("cannot create " + options.dir + ": " + ec.message());
  ClusterLayout layout;
  layout.dir = fs::canonical(options.dir, ec).string();
  if (ec) return Status::IoError("cannot resolve " + options.dir + ": " + ec.message());

  // Refuse to start over a running cluster; otherwise start from clean state.
  if (Result<ClusterLayout> old = ClusterLayout::Load(layout.dir); old.ok()) {
    for (const ProcessState& p : ProcessStates(*old)) {
      if (p.alive) {
        return Status::AlreadyExists("a cluster is already running under " + layout.dir + " (" +
                                     p.kind + " " + std::to_string(p.id) + " pid " +
                                     std::to_string(p.pid) + "); run 'sluice cluster down --dir " +
                                     layout.dir + "' first");
      }
    }
  }
  for (const auto& entry : fs::directory_iterator(layout.dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("zk", 0) == 0 || name.rfind("broker", 0) == 0 || name == "pids" ||
        name == "cluster.json" || name == "bootstrap") {
      fs::remove_all(entry.path(), ec);
    }
  }

  SLUICE_ASSIGN_OR_RETURN(layout.sluiced, FindSluiced(options.sluiced));
  SLUICE_ASSIGN_OR_RETURN(layout.java, FindJava(options.java));
  SLUICE_ASSIGN_OR_RETURN(layout.zk_classpath, ZkClasspath());

  // Ports: OS-assigned unless a base was given; every one checked free before anything starts.
  int nz = options.zookeepers;
  int nb = options.brokers;
  SLUICE_ASSIGN_OR_RETURN(std::vector<int> ports, FreePorts(3 * nz + 2 * nb));
  struct Claim {
    int port;
    std::string what;
  };
  std::vector<Claim> claims;
  size_t next = 0;
  for (int i = 1; i <= nz; ++i) {
    ZkServerSpec z;
    z.id = i;
    z.client_port = options.zookeeper_port > 0 ? options.zookeeper_port + i - 1 : ports[next];
    z.quorum_port = ports[next + 1];
    z.election_port = ports[next + 2];
    next += 3;
    layout.zookeepers.push_back(z);
    claims.push_back({z.client_port, "ZooKeeper " + std::to_string(i) + " client port"});
    if (nz > 1) {
      claims.push_back({z.quorum_port, "ZooKeeper " + std::to_string(i) + " quorum port"});
      claims.push_back({z.election_port, "ZooKeeper " + std::to_string(i) + " election port"});
    }
  }
  for (int i = 1; i <= nb; ++i) {
    BrokerSpec b;
    b.id = i;
    b.port = options.broker_port > 0 ? options.broker_port + i - 1 : ports[next];
    b.http_port = ports[next + 1];
    next += 2;
    layout.brokers.push_back(b);
    claims.push_back({b.port, "broker " + std::to_string(i) + " listener"});
    claims.push_back({b.http_port, "broker " + std::to_string(i) + " http.listener"});
  }
  std::set<int> seen;
  for (const Claim& c : claims) {
    if (c.port <= 0 || c.port > 65535) {
      return Status::InvalidArgument("port " + std::to_string(c.port) + " out of range (" +
                                     c.what + ")");
    }
    if (!seen.insert(c.port).second || !PortFree(c.port)) {
      return Status::Unavailable("port 127.0.0.1:" + std::to_string(c.port) + " is taken (" +
                                 c.what + ")");
    }
  }

  // Configs and the layout file.
  fs::create_directories(layout.dir + "/pids", ec);
  for (const ZkServerSpec& z : layout.zookeepers) {
    fs::create_directories(layout.ZkDir(z.id) + "/data", ec);
    SLUICE_RETURN_IF_ERROR(WriteFile(layout.ZkDir(z.id) + "/data/myid", std::to_string(z.id) + "\n"));
    SLUICE_RETURN_IF_ERROR(WriteFile(layout.ZkConfig(z.id), ZooCfg(layout, z)));
  }
  for (const BrokerSpec& b : layout.brokers) {
    fs::create_directories(layout.BrokerDir(b.id) + "/data", ec);
    SLUICE_RETURN_IF_ERROR(WriteFile(layout.BrokerConfig(b.id), ServerProperties(layout, b)));
  }
  SLUICE_RETURN_IF_ERROR(WriteFile(layout.dir + "/cluster.json", layout.ToJson().dump(2) + "\n"));

  auto fail = [&](Status s) -> Status {
    progress << "sluice: start failed, stopping what was started\n";
    (void)ClusterDown(layout, std::chrono::seconds(5));
    return s;
  };
  auto deadline = Clock::now() + options.timeout;
  g_interrupted = 0;
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);

  progress << "sluice: starting " << nz << " ZooKeeper server(s) under " << layout.dir << "\n";
  for (const ZkServerSpec& z : layout.zookeepers) {
    Result<pid_t> pid = StartZk(layout, z);
    if (!pid.ok()) return fail(pid.status());
  }
  if (Status s = WaitForZk(layout, std::min(deadline, Clock::now() + std::chrono::seconds(60)));
      !s.ok()) {
    return fail(s);
  }
  progress << "sluice: ZooKeeper up at " << layout.ZkConnect() << "; starting " << nb
           << " broker(s)\n";
  std::vector<int> ids;
  for (const BrokerSpec& b : layout.brokers) {
    Result<pid_t> pid = SpawnBroker(layout, b);
    if (!pid.ok()) return fail(pid.status());
    ids.push_back(b.id);
  }
  if (Status s = WaitForBrokers(layout, ids, deadline); !s.ok()) return fail(s);
  SLUICE_RETURN_IF_ERROR(WriteFile(layout.dir + "/bootstrap", layout.Bootstrap() + "\n"));
  return layout;
}

std::vector<ProcessState> ProcessStates(const ClusterLayout& layout) {
  std::vector<ProcessState> out;
  for (const ZkServerSpec& z : layout.zookeepers) {
    pid_t pid = PidOf(layout.ZkPidFile(z.id));
    out.push_back({"zookeeper", z.id, pid, ProcessAlive(pid, layout.ZkConfig(z.id))});
  }
  for (const BrokerSpec& b : layout.brokers) {
    pid_t pid = PidOf(layout.BrokerPidFile(b.id));
    out.push_back({"broker", b.id, pid, ProcessAlive(pid, layout.BrokerConfig(b.id))});
  }
  return out;
}

std::vector<StopReport> ClusterDown(const ClusterLayout& layout, std::chrono::milliseconds grace) {
  struct Target {
    std::string kind;
    int id;
    std::string pid_file;
    std::string marker;
  };
  std::vector<Target> brokers;
  std::vector<Target> zks;
  for (const BrokerSpec& b : layout.brokers) {
    brokers.push_back({"broker", b.id, layout.BrokerPidFile(b.id), layout.BrokerConfig(b.id)});
  }
  for (const ZkServerSpec& z : layout.zookeepers) {
    zks.push_back({"zookeeper", z.id, layout.ZkPidFile(z.id), layout.ZkConfig(z.id)});
  }
  std::vector<StopReport> reports;
  // Each phase stops its processes in parallel (controlled shutdowns overlap).
  for (const std::vector<Target>* phase : {&brokers, &zks}) {
    std::vector<StopReport> phase_reports(phase->size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < phase->size(); ++i) {
      threads.emplace_back([&, i] {
        const Target& t = (*phase)[i];
        StopReport& r = phase_reports[i];
        r.kind = t.kind;
        r.id = t.id;
        r.pid = PidOf(t.pid_file);
        if (r.pid <= 0) {
          r.outcome = "no pid recorded";
          return;
        }
        StopHow how = StopProcess(r.pid, t.marker, grace);
        r.outcome = StopHowName(how);
        r.ok = how != StopHow::kFailed;
        if (r.ok) unlink(t.pid_file.c_str());
      });
    }
    for (std::thread& t : threads) t.join();
    for (StopReport& r : phase_reports) reports.push_back(std::move(r));
  }
  return reports;
}

Result<StopReport> StopBroker(const ClusterLayout& layout, int id, bool kill9,
                              std::chrono::milliseconds grace) {
  if (layout.FindBroker(id) == nullptr) {
    return Status::InvalidArgument("no broker " + std::to_string(id) + " in " + layout.dir);
  }
  StopReport r{"broker", id, PidOf(layout.BrokerPidFile(id)), "", true};
  StopHow how = StopProcess(r.pid, layout.BrokerConfig(id), grace, kill9);
  r.outcome = StopHowName(how);
  r.ok = how != StopHow::kFailed;
  if (how == StopHow::kFailed) {
    return Status::IoError("broker " + std::to_string(id) + " (pid " + std::to_string(r.pid) +
                           ") " + r.outcome);
  }
  return r;
}

Result<pid_t> StartBroker(const ClusterLayout& layout, int id, std::chrono::seconds timeout) {
  const BrokerSpec* b = layout.FindBroker(id);
  if (b == nullptr) {
    return Status::InvalidArgument("no broker " + std::to_string(id) + " in " + layout.dir);
  }
  pid_t old = PidOf(layout.BrokerPidFile(id));
  if (ProcessAlive(old, layout.BrokerConfig(id))) {
    return Status::AlreadyExists("broker " + std::to_string(id) + " is already running (pid " +
                                 std::to_string(old) + ")");
  }
  // A kill -9'd broker's registration lingers until its session expires: wait for a NEW one.
  Result<int64_t> before = BrokerRegistrationZxid(layout.ZkConnect(), id, std::chrono::seconds(5));
  SLUICE_ASSIGN_OR_RETURN(pid_t pid, SpawnBroker(layout, *b));
  if (timeout.count() == 0) return pid;
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (!ProcessAlive(pid, layout.BrokerConfig(id))) {
      std::string why = LastErrorLine(layout.BrokerLog(id));
      return Status::Unavailable("broker " + std::to_string(id) + " exited during start" +
                                 (why.empty() ? "" : ": " + why) + " (see " +
                                 layout.BrokerLog(id) + ")");
    }
    Result<int64_t> now = BrokerRegistrationZxid(layout.ZkConnect(), id, std::chrono::seconds(2));
    if (now.ok() && *now >= 0 && (!before.ok() || *now != *before)) return pid;
    if (Clock::now() > deadline) {
      return Status::TimedOut("broker " + std::to_string(id) + " (pid " + std::to_string(pid) +
                              ") not registered in /brokers/ids in time (see " +
                              layout.BrokerLog(id) + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace sluice::client
