#include "broker/broker.h"

#include <glog/logging.h>

#include <thread>

#include "broker/admin_client.h"
#include "broker/controlled_shutdown.h"
#include "broker/controller_channel.h"
#include "broker/inter_broker.h"
#include "broker/isr_manager.h"
#include "broker/remote_controller_channel.h"
#include "broker/replica_fetcher.h"
#include "broker/dispatcher.h"
#include "broker/event_loop.h"
#include "broker/group/group_coordinator.h"
#include "broker/group/replica_offsets_log.h"
#include "broker/http/admin_api.h"
#include "broker/http/http_server.h"
#include "broker/metrics/broker_gauges.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/metrics/group_lag.h"
#include "broker/metadata_cache.h"
#include "broker/purgatory.h"
#include "broker/replica_manager.h"
#include "broker/request_context.h"
#include "broker/server.h"
#include "broker/zk_admin.h"
#include "common/clock.h"
#include "coordinator/broker_registration.h"
#include "coordinator/config_watcher.h"
#include "coordinator/znodes.h"
#include "coordinator/controller.h"
#include "coordinator/zk_session.h"
#include "storage/log_cleaner.h"
#include "storage/log_manager.h"

namespace sluice::broker {

namespace {
constexpr int64_t kCheckpointIntervalMs = 5000;
// Group coordinator housekeeping: leadership of __consumer_offsets, sessions, join phases.
constexpr int64_t kGroupTickMs = 100;
// SIGTERM: leadership must move away within this, then the broker stops regardless.
constexpr int64_t kControlledShutdownTimeoutMs = 9000;

class ManagedLogStore : public LogStore {
 public:
  // `on_open(topic)`: a partition log was handed out; the topic's overrides are (re)read.
  ManagedLogStore(storage::LogManager* logs, std::function<void(const std::string&)> on_open)
      : logs_(logs), on_open_(std::move(on_open)) {}
  // Configured per topic by the LogManager (broker defaults + /config/topics overrides).
  Result<storage::Log*> GetOrCreateLog(const TopicPartition& tp,
                                       const storage::LogConfig& /*defaults*/) override {
    Result<storage::Log*> log = logs_->GetOrCreateLog(tp);
    if (log.ok() && on_open_) on_open_(tp.topic);
    return log;
  }
  Status DeleteLog(const TopicPartition& tp) override {
    Status s = logs_->DeleteLog(tp);
    return s.code() == Errc::kNotFound ? Status::Ok() : s;
  }

 private:
  storage::LogManager* logs_;
  std::function<void(const std::string&)> on_open_;
};
}  // namespace

struct Broker::Impl {
  explicit Impl(Config c) : config(std::move(c)) {}

  Config config;
  EventLoop loop;
  MetadataCache metadata;
  std::unique_ptr<storage::LogManager> log_manager;
  std::unique_ptr<ManagedLogStore> log_store;
  std::unique_ptr<ReplicaManager> replicas;
  Purgatory produce_purgatory{&loop};
  Purgatory fetch_purgatory{&loop};
  BrokerContext ctx;
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<Server> server;

  std::unique_ptr<ControllerRequestApplier> applier;
  std::unique_ptr<BrokerClientPool> broker_clients;
  std::unique_ptr<RemoteControllerChannel> remote_sender;
  std::unique_ptr<ReplicaFetcherManager> fetchers;
  std::unique_ptr<ControlledShutdown> controlled_shutdown;
  std::unique_ptr<IsrManager> isr_manager;
  InterBrokerServices inter_broker;
  int64_t broker_epoch = -1;
  std::unique_ptr<BrokerChannel> channel;
  std::unique_ptr<coordinator::ZkSession> zk;
  std::unique_ptr<coordinator::BrokerRegistration> registration;
  std::unique_ptr<coordinator::Controller> controller;
  std::unique_ptr<ZkAdminClient> admin;
  std::unique_ptr<coordinator::ConfigWatcher> config_watcher;  // topic config changes -> logs
  std::unique_ptr<storage::LogCleaner> log_cleaner;  // compaction, on its own thread
  std::unique_ptr<Timer> log_cleaner_timer;

