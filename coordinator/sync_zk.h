#pragma once
// SyncZk: a blocking ZooKeeper client for tools and tests ONLY (never the broker loop: its calls
// block in wait_sync_completion). Same rc classification and Stat copies as ZkSession.
// Thread: any one thread at a time. Lifecycle: Connect(), use, destroy (closes the session).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "coordinator/zk_session.h"

typedef struct _zhandle zhandle_t;

namespace sluice::coordinator {

class SyncZk {
 public:
  SyncZk() = default;
  ~SyncZk();
  SyncZk(const SyncZk&) = delete;
  SyncZk& operator=(const SyncZk&) = delete;

  // Connects to "h:p,...[/chroot]" (the chroot must exist; see EnsurePath on a chroot-less
  // client) and waits up to `deadline` for the session.
  Status Connect(const std::string& connect,
                 std::chrono::milliseconds session_timeout = std::chrono::seconds(6),
                 std::chrono::milliseconds deadline = std::chrono::seconds(30));
  void Close();
  int64_t session_id() const;

  ZkRead Get(const std::string& path);
  ZkRead Exists(const std::string& path);
  ZkChildren GetChildren(const std::string& path);
  ZkCreated Create(const std::string& path, const std::string& data,
                   CreateMode mode = CreateMode::kPersistent);
  ZkWritten Set(const std::string& path, const std::string& data, int32_t version = -1);
  ZkWritten Delete(const std::string& path, int32_t version = -1);
  ZkMultiResult Multi(const std::vector<ZkOp>& ops);
  ZkErrc EnsurePath(const std::string& path);
  ZkErrc DeleteRecursive(const std::string& path);

  struct State;  // connection state shared with the watcher thread; in sync_zk.cc

 private:
  zhandle_t* zh_ = nullptr;
  std::shared_ptr<State> state_;
};

}  // namespace sluice::coordinator
