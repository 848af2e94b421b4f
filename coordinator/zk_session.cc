#include "coordinator/zk_session.h"

#include <glog/logging.h>
#include <zookeeper/zookeeper.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "common/clock.h"

namespace sluice::coordinator {

namespace {

ZkStat CopyStat(const Stat* s) {
  ZkStat out;
  if (s == nullptr) return out;
  out.czxid = s->czxid;
  out.mzxid = s->mzxid;
  out.ctime = s->ctime;
  out.mtime = s->mtime;
  out.version = s->version;
  out.cversion = s->cversion;
  out.ephemeral_owner = s->ephemeralOwner;
  out.num_children = s->numChildren;
  return out;
}

int CreateFlags(CreateMode mode) {
  switch (mode) {
    case CreateMode::kPersistent: return ZOO_PERSISTENT;
    case CreateMode::kEphemeral: return ZOO_EPHEMERAL;
    case CreateMode::kPersistentSequential: return ZOO_PERSISTENT_SEQUENTIAL;
  }
  return ZOO_PERSISTENT;
}

WatchEventType EventType(int type) {
  if (type == ZOO_CREATED_EVENT) return WatchEventType::kCreated;
  if (type == ZOO_DELETED_EVENT) return WatchEventType::kDeleted;
  if (type == ZOO_CHANGED_EVENT) return WatchEventType::kChanged;
  if (type == ZOO_CHILD_EVENT) return WatchEventType::kChild;
  if (type == ZOO_NOTWATCHING_EVENT) return WatchEventType::kNotWatching;
  return WatchEventType::kSession;
}

void ZkClientLog(const char* message) {
  // zookeeper_mt repeats connect failures many times a second; our own
  // zookeeper_unreachable line is the one operators see.
  VLOG(1) << "zk_client " << message;
}

std::once_flag g_log_level_once;

}  // namespace

// Base of every call handed to zookeeper_mt as completion data; registered with its Core.
struct PendingCall {
  explicit PendingCall(ZkSession::Core* c);
  virtual ~PendingCall();
  ZkSession::Core* core;
};

struct ZkSession::Core : std::enable_shared_from_this<Core> {
  Executor* loop = nullptr;
  ZkSessionOptions options;
  std::string hosts;
  std::string chroot;

  // Loop thread only.
  bool destroyed = false;
  bool chroot_ready = false;
  zhandle_t* zh = nullptr;
  uint64_t generation = 0;
  bool is_connected = false;
  bool connected_once = false;  // this zhandle has connected at least once
  int64_t session_id = 0;
  int64_t handle_started_ms = 0;
  int64_t disconnected_since_ms = 0;
  int64_t last_warn_ms = 0;
  std::chrono::milliseconds negotiated{0};
  std::multimap<int64_t, std::function<void()>> timers;  // due (steady ms) -> task
  std::vector<std::pair<int, std::function<void(const SessionEvent&)>>> listeners;
  int next_listener_id = 1;

  // Shared with ZooKeeper threads.
  std::atomic<uint64_t> current_generation{0};
  std::mutex pending_mu;
  std::unordered_set<PendingCall*> pending;  // calls whose completion has not run yet
  std::mutex watch_mu;
  std::unordered_map<uint64_t, std::pair<uint64_t, WatchFn>> watches;  // id -> (generation, fn)
  uint64_t next_watch_id = 1;

  // Watchdog: posts Tick() to the loop periodically.
  std::thread watchdog;
  std::mutex wd_mu;
  std::condition_variable wd_cv;
  bool wd_stop = false;

  // Any thread. Runs `task` on the loop unless the session was destroyed meanwhile.
  void PostToLoop(std::function<void()> task) {
    loop->Post([self = shared_from_this(), task = std::move(task)]() {
      if (self->destroyed) return;
      task();
    });
  }

  void Notify(SessionEvent event) {
    // A listener may add or remove listeners: look each one up again before calling it.
    std::vector<int> ids;
    for (auto& entry : listeners) ids.push_back(entry.first);
    for (int id : ids) {
      std::function<void(const SessionEvent&)> fn;
      for (auto& entry : listeners) {
        if (entry.first == id) fn = entry.second;
      }
      if (fn) fn(event);
    }
  }

