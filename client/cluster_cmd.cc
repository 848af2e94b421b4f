// `sluice cluster ...`: the local cluster (local_cluster.h) and `cluster info`.
#include <map>
#include <ostream>
#include <set>

#include "client/cli.h"
#include "client/kafka.h"
#include "client/local_cluster.h"
#include "client/output.h"
#include "client/procs.h"
#include "client/zk_view.h"

namespace sluice::client {
namespace {

constexpr char kZkCli[] = "/usr/share/zookeeper/bin/zkCli.sh";

const OptionSpec kDirOption{"dir", "DIR", "cluster directory (default ./.sluice-cluster)"};

std::string Dir(const Context& ctx) { return ctx.args.Get("dir", ".sluice-cluster"); }

Result<int> BrokerIdArg(const Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(int64_t id, ParseInt(ctx.args.positionals()[0], "broker id"));
  if (id < 0 || id > 1000000) return Status::InvalidArgument("bad broker id " + std::to_string(id));
  return static_cast<int>(id);
}

Status Up(Context& ctx) {
  UpOptions o;
  SLUICE_ASSIGN_OR_RETURN(int64_t brokers, ctx.args.GetInt("brokers", 3));
  SLUICE_ASSIGN_OR_RETURN(int64_t zks, ctx.args.GetInt("zookeepers", 3));
  SLUICE_ASSIGN_OR_RETURN(int64_t broker_port, ctx.args.GetInt("broker-port", 0));
  SLUICE_ASSIGN_OR_RETURN(int64_t zk_port, ctx.args.GetInt("zookeeper-port", 0));
  SLUICE_ASSIGN_OR_RETURN(int64_t timeout, ctx.args.GetInt("timeout", 90));
  if (timeout <= 0) return Status::InvalidArgument("--timeout must be positive");
  o.brokers = static_cast<int>(brokers);
  o.zookeepers = static_cast<int>(zks);
  o.broker_port = static_cast<int>(broker_port);
  o.zookeeper_port = static_cast<int>(zk_port);
  o.timeout = std::chrono::seconds(timeout);
  o.dir = Dir(ctx);
  o.sluiced = ctx.args.Get("sluiced");
  o.java = ctx.args.Get("java");
  SLUICE_ASSIGN_OR_RETURN(ClusterLayout layout, ClusterUp(o, ctx.err));
  Result<ZkClusterView> view = ReadZkView(layout.ZkConnect(), std::chrono::seconds(5), false);
  int controller = view.ok() && view->controller ? *view->controller : -1;
  std::string zkcli = std::string(kZkCli) + " -server 127.0.0.1:" +
                      std::to_string(layout.zookeepers.front().client_port) + " ls /brokers/ids";
  if (ctx.json) {
    PrintJson(ctx.out, {{"dir", layout.dir},
                        {"bootstrap", layout.Bootstrap()},
                        {"zookeeper_connect", layout.ZkConnect()},
                        {"controller", controller},
                        {"dashboard", layout.DashboardUrl()},
                        {"zkcli", zkcli}});
    return Status::Ok();
  }
  ctx.out << "cluster up under " << layout.dir << ": " << layout.zookeepers.size()
          << " ZooKeeper server(s), " << layout.brokers.size() << " broker(s), controller "
          << controller << "\n"
          << "bootstrap servers:\n"
          << layout.Bootstrap() << "\n"
          << "zookeeper:  " << layout.ZkConnect() << "\n"
          << "inspect:    " << zkcli << "\n"
          << "dashboard:  " << layout.DashboardUrl() << "\n"
          << "stop:       sluice cluster down --dir " << layout.dir << "\n";
  return Status::Ok();
}

Status Down(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(ClusterLayout layout, ClusterLayout::Load(Dir(ctx)));
  SLUICE_ASSIGN_OR_RETURN(int64_t grace, ctx.args.GetInt("timeout", 15));
  std::vector<StopReport> reports = ClusterDown(layout, std::chrono::seconds(grace));
  bool ok = true;
  nlohmann::json arr = nlohmann::json::array();
  for (const StopReport& r : reports) {
    ok = ok && r.ok;
    arr.push_back({{"kind", r.kind}, {"id", r.id}, {"pid", r.pid}, {"outcome", r.outcome},
                   {"ok", r.ok}});
    if (!ctx.json) {
      ctx.out << r.kind << " " << r.id << " (pid " << r.pid << "): " << r.outcome << "\n";
    }
  }
  if (ctx.json) PrintJson(ctx.out, {{"dir", layout.dir}, {"processes", arr}, {"ok", ok}});
  if (!ok) return Status::IoError("some processes did not stop (see above)");
  return Status::Ok();
}

Status StatusCmd(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(ClusterLayout layout, ClusterLayout::Load(Dir(ctx)));
  std::vector<ProcessState> procs = ProcessStates(layout);
  Result<ZkClusterView> view = ReadZkView(layout.ZkConnect(), std::chrono::seconds(3));
  std::map<int, ZkBroker> registered;
  if (view.ok()) {
    for (const ZkBroker& b : view->brokers) registered[b.id] = b;
  }
  nlohmann::json doc;
  doc["dir"] = layout.dir;
  doc["bootstrap"] = layout.Bootstrap();
  doc["zookeeper_connect"] = layout.ZkConnect();
  doc["zookeepers"] = nlohmann::json::array();
  doc["brokers"] = nlohmann::json::array();
  Table zk_table({"ZOOKEEPER", "PID", "ALIVE", "PORT", "MODE"});
  Table broker_table({"BROKER", "PID", "ALIVE", "REGISTERED", "HOST:PORT", "HTTP"});
  for (const ProcessState& p : procs) {
    if (p.kind == "zookeeper") {
      const ZkServerSpec& z = layout.zookeepers[static_cast<size_t>(p.id - 1)];
      std::string mode = p.alive ? ParseZkMode(FourLetterWord(z.client_port, "srvr")) : "";
      doc["zookeepers"].push_back({{"id", p.id}, {"pid", p.pid}, {"alive", p.alive},
                                   {"port", z.client_port},
                                   {"mode", mode.empty() ? nlohmann::json() : nlohmann::json(mode)}});
      zk_table.AddRow({std::to_string(p.id), std::to_string(p.pid), p.alive ? "yes" : "no",
                       std::to_string(z.client_port), mode.empty() ? "-" : mode});
    } else {
      const BrokerSpec* b = layout.FindBroker(p.id);
      bool reg = registered.count(p.id) > 0;
      doc["brokers"].push_back({{"id", p.id}, {"pid", p.pid}, {"alive", p.alive},
                                {"registered", reg}, {"host", "127.0.0.1"}, {"port", b->port},
                                {"http_port", b->http_port}});
      broker_table.AddRow({std::to_string(p.id), std::to_string(p.pid), p.alive ? "yes" : "no",
                           reg ? "yes" : "no", "127.0.0.1:" + std::to_string(b->port),
                           std::to_string(b->http_port)});
    }
  }
  if (view.ok()) {
    doc["controller"] = view->controller ? nlohmann::json(*view->controller) : nlohmann::json();
    doc["controller_epoch"] =
        view->controller_epoch ? nlohmann::json(*view->controller_epoch) : nlohmann::json();
    doc["topics"] = view->topics.size();
    doc["partitions"] = view->partitions.size();
    doc["under_replicated_partitions"] = view->under_replicated;
    doc["offline_partitions"] = view->offline;
  } else {
    doc["controller"] = nullptr;
    doc["error"] = view.status().message();
  }
  if (ctx.json) {
    PrintJson(ctx.out, doc);
    return Status::Ok();
  }
  ctx.out << "cluster " << layout.dir << "\n\n";
  zk_table.Print(ctx.out);
  ctx.out << "\n";
  broker_table.Print(ctx.out);
  ctx.out << "\n";
  if (view.ok()) {
    ctx.out << "controller: "
            << (view->controller ? std::to_string(*view->controller) : std::string("none"))
            << " (epoch "
            << (view->controller_epoch ? std::to_string(*view->controller_epoch) : "-") << ")\n"
            << "topics: " << view->topics.size() << "  partitions: " << view->partitions.size()
            << "  under-replicated: " << view->under_replicated
            << "  offline: " << view->offline << "\n";
  } else {
    ctx.out << "zookeeper: " << view.status().message() << "\n";
  }
  return Status::Ok();
}

Status StopOne(Context& ctx, bool kill9) {
  SLUICE_ASSIGN_OR_RETURN(int id, BrokerIdArg(ctx));
  SLUICE_ASSIGN_OR_RETURN(ClusterLayout layout, ClusterLayout::Load(Dir(ctx)));
  SLUICE_ASSIGN_OR_RETURN(int64_t grace, ctx.args.GetInt("timeout", 15));
  SLUICE_ASSIGN_OR_RETURN(StopReport r, StopBroker(layout, id, kill9, std::chrono::seconds(grace)));
  if (ctx.json) {
    PrintJson(ctx.out, {{"id", r.id}, {"pid", r.pid}, {"outcome", r.outcome}});
  } else {
    ctx.out << "broker " << r.id << " (pid " << r.pid << "): " << r.outcome << "\n";
  }
  return Status::Ok();
}

Status Kill(Context& ctx) { return StopOne(ctx, true); }
Status Stop(Context& ctx) { return StopOne(ctx, false); }

Status Start(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(int id, BrokerIdArg(ctx));
  SLUICE_ASSIGN_OR_RETURN(ClusterLayout layout, ClusterLayout::Load(Dir(ctx)));
  SLUICE_ASSIGN_OR_RETURN(int64_t timeout, ctx.args.GetInt("timeout", 60));
  if (ctx.args.Has("no-wait")) timeout = 0;
  SLUICE_ASSIGN_OR_RETURN(pid_t pid, StartBroker(layout, id, std::chrono::seconds(timeout)));
  if (ctx.json) {
    PrintJson(ctx.out, {{"id", id}, {"pid", pid}, {"registered", timeout > 0}});
  } else {
    ctx.out << "broker " << id << " started (pid " << pid << ")"
            << (timeout > 0 ? ", registered" : "") << "\n";
  }
  return Status::Ok();
}

// ZooKeeper connect string for `cluster info`: --zookeeper, else the cluster under --dir.
Result<std::string> ZkConnectFor(const Context& ctx) {
  if (ctx.args.Has("zookeeper")) return ctx.args.Get("zookeeper");
  Result<ClusterLayout> layout = ClusterLayout::Load(Dir(ctx));
  if (!layout.ok()) {
    return Status::InvalidArgument("need --zookeeper HOST:PORT or a cluster --dir (" +
                                   layout.status().message() + ")");
  }
  return layout->ZkConnect();
}

Status Info(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(std::string zk_connect, ZkConnectFor(ctx));
  std::string bootstrap = ctx.Bootstrap();
  if (!ctx.args.Has("bootstrap-server") && !ctx.args.Has("zookeeper")) {
    if (Result<ClusterLayout> l = ClusterLayout::Load(Dir(ctx)); l.ok()) bootstrap = l->Bootstrap();
  }
  SLUICE_ASSIGN_OR_RETURN(ZkClusterView zk, ReadZkView(zk_connect));
  std::vector<std::string> warnings;
  nlohmann::json doc;
  doc["cluster_id"] = zk.cluster_id;
  doc["controller"] = zk.controller ? nlohmann::json(*zk.controller) : nlohmann::json();
  doc["controller_epoch"] =
      zk.controller_epoch ? nlohmann::json(*zk.controller_epoch) : nlohmann::json();
  doc["brokers"] = nlohmann::json::array();
  for (const ZkBroker& b : zk.brokers) {
    doc["brokers"].push_back({{"id", b.id}, {"host", b.host}, {"port", b.port}});
  }
  doc["topics"] = zk.topics.size();
  doc["zookeeper"] = {{"under_replicated_partitions", zk.under_replicated},
                      {"offline_partitions", zk.offline},
                      {"partitions", zk.partitions.size()}};
  // The same facts from a broker's Metadata, compared.
  Result<std::unique_ptr<KafkaClient>> client =
      KafkaClient::Create(KafkaClient::Kind::kProducer, bootstrap);
  Result<MetadataPtr> md = client.ok() ? (*client)->Metadata() : Result<MetadataPtr>(client.status());
  if (md.ok()) {
    const rd_kafka_metadata_t* m = md->get();
    std::set<int> md_brokers;
    for (int i = 0; i < m->broker_cnt; ++i) md_brokers.insert(m->brokers[i].id);
    std::set<int> zk_brokers;
    for (const ZkBroker& b : zk.brokers) zk_brokers.insert(b.id);
    if (md_brokers != zk_brokers) {
      warnings.push_back("brokers differ: ZooKeeper has " + std::to_string(zk_brokers.size()) +
                         ", Metadata has " + std::to_string(md_brokers.size()));
    }
    int urp = 0;
    int offline = 0;
    int topics = 0;
    std::map<std::pair<std::string, int>, const ZkPartition*> zk_parts;
    for (const ZkPartition& p : zk.partitions) zk_parts[{p.topic, p.partition}] = &p;
    for (int t = 0; t < m->topic_cnt; ++t) {
      const rd_kafka_metadata_topic_t& topic = m->topics[t];
      if (topic.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      ++topics;
      for (int p = 0; p < topic.partition_cnt; ++p) {
        const rd_kafka_metadata_partition_t& part = topic.partitions[p];
        if (part.leader < 0) ++offline;
        if (part.isr_cnt < part.replica_cnt) ++urp;
        auto it = zk_parts.find({topic.topic, part.id});
        if (it != zk_parts.end() && it->second->leader != part.leader) {
          warnings.push_back(std::string(topic.topic) + "-" + std::to_string(part.id) +
                             ": leader " + std::to_string(it->second->leader) +
                             " in ZooKeeper, " + std::to_string(part.leader) + " in Metadata");
        }
      }
    }
    if (topics != static_cast<int>(zk.topics.size())) {
      warnings.push_back("topic count differs: ZooKeeper " + std::to_string(zk.topics.size()) +
                         ", Metadata " + std::to_string(topics));
    }
    if (urp != zk.under_replicated) {
      warnings.push_back("under-replicated partitions differ: ZooKeeper " +
                         std::to_string(zk.under_replicated) + ", Metadata " +
                         std::to_string(urp));
    }
    if (offline != zk.offline) {
      warnings.push_back("offline partitions differ: ZooKeeper " + std::to_string(zk.offline) +
                         ", Metadata " + std::to_string(offline));
    }
    doc["metadata"] = {{"bootstrap", bootstrap},
                       {"brokers", md_brokers.size()},
                       {"topics", topics},
                       {"under_replicated_partitions", urp},
                       {"offline_partitions", offline}};
  } else {
    warnings.push_back("Metadata unavailable: " + md.status().message());
    doc["metadata"] = nullptr;
  }
  doc["warnings"] = warnings;
  if (ctx.json) {
    PrintJson(ctx.out, doc);
    return Status::Ok();
  }
  ctx.out << "cluster id:  " << (zk.cluster_id.empty() ? "-" : zk.cluster_id) << "\n"
          << "controller:  " << (zk.controller ? std::to_string(*zk.controller) : "none")
          << " (epoch " << (zk.controller_epoch ? std::to_string(*zk.controller_epoch) : "-")
          << ")\n"
          << "topics:      " << zk.topics.size() << "  partitions: " << zk.partitions.size()
          << "\n"
          << "zookeeper:   under-replicated " << zk.under_replicated << ", offline "
          << zk.offline << "\n";
  if (md.ok()) {
    ctx.out << "metadata:    under-replicated " << doc["metadata"]["under_replicated_partitions"]
            << ", offline " << doc["metadata"]["offline_partitions"] << " (from " << bootstrap
            << ")\n";
  }
  ctx.out << "\n";
  Table t({"BROKER", "HOST:PORT", "CONTROLLER"});
  for (const ZkBroker& b : zk.brokers) {
    t.AddRow({std::to_string(b.id), b.host + ":" + std::to_string(b.port),
              zk.controller && *zk.controller == b.id ? "*" : ""});
  }
  t.Print(ctx.out);
  for (const std::string& w : warnings) ctx.out << "warning: " << w << "\n";
  return Status::Ok();
}

}  // namespace

std::vector<CommandSpec> ClusterCommands() {
  OptionSpec grace{"timeout", "SECONDS", "SIGTERM grace before SIGKILL (default 15)"};
  return {
      {"cluster up", "", 0, 0,
       "Start a local cluster: ZooKeeper ensemble and sluiced brokers on free loopback ports.",
       {{"brokers", "N", "number of brokers (default 3)"},
        {"zookeepers", "N", "number of ZooKeeper servers (default 3)"},
        kDirOption,
        {"sluiced", "PATH", "broker binary (default: ../broker/sluiced next to sluice, then PATH)"},
        {"java", "PATH", "java for ZooKeeper (default: $JAVA, then java on PATH)"},
        {"broker-port", "PORT", "first broker's port (default: OS-assigned)"},
        {"zookeeper-port", "PORT", "first ZooKeeper client port (default: OS-assigned)"},
        {"timeout", "SECONDS", "give up after this long (default 90)"}},
       Up,
       "Prints the bootstrap list on a line of its own. PIDs are recorded under DIR/pids; stop\n"
       "everything with 'sluice cluster down --dir DIR'."},
      {"cluster down", "", 0, 0, "Stop every process recorded under DIR (by PID).",
       {kDirOption, grace}, Down, ""},
      {"cluster status", "", 0, 0,
       "Processes, ZooKeeper modes, controller, brokers, under-replicated/offline partitions.",
       {kDirOption}, StatusCmd, ""},
      {"cluster kill", "BROKER_ID", 1, 1, "kill -9 one broker (drills).", {kDirOption}, Kill, ""},
      {"cluster stop", "BROKER_ID", 1, 1, "SIGTERM one broker (controlled shutdown).",
       {kDirOption, grace}, Stop, ""},
      {"cluster start", "BROKER_ID", 1, 1,
       "Restart a stopped broker with its recorded config and wait until it registers.",
       {kDirOption,
        {"timeout", "SECONDS", "wait for registration this long (default 60)"},
        {"no-wait", "", "do not wait for registration"}},
       Start, ""},
      {"cluster info", "", 0, 0,
       "Brokers, controller and epoch, topics, URP/offline from ZooKeeper and from Metadata.",
       {kDirOption, {"zookeeper", "HOST:PORT[,...]", "ZooKeeper to read (default: from --dir)"}},
       Info, ""},
  };
}

}  // namespace sluice::client