  BrokerMetrics metrics;
  GaugeSources gauge_sources;  // what /metrics and /api/... read; coordinator parts set later
  std::unique_ptr<AdminApi> http_api;
  std::unique_ptr<HttpServer> http;  // http.listener; null when not configured

  std::unique_ptr<Timer> checkpoint_timer;
  // The flush + checkpoint files of one Checkpoint() tick, synced off the loop (fdatasync of
  // every segment can take hundreds of ms on a busy disk: the loop must keep serving produce,
  // fetch and replication meanwhile). At most one in flight; joined in Stop().
  std::thread checkpoint_thread;
  bool checkpoint_in_flight = false;
  ~Impl() {
    if (checkpoint_thread.joinable()) checkpoint_thread.join();
  }
  std::unique_ptr<Timer> retention_timer;
  // Consumer groups: after the purgatories, so destroyed before them.
  std::unique_ptr<ReplicaOffsetsLog> offsets_log;
  std::unique_ptr<GroupCoordinator> groups;
  std::unique_ptr<Timer> group_timer;
  bool stopping = false;
  bool shutting_down = false;

  Status Start();
  void StartCoordinator();
  void Checkpoint();
  void StartLogCleaner();
  void ReadTopicLogConfig(const std::string& topic);
  void Stop();
  void BeginShutdown();
  void StopAfterControllerRequests(int64_t deadline_ms);
  std::unique_ptr<Timer> drain_timer;  // StopAfterControllerRequests' next look
};

Status Broker::Impl::Start() {
  log_manager = std::make_unique<storage::LogManager>(config.log_dirs, LogConfigFrom(config));
  SLUICE_RETURN_IF_ERROR(log_manager->Open());
  log_store = std::make_unique<ManagedLogStore>(
      log_manager.get(), [this](const std::string& topic) { ReadTopicLogConfig(topic); });
  StartLogCleaner();
  replicas = std::make_unique<ReplicaManager>(config.broker_id, &config, log_store.get());
  replicas->set_on_append([this](const TopicPartition& tp) { fetch_purgatory.Check(tp); });
  replicas->set_on_high_watermark([this](const TopicPartition& tp) {
    produce_purgatory.Check(tp);
    fetch_purgatory.Check(tp);
  });

  ctx.config = &config;
  ctx.loop = &loop;
  ctx.metadata = &metadata;
  ctx.replicas = replicas.get();
  ctx.produce_purgatory = &produce_purgatory;
  ctx.fetch_purgatory = &fetch_purgatory;
  ctx.broker_id = config.broker_id;
  offsets_log = std::make_unique<ReplicaOffsetsLog>(replicas.get(), &produce_purgatory);
  groups = std::make_unique<GroupCoordinator>(
      GroupConfigFrom(config), offsets_log.get(), [] { return WallMillis(); },
      [this](std::function<void()> fn) { loop.Post(std::move(fn)); });
  ctx.groups = groups.get();
  group_timer = loop.RunEvery(kGroupTickMs, [this] { groups->Tick(); });
  ctx.metrics = &metrics;
  dispatcher = std::make_unique<Dispatcher>(&ctx);
  server = std::make_unique<Server>(loop.base(), dispatcher.get(), config.socket_request_max_bytes);
  SLUICE_RETURN_IF_ERROR(server->Listen(config.listener));
  // A follower's fetch connection closing (its process died) lets the ISR drop it in about half
  // a second instead of replica.lag.time.max.ms (broker/isr_manager.cc).
  server->set_on_connection_closed([this](uint64_t id) {
    if (replicas) replicas->ConnectionClosed(id, WallMillis());
  });
  ctx.advertised = config.advertised_listener;
  if (!config.advertised_explicit || ctx.advertised.port == 0) ctx.advertised.port = server->port();
  loop.OnTerminate([this] { BeginShutdown(); });

  checkpoint_timer = loop.RunEvery(kCheckpointIntervalMs, [this] { Checkpoint(); });
  retention_timer = loop.RunEvery(config.log_retention_check_interval_ms, [this] {
    auto deleted = log_manager->RunRetention(WallMillis());
    if (!deleted.ok()) {
      LOG(ERROR) << "retention_failed error=" << deleted.status();
    } else if (deleted.value() > 0) {
      LOG(INFO) << "retention_deleted_segments count=" << deleted.value();
    }
  });

  StartCoordinator();
  gauge_sources.broker_id = config.broker_id;
  gauge_sources.metadata = &metadata;
  gauge_sources.replicas = replicas.get();
  gauge_sources.produce_purgatory = &produce_purgatory;
  gauge_sources.fetch_purgatory = &fetch_purgatory;
  gauge_sources.server = server.get();
  gauge_sources.controller = controller.get();
  gauge_sources.zk = zk.get();
  gauge_sources.isr = isr_manager.get();
  if (groups != nullptr) {
    gauge_sources.group_lag = [this] { return CollectGroupLag(*groups, *replicas); };
  }
  metrics.AddCollector([this](Exposition& out) { WriteBrokerGauges(gauge_sources, out); });
  if (config.http_listener.has_value()) {
    http_api = std::make_unique<AdminApi>(&ctx, &gauge_sources, &metrics);
    http = std::make_unique<HttpServer>(&loop, http_api.get());
    SLUICE_RETURN_IF_ERROR(http->Listen(*config.http_listener));
  }
  LOG(INFO) << "broker_started broker_id=" << config.broker_id
            << " advertised=" << ctx.advertised.ToString()
            << " zookeeper=" << config.zookeeper_connect;
  return Status::Ok();
}

void Broker::Impl::StartCoordinator() {
  coordinator::ZkSessionOptions opts;
  opts.connect = config.zookeeper_connect;
  opts.session_timeout = std::chrono::milliseconds(config.zookeeper_session_timeout_ms);
  zk = std::make_unique<coordinator::ZkSession>(&loop, opts);
  zk->AddListener([this](const coordinator::SessionEvent& e) {
    switch (e.type) {
      case coordinator::SessionEventType::kConnected: metrics.RecordZkConnect(e.new_session); break;
      case coordinator::SessionEventType::kDisconnected: metrics.RecordZkDisconnect(); break;
      case coordinator::SessionEventType::kExpired: metrics.RecordZkExpire(); break;
    }
  });

  applier = std::make_unique<ControllerRequestApplier>(config.broker_id, replicas.get(), &metadata);
  broker_clients = std::make_unique<BrokerClientPool>(&loop, &metadata);
  remote_sender = std::make_unique<RemoteControllerChannel>(broker_clients.get());
  fetchers = std::make_unique<ReplicaFetcherManager>(config.broker_id, &loop, replicas.get(),
                                                     broker_clients.get());
  channel = std::make_unique<BrokerChannel>(BrokerId(config.broker_id), &loop, applier.get(),
                                            remote_sender.get());

  coordinator::BrokerInfo info;
  info.id = BrokerId(config.broker_id);
  info.endpoints.push_back(
      {"PLAINTEXT", ctx.advertised.host, ctx.advertised.port, "PLAINTEXT"});
  info.timestamp_ms = WallMillis();
  registration = std::make_unique<coordinator::BrokerRegistration>(
      zk.get(), info, [this](const coordinator::Registration& r) {
        LOG(INFO) << "broker_registered broker_id=" << r.broker_id
                  << " broker_epoch=" << r.broker_epoch << " cluster_id=" << r.cluster_id;
        metadata.set_cluster_id(r.cluster_id);
        broker_epoch = r.broker_epoch;
        inter_broker.broker_epoch = r.broker_epoch;
      });

  coordinator::ControllerOptions copts;
  copts.broker_id = BrokerId(config.broker_id);
  copts.unclean_leader_election_enable = config.unclean_leader_election_enable;
  controller = std::make_unique<coordinator::Controller>(zk.get(), channel.get(), copts);
  controller->SetOnChange([this] {
    auto active = controller->active_controller();
    metadata.set_controller_id(active.has_value() ? active->value() : -1);
    LOG(INFO) << "controller_changed controller_id=" << metadata.controller_id()
              << " self=" << controller->is_controller();
  });
  admin = std::make_unique<ZkAdminClient>(zk.get(), controller.get(), &metadata, &config);
  ctx.admin = admin.get();
  inter_broker.applier = applier.get();
  inter_broker.controller = controller.get();
  inter_broker.fetchers = fetchers.get();
  isr_manager = std::make_unique<IsrManager>(
      config.broker_id, &loop, replicas.get(), &metadata, zk.get(),
      config.replica_lag_time_max_ms, [this](const TopicPartition& tp) {
        produce_purgatory.Check(tp);
        fetch_purgatory.Check(tp);
      });
  inter_broker.isr = isr_manager.get();
  ctx.inter_broker = &inter_broker;

  config_watcher = std::make_unique<coordinator::ConfigWatcher>(
      zk.get(), [this](const std::string& topic, const coordinator::ConfigMap& overrides) {
        log_manager->SetTopicOverrides(topic, overrides);
      });
  // ConfigWatcher waits for the next session when /config/changes is missing, as it is on a
  // fresh cluster: create it first (Kafka brokers create their top-level paths at start).
  zk->AddListener([this](const coordinator::SessionEvent& e) {
    if (e.type != coordinator::SessionEventType::kConnected || !e.new_session) return;
    zk->Create("/config", "", coordinator::CreateMode::kPersistent, [this](coordinator::ZkCreated) {
      if (stopping || config_watcher == nullptr) return;
      zk->Create(coordinator::kConfigChangesPath, "", coordinator::CreateMode::kPersistent,
                 [this](coordinator::ZkCreated) {
                   if (!stopping && config_watcher != nullptr) config_watcher->Start();
                 });
    });
  });
  registration->Start();
  controller->Start();
  zk->Start();
}

// log.cleaner.*: compaction of cleanup.policy=compact logs, one at a time, off the loop.
void Broker::Impl::StartLogCleaner() {
  auto settings = storage::CleanerSettingsFromBrokerProperties(config.raw);
  if (!settings.ok()) LOG(WARNING) << "log_cleaner_config_invalid error=" << settings.status();
  storage::CleanerSettings s = settings.ok() ? settings.value() : storage::CleanerSettings{};
  if (!s.enable) return;
  storage::CleanerOptions options;
  options.io_max_bytes_per_second = s.io_max_bytes_per_second;
  log_cleaner = std::make_unique<storage::LogCleaner>(log_manager.get(), &loop, options);
  log_cleaner_timer = loop.RunEvery(s.backoff_ms, [this] { log_cleaner->MaybeClean(); });
}

// A partition's topic overrides (/config/topics/<t>), read when its log is opened; later
// changes arrive through the ConfigWatcher.
void Broker::Impl::ReadTopicLogConfig(const std::string& topic) {
  if (zk == nullptr) return;
  zk->Get(coordinator::ConfigTopicPath(topic), [this, topic](coordinator::ZkRead r) {
    if (stopping) return;
    if (r.err == coordinator::ZkErrc::kNoNode) return log_manager->SetTopicOverrides(topic, {});
    if (r.err != coordinator::ZkErrc::kOk) {
      LOG(WARNING) << "topic_config_read_failed topic=" << topic
                   << " error=" << coordinator::ZkErrcName(r.err);
      return;
    }
    Result<coordinator::ConfigMap> overrides = coordinator::ConfigEntityZNode::Decode(r.data);
    if (!overrides.ok()) {
      LOG(WARNING) << "topic_config_invalid topic=" << topic << " error=" << overrides.status();
      return;
    }
    log_manager->SetTopicOverrides(topic, overrides.value());
  });
}

void Broker::Impl::Checkpoint() {
  if (checkpoint_in_flight || stopping) return;  // the next tick catches up
  Result<storage::CheckpointJob> job = log_manager->PrepareCheckpoint();
  if (!job.ok()) {
    LOG(ERROR) << "checkpoint_failed error=" << job.status();
    return;
  }
  if (checkpoint_thread.joinable()) checkpoint_thread.join();  // finished: it posted already
  checkpoint_in_flight = true;
  auto shared = std::make_shared<storage::CheckpointJob>(std::move(job).value());
  checkpoint_thread = std::thread([this, shared] {
    Status s = shared->Run();
    loop.Post([this, shared, s] {
      checkpoint_in_flight = false;
      if (!s.ok()) {
        LOG(ERROR) << "checkpoint_failed error=" << s;
        return;
      }
      if (!stopping) log_manager->CompleteCheckpoint(*shared);
    });
  });
}

// SIGTERM: move leadership away first (controlled shutdown, bounded), then stop.
void Broker::Impl::BeginShutdown() {
  if (stopping || shutting_down) return;
  if (controller == nullptr || broker_clients == nullptr) return Stop();
  shutting_down = true;
  LOG(INFO) << "controlled_shutdown_started broker_id=" << config.broker_id;
  controlled_shutdown = std::make_unique<ControlledShutdown>(
      config.broker_id, &loop, &metadata, controller.get(), broker_clients.get());
  controlled_shutdown->Start(broker_epoch, kControlledShutdownTimeoutMs,
                             [this](bool) {
                               loop.Post([this] {
                                 StopAfterControllerRequests(SteadyMillis() + 1000);
                               });
                             });
}

// When this broker is the controller, the LeaderAndIsr that moved its leaderships away may still
// sit in the controller channel: stopping now would leave the new leaders unaware of their role
// until the next controller loads the state (~0.5 s more unavailability in the SIGTERM drill).
// Bounded: a peer that is down never answers.
void Broker::Impl::StopAfterControllerRequests(int64_t deadline_ms) {
  if (!stopping && remote_sender != nullptr && !remote_sender->Idle() &&
      SteadyMillis() < deadline_ms) {
    drain_timer = loop.RunAfter(10, [this, deadline_ms] {
      StopAfterControllerRequests(deadline_ms);
    });
    return;
  }
  Stop();
}

void Broker::Impl::Stop() {
  if (stopping) return;
  stopping = true;
  LOG(INFO) << "broker_stopping broker_id=" << config.broker_id;
  server->StopAccepting();
  http.reset();
  http_api.reset();
  gauge_sources = GaugeSources{};
  group_timer.reset();
  if (groups) groups->Shutdown();  // parked JoinGroup/SyncGroup answer NOT_COORDINATOR
  produce_purgatory.ExpireAll();
  fetch_purgatory.ExpireAll();
  server->CloseAll();
  ctx.inter_broker = nullptr;
  if (fetchers) fetchers->Stop();
  checkpoint_timer.reset();
  if (checkpoint_thread.joinable()) checkpoint_thread.join();  // before the logs close
  retention_timer.reset();
  if (controller) controller->Shutdown();
  ctx.admin = nullptr;
  admin.reset();
  controller.reset();
  registration.reset();
  isr_manager.reset();
  channel.reset();
  remote_sender.reset();
  fetchers.reset();
  config_watcher.reset();
  zk.reset();  // zookeeper_close: our ephemeral znodes go now, not after the session timeout
  log_cleaner_timer.reset();
  if (log_cleaner) log_cleaner->Stop();  // before the logs close: cancels the pass in flight
  Status s = log_manager->Close();
  if (!s.ok()) LOG(ERROR) << "log_close_failed error=" << s;
  loop.Stop();
}

Broker::Broker(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Broker::~Broker() = default;

int Broker::Run() {
  Status s = impl_->Start();
  if (!s.ok()) {
    LOG(ERROR) << "broker_start_failed error=" << s;
    return 1;
  }
  impl_->loop.Run();
  LOG(INFO) << "broker_stopped broker_id=" << impl_->config.broker_id;
  return 0;
}

void Broker::Shutdown() {
  Impl* impl = impl_.get();
  impl->loop.Post([impl] { impl->Stop(); });
}

}  // namespace sluice::broker