  void Connect();
  void CloseHandle();
  void OnState(int state);
  void HandleExpired(bool local);
  void Tick();
  void EnsureChrootThenReconnect();

  uint64_t AddWatch(WatchFn fn) {
    std::lock_guard<std::mutex> lock(watch_mu);
    uint64_t id = next_watch_id++;
    watches.emplace(id, std::make_pair(generation, std::move(fn)));
    return id;
  }
};

PendingCall::PendingCall(ZkSession::Core* c) : core(c) {
  std::lock_guard<std::mutex> lock(core->pending_mu);
  core->pending.insert(this);
}

PendingCall::~PendingCall() {
  std::lock_guard<std::mutex> lock(core->pending_mu);
  core->pending.erase(this);
}

namespace {

using Core = ZkSession::Core;

void GlobalWatcher(zhandle_t*, int type, int state, const char*, void* ctx) noexcept {
  // ctx is the Core; it outlives the zhandle (closed before the Core is released).
  auto* core = static_cast<Core*>(ctx);
  if (type != ZOO_SESSION_EVENT) return;
  uint64_t gen = core->current_generation.load();
  core->PostToLoop([core, gen, state] {
    if (gen != core->generation) return;
    core->OnState(state);
  });
}

void PathWatcher(zhandle_t* zh, int type, int, const char* path, void* ctx) noexcept {
  // Session events reach every watcher; only node events fire (and consume) a watch.
  if (type == ZOO_SESSION_EVENT) return;
  auto* core = static_cast<Core*>(const_cast<void*>(zoo_get_context(zh)));
  if (core == nullptr) return;
  const uint64_t id = reinterpret_cast<uintptr_t>(ctx);
  WatchFn fn;
  {
    std::lock_guard<std::mutex> lock(core->watch_mu);
    auto it = core->watches.find(id);
    if (it == core->watches.end()) return;
    fn = std::move(it->second.second);
    core->watches.erase(it);
  }
  WatchEvent event{EventType(type), path != nullptr ? std::string(path) : std::string()};
  core->PostToLoop([fn = std::move(fn), event = std::move(event)] {
    if (fn) fn(event);
  });
}

// A pending call. Holds the Core by raw pointer: the Core outlives its zhandle (zookeeper_close
// runs every completion it still knows before it returns). zookeeper_mt has been seen to drop an
// in-flight multi's completion on close, so CloseHandle() frees whatever is left.
template <typename R>
struct Call : PendingCall {
  Call(Core* c, std::function<void(R)> d) : PendingCall(c), done(std::move(d)) {}
  std::function<void(R)> done;
};

template <typename R>
void Finish(std::unique_ptr<Call<R>> call, R result) {
  call->core->PostToLoop(
      [done = std::move(call->done), result = std::move(result)]() mutable { done(std::move(result)); });
}

void OnData(int rc, const char* value, int len, const Stat* stat, const void* data) noexcept {
  std::unique_ptr<Call<ZkRead>> call(static_cast<Call<ZkRead>*>(const_cast<void*>(data)));
  ZkRead read;
  read.err = ClassifyZkRc(rc);
  if (rc == ZOK) {
    if (value != nullptr && len > 0) read.data.assign(value, static_cast<size_t>(len));
    read.stat = CopyStat(stat);
  }
  Finish(std::move(call), std::move(read));
}

void OnStat(int rc, const Stat* stat, const void* data) noexcept {
  std::unique_ptr<Call<ZkRead>> call(static_cast<Call<ZkRead>*>(const_cast<void*>(data)));
  ZkRead read;
  read.err = ClassifyZkRc(rc);
  if (rc == ZOK) read.stat = CopyStat(stat);
  Finish(std::move(call), std::move(read));
}

void OnChildren(int rc, const String_vector* strings, const void* data) noexcept {
  std::unique_ptr<Call<ZkChildren>> call(
      static_cast<Call<ZkChildren>*>(const_cast<void*>(data)));
  ZkChildren out;
  out.err = ClassifyZkRc(rc);
  if (rc == ZOK && strings != nullptr) {
    for (int i = 0; i < strings->count; ++i) out.children.emplace_back(strings->data[i]);
  }
  Finish(std::move(call), std::move(out));
}

void OnCreated(int rc, const char* value, const Stat* stat, const void* data) noexcept {
  std::unique_ptr<Call<ZkCreated>> call(static_cast<Call<ZkCreated>*>(const_cast<void*>(data)));
  ZkCreated out;
  out.err = ClassifyZkRc(rc);
  if (rc == ZOK) {
    if (value != nullptr) out.path = value;
    out.stat = CopyStat(stat);
  }
  Finish(std::move(call), std::move(out));
}

void OnSet(int rc, const Stat* stat, const void* data) noexcept {
  std::unique_ptr<Call<ZkWritten>> call(static_cast<Call<ZkWritten>*>(const_cast<void*>(data)));
  ZkWritten out;
  out.err = ClassifyZkRc(rc);
  if (rc == ZOK) out.stat = CopyStat(stat);
  Finish(std::move(call), std::move(out));
}

void OnVoid(int rc, const void* data) noexcept {
  std::unique_ptr<Call<ZkWritten>> call(static_cast<Call<ZkWritten>*>(const_cast<void*>(data)));
  ZkWritten out;
  out.err = ClassifyZkRc(rc);
  Finish(std::move(call), std::move(out));
}

// Everything zoo_amulti reads or writes must stay alive until its completion.
struct MultiCall : PendingCall {
  explicit MultiCall(Core* c) : PendingCall(c) {}
  std::function<void(ZkMultiResult)> done;
  std::vector<ZkOp> ops;
  std::vector<zoo_op_t> zops;
  std::vector<zoo_op_result_t> results;
  std::vector<Stat> stats;
  std::vector<std::vector<char>> path_buffers;
};

void OnMulti(int rc, const void* data) noexcept {
  std::unique_ptr<MultiCall> call(static_cast<MultiCall*>(const_cast<void*>(data)));
  ZkMultiResult out;
  out.err = ClassifyZkRc(rc);
  if (rc == ZOK || ClassifyZkRc(rc) == ZkErrc::kNoNode || ClassifyZkRc(rc) == ZkErrc::kNodeExists ||
      ClassifyZkRc(rc) == ZkErrc::kBadVersion || ClassifyZkRc(rc) == ZkErrc::kNotEmpty) {
    // The server answered: per-op results are meaningful.
    for (size_t i = 0; i < call->ops.size(); ++i) {
      ZkOpResult r;
      r.err = ClassifyZkRc(call->results[i].err);
      if (r.err == ZkErrc::kOk && call->ops[i].type == ZkOp::Type::kCreate) {
        r.path = call->path_buffers[i].data();
      }
      if (r.err == ZkErrc::kOk && call->ops[i].type == ZkOp::Type::kSet) {
        r.stat = CopyStat(&call->stats[i]);
      }
      if (r.err != ZkErrc::kOk && call->results[i].err != ZRUNTIMEINCONSISTENCY &&
          out.failed_op < 0) {
        out.failed_op = static_cast<int>(i);
      }
      out.results.push_back(std::move(r));
    }
  }
  call->core->PostToLoop(
      [done = std::move(call->done), out = std::move(out)]() mutable { done(std::move(out)); });
}

}  // namespace

void Core::Connect() {
  std::call_once(g_log_level_once, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_WARN); });
  ++generation;
  current_generation.store(generation);
  const std::string target = (chroot.empty() || !chroot_ready) ? hosts : hosts + chroot;
  is_connected = false;
  connected_once = false;
  handle_started_ms = SteadyMillis();
  disconnected_since_ms = handle_started_ms;
  zh = zookeeper_init2(target.c_str(), &GlobalWatcher,
                       static_cast<int>(options.session_timeout.count()), nullptr, this, 0,
                       &ZkClientLog);
  if (zh == nullptr) {
    LOG(WARNING) << "zookeeper_init_failed connect=" << options.connect << " errno=" << errno
                 << " retrying";
  }
}

