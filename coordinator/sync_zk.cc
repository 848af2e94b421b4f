#include "coordinator/sync_zk.h"

#include <zookeeper/zookeeper.h>

#include <condition_variable>
#include <mutex>

namespace sluice::coordinator {

struct SyncZk::State {
  std::mutex mu;
  std::condition_variable cv;
  int state = 0;
};

namespace {

void SyncWatcher(zhandle_t* zh, int type, int state, const char*, void*) noexcept {
  if (type != ZOO_SESSION_EVENT) return;
  auto* s = static_cast<SyncZk::State*>(const_cast<void*>(zoo_get_context(zh)));
  if (s == nullptr) return;
  std::lock_guard<std::mutex> lock(s->mu);
  s->state = state;
  s->cv.notify_all();
}

ZkStat Copy(const Stat& s) {
  ZkStat out;
  out.czxid = s.czxid;
  out.mzxid = s.mzxid;
  out.ctime = s.ctime;
  out.mtime = s.mtime;
  out.version = s.version;
  out.cversion = s.cversion;
  out.ephemeral_owner = s.ephemeralOwner;
  out.num_children = s.numChildren;
  return out;
}

int Flags(CreateMode mode) {
  switch (mode) {
    case CreateMode::kPersistent: return ZOO_PERSISTENT;
    case CreateMode::kEphemeral: return ZOO_EPHEMERAL;
    case CreateMode::kPersistentSequential: return ZOO_PERSISTENT_SEQUENTIAL;
  }
  return ZOO_PERSISTENT;
}

}  // namespace

SyncZk::~SyncZk() { Close(); }

void SyncZk::Close() {
  if (zh_ != nullptr) {
    zookeeper_close(zh_);
    zh_ = nullptr;
  }
}

Status SyncZk::Connect(const std::string& connect, std::chrono::milliseconds session_timeout,
                       std::chrono::milliseconds deadline) {
  Close();
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  state_ = std::make_shared<State>();
  zh_ = zookeeper_init(connect.c_str(), &SyncWatcher, static_cast<int>(session_timeout.count()),
                       nullptr, state_.get(), 0);
  if (zh_ == nullptr) return Status::IoError("zookeeper_init failed for " + connect);
  std::unique_lock<std::mutex> lock(state_->mu);
  bool ok = state_->cv.wait_for(lock, deadline, [&] { return state_->state == ZOO_CONNECTED_STATE; });
  lock.unlock();
  if (!ok) {
    Close();
    return Status::TimedOut("zookeeper not reachable at " + connect);
  }
  return Status::Ok();
}

int64_t SyncZk::session_id() const {
  if (zh_ == nullptr) return 0;
  const clientid_t* id = zoo_client_id(zh_);
  return id != nullptr ? id->client_id : 0;
}

ZkRead SyncZk::Get(const std::string& path) {
  ZkRead r;
  if (zh_ == nullptr) { r.err = ZkErrc::kConnectionLoss; return r; }
  std::vector<char> buf(1 << 20);
  int len = static_cast<int>(buf.size());
  Stat stat{};
  int rc = zoo_get(zh_, path.c_str(), 0, buf.data(), &len, &stat);
  r.err = ClassifyZkRc(rc);
  if (rc == ZOK) {
    if (len > 0) r.data.assign(buf.data(), static_cast<size_t>(len));
    r.stat = Copy(stat);
  }
  return r;
}

ZkRead SyncZk::Exists(const std::string& path) {
  ZkRead r;
  if (zh_ == nullptr) { r.err = ZkErrc::kConnectionLoss; return r; }
  Stat stat{};
  int rc = zoo_exists(zh_, path.c_str(), 0, &stat);
  r.err = ClassifyZkRc(rc);
  if (rc == ZOK) r.stat = Copy(stat);
  return r;
}

ZkChildren SyncZk::GetChildren(const std::string& path) {
  ZkChildren r;
  if (zh_ == nullptr) { r.err = ZkErrc::kConnectionLoss; return r; }
  String_vector v{0, nullptr};
  int rc = zoo_get_children(zh_, path.c_str(), 0, &v);
  r.err = ClassifyZkRc(rc);
  if (rc == ZOK) {
    for (int i = 0; i < v.count; ++i) r.children.emplace_back(v.data[i]);
    deallocate_String_vector(&v);
  }
  return r;
}

ZkCreated SyncZk::Create(const std::string& path, const std::string& data, CreateMode mode) {
  ZkCreated r;
  if (zh_ == nullptr) { r.err = ZkErrc::kConnectionLoss; return r; }
  std::vector<char> buf(path.size() + 32, '\0');
  Stat stat{};
  int rc = zoo_create2(zh_, path.c_str(), data.data(), static_cast<int>(data.size()),
                       &ZOO_OPEN_ACL_UNSAFE, Flags(mode), buf.data(),
                       static_cast<int>(buf.size()), &stat);
  r.err = ClassifyZkRc(rc);
  if (rc == ZOK) {
    r.path = buf.data();
    r.stat = Copy(stat);
  }
  return r;
}

ZkWritten SyncZk::Set(const std::string& path, const std::string& data, int32_t version) {
  ZkWritten r;
  if (zh_ == nullptr) { r.err = ZkErrc::kConnectionLoss; return r; }
  Stat stat{};
  int rc = zoo_set2(zh_, path.c_str(), data.data(), static_cast<int>(data.size()), version, &stat);
  r.err = ClassifyZkRc(rc);
  if (rc == ZOK) r.stat = Copy(stat);
  return r;
}

ZkWritten SyncZk::Delete(const std::string& path, int32_t version) {
  ZkWritten r;
  if (zh_ == nullptr) { r.err = ZkErrc::kConnectionLoss; return r; }
  r.err = ClassifyZkRc(zoo_delete(zh_, path.c_str(), version));
  return r;
}

ZkMultiResult SyncZk::Multi(const std::vector<ZkOp>& ops) {
  ZkMultiResult out;
  if (zh_ == nullptr) { out.err = ZkErrc::kConnectionLoss; return out; }
  const size_t n = ops.size();
  std::vector<zoo_op_t> zops(n);
  std::vector<zoo_op_result_t> results(n);
  std::vector<Stat> stats(n);
  std::vector<std::vector<char>> bufs(n);
  for (size_t i = 0; i < n; ++i) {
    const ZkOp& op = ops[i];
    switch (op.type) {
      case ZkOp::Type::kCreate:
        bufs[i].assign(op.path.size() + 32, '\0');
        zoo_create_op_init(&zops[i], op.path.c_str(), op.data.data(),
                           static_cast<int>(op.data.size()), &ZOO_OPEN_ACL_UNSAFE, Flags(op.mode),
                           bufs[i].data(), static_cast<int>(bufs[i].size()));
        break;
      case ZkOp::Type::kDelete: zoo_delete_op_init(&zops[i], op.path.c_str(), op.version); break;
      case ZkOp::Type::kSet:
        zoo_set_op_init(&zops[i], op.path.c_str(), op.data.data(),
                        static_cast<int>(op.data.size()), op.version, &stats[i]);
        break;
      case ZkOp::Type::kCheck: zoo_check_op_init(&zops[i], op.path.c_str(), op.version); break;
    }
  }
  int rc = zoo_multi(zh_, static_cast<int>(n), zops.data(), results.data());
  out.err = ClassifyZkRc(rc);
  if (out.err == ZkErrc::kConnectionLoss || out.err == ZkErrc::kSessionExpired ||
      out.err == ZkErrc::kClosing || out.err == ZkErrc::kOther) {
    return out;
  }
  for (size_t i = 0; i < n; ++i) {
    ZkOpResult r;
    r.err = ClassifyZkRc(results[i].err);
    if (r.err == ZkErrc::kOk && ops[i].type == ZkOp::Type::kCreate) r.path = bufs[i].data();
    if (r.err == ZkErrc::kOk && ops[i].type == ZkOp::Type::kSet) r.stat = Copy(stats[i]);
    if (r.err != ZkErrc::kOk && results[i].err != ZRUNTIMEINCONSISTENCY && out.failed_op < 0) {
      out.failed_op = static_cast<int>(i);
    }
    out.results.push_back(std::move(r));
  }
  return out;
}

ZkErrc SyncZk::EnsurePath(const std::string& path) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    ZkCreated c = Create(path.substr(0, pos), "");
    if (c.err != ZkErrc::kOk && c.err != ZkErrc::kNodeExists) return c.err;
  }
  return ZkErrc::kOk;
}

ZkErrc SyncZk::DeleteRecursive(const std::string& path) {
  ZkChildren c = GetChildren(path);
  if (c.err == ZkErrc::kNoNode) return ZkErrc::kOk;
  if (c.err != ZkErrc::kOk) return c.err;
  for (const std::string& child : c.children) {
    ZkErrc e = DeleteRecursive(path + "/" + child);
    if (e != ZkErrc::kOk) return e;
  }
  ZkWritten w = Delete(path);
  return w.err == ZkErrc::kNoNode ? ZkErrc::kOk : w.err;
}

}  // namespace sluice::coordinator