void Core::CloseHandle() {
  if (zh == nullptr) return;
  zhandle_t* old = zh;
  zh = nullptr;
  ++generation;  // events of the old handle are ignored from now on
  current_generation.store(generation);
  zookeeper_close(old);  // joins ZooKeeper's threads; pending completions get ZCLOSING
  std::vector<PendingCall*> leftovers;
  {
    std::lock_guard<std::mutex> lock(pending_mu);
    leftovers.assign(pending.begin(), pending.end());
    pending.clear();
  }
  for (PendingCall* call : leftovers) delete call;  // their completions can no longer run
  is_connected = false;
  std::lock_guard<std::mutex> lock(watch_mu);
  watches.clear();
}

void Core::OnState(int state) {
  if (zh == nullptr) return;
  if (state == ZOO_CONNECTED_STATE) {
    if (!chroot.empty() && !chroot_ready) {
      EnsureChrootThenReconnect();
      return;
    }
    const clientid_t* cid = zoo_client_id(zh);
    int64_t id = cid != nullptr ? cid->client_id : 0;
    bool fresh = id != session_id;
    session_id = id;
    is_connected = true;
    connected_once = true;
    negotiated = std::chrono::milliseconds(zoo_recv_timeout(zh));
    LOG(INFO) << "zookeeper_connected connect=" << options.connect << " session=0x" << std::hex
              << id << std::dec << " new_session=" << fresh
              << " timeout_ms=" << negotiated.count();
    Notify({SessionEventType::kConnected, fresh, id});
  } else if (state == ZOO_CONNECTING_STATE || state == ZOO_ASSOCIATING_STATE ||
             state == ZOO_NOTCONNECTED_STATE) {
    if (!is_connected) return;
    is_connected = false;
    disconnected_since_ms = SteadyMillis();
    LOG(WARNING) << "zookeeper_disconnected connect=" << options.connect << " session=0x"
                 << std::hex << session_id << std::dec;
    Notify({SessionEventType::kDisconnected, false, session_id});
  } else if (state == ZOO_EXPIRED_SESSION_STATE) {
    HandleExpired(/*local=*/false);
  } else if (state == ZOO_AUTH_FAILED_STATE) {
    LOG(ERROR) << "zookeeper_auth_failed connect=" << options.connect;
  }
}

void Core::HandleExpired(bool local) {
  LOG(WARNING) << "zookeeper_session_expired connect=" << options.connect << " session=0x"
               << std::hex << session_id << std::dec
               << (local ? " reason=disconnected_longer_than_session_timeout" : " reason=server");
  int64_t old = session_id;
  CloseHandle();
  Connect();
  Notify({SessionEventType::kExpired, false, old});
}

void Core::EnsureChrootThenReconnect() {
  // Connected without chroot: create the chroot, then reconnect with it. The bootstrap session
  // is never reported to the listener.
  const uint64_t gen = generation;
  auto self = shared_from_this();
  // Create each prefix of the chroot in turn (EnsurePath's walk, on the raw handle).
  auto parts = std::make_shared<std::vector<std::string>>();
  for (size_t pos = 1; pos <= chroot.size(); ++pos) {
    if (pos == chroot.size() || chroot[pos] == '/') parts->push_back(chroot.substr(0, pos));
  }
  auto step = std::make_shared<std::function<void(size_t)>>();
  std::weak_ptr<std::function<void(size_t)>> weak_step = step;
  *step = [self, gen, parts, weak_step](size_t i) {
    if (gen != self->generation) return;
    if (i == parts->size()) {
      LOG(INFO) << "zookeeper_chroot_ready chroot=" << self->chroot;
      self->chroot_ready = true;
      self->CloseHandle();
      self->Connect();
      return;
    }
    // The pending create keeps the step function alive (no cycle: it holds a weak self-ref).
    auto* call = new Call<ZkCreated>{self.get(), [raw = self.get(), gen, i, strong = weak_step.lock()](ZkCreated r) {
                                       if (gen != raw->generation || !strong) return;
                                       if (r.err == ZkErrc::kOk || r.err == ZkErrc::kNodeExists) {
                                         (*strong)(i + 1);
                                       } else {
                                         LOG(WARNING) << "zookeeper_chroot_create_failed error="
                                                      << ZkErrcName(r.err) << " retrying";
                                         raw->CloseHandle();  // Tick() reconnects later
                                       }
                                     }};
    int rc = zoo_acreate2(self->zh, (*parts)[i].c_str(), "", 0, &ZOO_OPEN_ACL_UNSAFE,
                          ZOO_PERSISTENT, &OnCreated, call);
    if (rc != ZOK) OnCreated(rc, nullptr, nullptr, call);
  };
  (*step)(0);
}

void Core::Tick() {
  const int64_t now = SteadyMillis();
  while (!timers.empty() && timers.begin()->first <= now) {
    std::function<void()> fn = std::move(timers.begin()->second);
    timers.erase(timers.begin());
    fn();
    if (destroyed) return;
  }
  if (zh == nullptr) {
    if (now - last_warn_ms >= options.warn_interval.count()) {
      last_warn_ms = now;
      Connect();
    }
    return;
  }
  if (is_connected) return;
  if (connected_once && session_id != 0) {
    auto timeout = negotiated.count() > 0 ? negotiated : options.session_timeout;
    if (now - disconnected_since_ms > timeout.count()) {
      HandleExpired(/*local=*/true);
    }
    return;
  }
  if (!chroot.empty() && !chroot_ready && connected_once) return;
  if (now - handle_started_ms >= options.warn_interval.count() &&
      now - last_warn_ms >= options.warn_interval.count()) {
    last_warn_ms = now;
    LOG(WARNING) << "zookeeper_unreachable connect=" << options.connect
                 << " waited_ms=" << (now - handle_started_ms) << " retrying";
  }
}

ZkSession::ZkSession(Executor* loop, ZkSessionOptions options) : core_(std::make_shared<Core>()) {
  core_->loop = loop;
  core_->options = std::move(options);
  SplitConnectString(core_->options.connect, &core_->hosts, &core_->chroot);
}

ZkSession::~ZkSession() {
  core_->destroyed = true;
  {
    std::lock_guard<std::mutex> lock(core_->wd_mu);
    core_->wd_stop = true;
  }
  core_->wd_cv.notify_all();
  if (core_->watchdog.joinable()) core_->watchdog.join();
  core_->CloseHandle();
  core_->listeners.clear();
  core_->timers.clear();
}

int ZkSession::AddListener(std::function<void(const SessionEvent&)> listener) {
  int id = core_->next_listener_id++;
  core_->listeners.emplace_back(id, std::move(listener));
  return id;
}

void ZkSession::RemoveListener(int id) {
  auto& v = core_->listeners;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it->first == id) {
      v.erase(it);
      return;
    }
  }
}

void ZkSession::Start() {
  if (core_->watchdog.joinable()) return;
  core_->Connect();
  Core* raw = core_.get();
  core_->watchdog = std::thread([raw] {
    std::unique_lock<std::mutex> lock(raw->wd_mu);
    while (!raw->wd_stop) {
      raw->wd_cv.wait_for(lock, std::chrono::milliseconds(100));
      if (raw->wd_stop) break;
      raw->PostToLoop([raw] { raw->Tick(); });
    }
  });
}

bool ZkSession::connected() const { return core_->is_connected; }
int64_t ZkSession::session_id() const { return core_->session_id; }
const std::string& ZkSession::connect_string() const { return core_->options.connect; }
std::chrono::milliseconds ZkSession::negotiated_timeout() const { return core_->negotiated; }

namespace {

template <typename R>
void FailNow(Core* core, std::function<void(R)> done, int rc) {
  R r;
  r.err = ClassifyZkRc(rc);
  core->PostToLoop([done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
}

}  // namespace

void ZkSession::Get(const std::string& path, std::function<void(ZkRead)> done, WatchFn watch) {
  Core* core = core_.get();
  if (core->zh == nullptr) return FailNow(core, std::move(done), ZCONNECTIONLOSS);
  auto* call = new Call<ZkRead>{core_.get(), std::move(done)};
  int rc;
  if (watch) {
    uint64_t id = core->AddWatch(std::move(watch));
    rc = zoo_awget(core->zh, path.c_str(), &PathWatcher, reinterpret_cast<void*>(id), &OnData,
                   call);
  } else {
    rc = zoo_aget(core->zh, path.c_str(), 0, &OnData, call);
  }
  if (rc != ZOK) OnData(rc, nullptr, 0, nullptr, call);
}

void ZkSession::Exists(const std::string& path, std::function<void(ZkRead)> done, WatchFn watch) {
  Core* core = core_.get();
  if (core->zh == nullptr) return FailNow(core, std::move(done), ZCONNECTIONLOSS);
  auto* call = new Call<ZkRead>{core_.get(), std::move(done)};
  int rc;
  if (watch) {
    uint64_t id = core->AddWatch(std::move(watch));
    rc = zoo_awexists(core->zh, path.c_str(), &PathWatcher, reinterpret_cast<void*>(id), &OnStat,
                      call);
  } else {
    rc = zoo_aexists(core->zh, path.c_str(), 0, &OnStat, call);
  }
  if (rc != ZOK) OnStat(rc, nullptr, call);
}

void ZkSession::GetChildren(const std::string& path, std::function<void(ZkChildren)> done,
                            WatchFn watch) {
  Core* core = core_.get();
  if (core->zh == nullptr) return FailNow(core, std::move(done), ZCONNECTIONLOSS);
  auto* call = new Call<ZkChildren>{core_.get(), std::move(done)};
  int rc;
  if (watch) {
    uint64_t id = core->AddWatch(std::move(watch));
    rc = zoo_awget_children(core->zh, path.c_str(), &PathWatcher, reinterpret_cast<void*>(id),
                            &OnChildren, call);
  } else {
    rc = zoo_aget_children(core->zh, path.c_str(), 0, &OnChildren, call);
  }
  if (rc != ZOK) OnChildren(rc, nullptr, call);
}

void ZkSession::Create(const std::string& path, const std::string& data, CreateMode mode,
                       std::function<void(ZkCreated)> done) {
  Core* core = core_.get();
  if (core->zh == nullptr) return FailNow(core, std::move(done), ZCONNECTIONLOSS);
  auto* call = new Call<ZkCreated>{core_.get(), std::move(done)};
  int rc = zoo_acreate2(core->zh, path.c_str(), data.data(), static_cast<int>(data.size()),
                        &ZOO_OPEN_ACL_UNSAFE, CreateFlags(mode), &OnCreated, call);
  if (rc != ZOK) OnCreated(rc, nullptr, nullptr, call);
}

void ZkSession::Set(const std::string& path, const std::string& data, int32_t version,
                    std::function<void(ZkWritten)> done) {
  Core* core = core_.get();
  if (core->zh == nullptr) return FailNow(core, std::move(done), ZCONNECTIONLOSS);
  auto* call = new Call<ZkWritten>{core_.get(), std::move(done)};
  int rc = zoo_aset(core->zh, path.c_str(), data.data(), static_cast<int>(data.size()), version,
                    &OnSet, call);
  if (rc != ZOK) OnSet(rc, nullptr, call);
}

void ZkSession::Delete(const std::string& path, int32_t version,
                       std::function<void(ZkWritten)> done) {
  Core* core = core_.get();
  if (core->zh == nullptr) return FailNow(core, std::move(done), ZCONNECTIONLOSS);
  auto* call = new Call<ZkWritten>{core_.get(), std::move(done)};
  int rc = zoo_adelete(core->zh, path.c_str(), version, &OnVoid, call);
  if (rc != ZOK) OnVoid(rc, call);
}

void ZkSession::Multi(std::vector<ZkOp> ops, std::function<void(ZkMultiResult)> done) {
  Core* core = core_.get();
  if (core->zh == nullptr) return FailNow(core, std::move(done), ZCONNECTIONLOSS);
  auto* call = new MultiCall(core_.get());
  call->done = std::move(done);
  call->ops = std::move(ops);
  const size_t n = call->ops.size();
  call->zops.resize(n);
  call->results.resize(n);
  call->stats.resize(n);
  call->path_buffers.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const ZkOp& op = call->ops[i];
    switch (op.type) {
      case ZkOp::Type::kCreate:
        call->path_buffers[i].assign(op.path.size() + 32, '\0');
        zoo_create_op_init(&call->zops[i], op.path.c_str(), op.data.data(),
                           static_cast<int>(op.data.size()), &ZOO_OPEN_ACL_UNSAFE,
                           CreateFlags(op.mode), call->path_buffers[i].data(),
                           static_cast<int>(call->path_buffers[i].size()));
        break;
      case ZkOp::Type::kDelete:
        zoo_delete_op_init(&call->zops[i], op.path.c_str(), op.version);
        break;
      case ZkOp::Type::kSet:
        zoo_set_op_init(&call->zops[i], op.path.c_str(), op.data.data(),
                        static_cast<int>(op.data.size()), op.version, &call->stats[i]);
        break;
      case ZkOp::Type::kCheck:
        zoo_check_op_init(&call->zops[i], op.path.c_str(), op.version);
        break;
    }
  }
  int rc = zoo_amulti(core->zh, static_cast<int>(n), call->zops.data(), call->results.data(),
                      &OnMulti, call);
  if (rc != ZOK) {
    call->results.assign(n, zoo_op_result_t{ZRUNTIMEINCONSISTENCY, nullptr, 0, nullptr});
    OnMulti(rc, call);
  }
}

void ZkSession::RunAfter(std::chrono::milliseconds delay, std::function<void()> fn) {
  core_->timers.emplace(SteadyMillis() + delay.count(), std::move(fn));
}

void ZkSession::EnsurePath(const std::string& path, std::function<void(ZkErrc)> done) {
  auto parts = std::make_shared<std::vector<std::string>>();
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos == path.size() || path[pos] == '/') parts->push_back(path.substr(0, pos));
  }
  auto step = std::make_shared<std::function<void(size_t)>>();
  auto finish = std::make_shared<std::function<void(ZkErrc)>>(std::move(done));
  std::weak_ptr<std::function<void(size_t)>> weak_step = step;
  *step = [this, parts, weak_step, finish](size_t i) {
    auto self_step = weak_step.lock();
    if (i == parts->size()) return (*finish)(ZkErrc::kOk);
    Create((*parts)[i], "", CreateMode::kPersistent, [self_step, finish, i](ZkCreated r) {
      if (r.err == ZkErrc::kOk || r.err == ZkErrc::kNodeExists) return (*self_step)(i + 1);
      (*finish)(r.err);
    });
  };
  (*step)(0);
}

void ZkSession::DeleteRecursive(const std::string& path, std::function<void(ZkErrc)> done) {
  GetChildren(path, [this, path, done = std::move(done)](ZkChildren c) mutable {
    if (c.err == ZkErrc::kNoNode) return done(ZkErrc::kOk);
    if (c.err != ZkErrc::kOk) return done(c.err);
    auto remaining = std::make_shared<size_t>(c.children.size());
    auto first_error = std::make_shared<ZkErrc>(ZkErrc::kOk);
    auto finish = [this, path, done = std::move(done), first_error]() mutable {
      if (*first_error != ZkErrc::kOk) return done(*first_error);
      Delete(path, -1, [done = std::move(done)](ZkWritten w) {
        done(w.err == ZkErrc::kNoNode ? ZkErrc::kOk : w.err);
      });
    };
    if (c.children.empty()) return finish();
    auto shared_finish = std::make_shared<decltype(finish)>(std::move(finish));
    for (const std::string& child : c.children) {
      DeleteRecursive(path + "/" + child, [remaining, first_error, shared_finish](ZkErrc e) {
        if (e != ZkErrc::kOk && *first_error == ZkErrc::kOk) *first_error = e;
        if (--*remaining == 0) (*shared_finish)();
      });
    }
  });
}

}  // namespace sluice::coordinator
