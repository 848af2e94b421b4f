#pragma once
// ZkSession: one ZooKeeper session (zookeeper_mt async API) whose every result, watch and state
// change runs on the owner's loop through an Executor (DESIGN.md "one owner", STYLE.md §2).
//
// Thread: all methods on the owner loop thread (the one the Executor runs tasks on), except the
// constructor. ZooKeeper's completion/watcher threads only copy what they got and Post; a
// watchdog thread only reads atomics and Posts. Callbacks never run after the ZkSession is gone.
//
// Lifecycle: construct, Start() on the loop (returns at once; connects in the background,
// retrying while ZooKeeper is unreachable and logging `zookeeper_unreachable` once per
// `warn_interval`), use, destroy on the loop (closes the session: ephemeral znodes vanish; no
// callback, watch or RunAfter task runs afterwards, even if already posted). Users whose
// callbacks capture `this` (BrokerRegistration, Controller, Admin, ...) are destroyed just before
// it, in the same loop task. A connect string may carry a chroot
// ("h1:p1,h2:p2/sluice"); a missing chroot path is created first (without chroot).
//
// Session events go to the listener: kConnected (new_session=true for a fresh session: re-create
// ephemerals, re-arm watches), kDisconnected (operations fail with kConnectionLoss meanwhile;
// watches survive if the session does), kExpired (the server said so, or we were disconnected
// longer than the session timeout -- DESIGN.md: a cut-off client never hears "expired", so we
// act as if expired). After kExpired the session opens a new zhandle by itself; the next
// kConnected carries new_session=true.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/executor.h"
#include "common/ids.h"
#include "common/status.h"

namespace sluice::coordinator {

// ZooKeeper return codes, classified once (STYLE.md §3).
enum class ZkErrc : uint8_t {
  kOk,
  kNoNode,          // logical: path missing
  kNodeExists,      // logical: lost a create race
  kBadVersion,      // logical: conditional write lost (fence or concurrent change)
  kNotEmpty,        // logical: delete of a node with children
  kConnectionLoss,  // retryable; a write's outcome is unknown: re-read before retrying
  kSessionExpired,  // the session is gone: new session, re-register, re-arm watches
  kClosing,         // the session is shutting down
  kOther,           // anything else (bad arguments, auth, marshalling): a bug or misconfig
};

ZkErrc ClassifyZkRc(int rc);
const char* ZkErrcName(ZkErrc e);
bool IsRetryable(ZkErrc e);  // kConnectionLoss (and kSessionExpired once a new session is up)
// NoNode→NotFound, NodeExists→AlreadyExists, BadVersion→InvalidArgument("bad_version"),
// connection loss/expiry/closing→Unavailable, others→IoError. `what` names the operation/path.
Status ZkStatus(ZkErrc e, const std::string& what);

struct ZkStat {
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t ctime = 0;
  int64_t mtime = 0;
  int32_t version = -1;
  int32_t cversion = 0;
  int64_t ephemeral_owner = 0;  // session id of the owner, 0 for persistent nodes
  int32_t num_children = 0;
};

struct ZkRead {  // Get and Exists (Exists leaves data empty)
  ZkErrc err = ZkErrc::kOther;
  std::string data;
  ZkStat stat;
};
struct ZkChildren {
  ZkErrc err = ZkErrc::kOther;
  std::vector<std::string> children;  // names, not paths, in ZooKeeper's order
};
struct ZkCreated {
  ZkErrc err = ZkErrc::kOther;
  std::string path;  // the created path (with the sequence suffix), without chroot
  ZkStat stat;
};
struct ZkWritten {  // Set, Delete
  ZkErrc err = ZkErrc::kOther;
  ZkStat stat;  // Set only
};

enum class CreateMode : uint8_t { kPersistent, kEphemeral, kPersistentSequential };

struct ZkOp {
  enum class Type : uint8_t { kCreate, kDelete, kSet, kCheck };
  Type type = Type::kCheck;
  std::string path;
  std::string data;
  CreateMode mode = CreateMode::kPersistent;
  int32_t version = -1;  // kDelete/kSet/kCheck; -1 = any

  static ZkOp Create(std::string path, std::string data, CreateMode mode = CreateMode::kPersistent);
  static ZkOp Delete(std::string path, int32_t version = -1);
  static ZkOp Set(std::string path, std::string data, int32_t version);
  static ZkOp Check(std::string path, int32_t version);
};
struct ZkOpResult {
  ZkErrc err = ZkErrc::kOther;
  std::string path;  // kCreate
  ZkStat stat;       // kSet
};
struct ZkMultiResult {
  ZkErrc err = ZkErrc::kOther;      // first failing op's error, or kOk
  std::vector<ZkOpResult> results;  // one per op (may be empty on connection loss)
  int failed_op = -1;               // index of the op that failed, -1 if none/unknown
};

enum class WatchEventType : uint8_t { kCreated, kDeleted, kChanged, kChild, kNotWatching, kSession };
struct WatchEvent {
  WatchEventType type = WatchEventType::kSession;
  std::string path;
};
using WatchFn = std::function<void(const WatchEvent&)>;

enum class SessionEventType : uint8_t { kConnected, kDisconnected, kExpired };
struct SessionEvent {
  SessionEventType type = SessionEventType::kDisconnected;
  bool new_session = false;  // kConnected: a session different from the previous one
  int64_t session_id = 0;
};

struct ZkSessionOptions {
  std::string connect;  // "h:p,h:p[/chroot]"
  std::chrono::milliseconds session_timeout{6000};
  // While never connected: one WARNING line per interval.
  std::chrono::milliseconds warn_interval{2000};
};

class ZkSession {
 public:
  ZkSession(Executor* loop, ZkSessionOptions options);
  ~ZkSession();  // loop thread; closes the session
  ZkSession(const ZkSession&) = delete;
  ZkSession& operator=(const ZkSession&) = delete;

  // Loop thread. Every listener gets every session event, on the loop, in registration order
  // (the broker, its BrokerRegistration and its Controller each add one). Returns an id.
  int AddListener(std::function<void(const SessionEvent&)> listener);
  void RemoveListener(int id);
  void Start();

  bool connected() const;
  int64_t session_id() const;  // of the current session; 0 before the first connect
  const std::string& connect_string() const;
  std::chrono::milliseconds negotiated_timeout() const;

  // Asynchronous operations; `done` runs on the loop. A watch fires at most once, on the loop.
  // With no live zhandle, `done` gets kConnectionLoss.
  void Get(const std::string& path, std::function<void(ZkRead)> done, WatchFn watch = nullptr);
  void Exists(const std::string& path, std::function<void(ZkRead)> done, WatchFn watch = nullptr);
  void GetChildren(const std::string& path, std::function<void(ZkChildren)> done,
                   WatchFn watch = nullptr);
  void Create(const std::string& path, const std::string& data, CreateMode mode,
              std::function<void(ZkCreated)> done);
  void Set(const std::string& path, const std::string& data, int32_t version,
           std::function<void(ZkWritten)> done);
  void Delete(const std::string& path, int32_t version, std::function<void(ZkWritten)> done);
  void Multi(std::vector<ZkOp> ops, std::function<void(ZkMultiResult)> done);

  // Runs `fn` on the loop after about `delay` (100 ms granularity), unless the session is
  // destroyed first. For retry backoff of loop-owned users.
  void RunAfter(std::chrono::milliseconds delay, std::function<void()> fn);

  // Creates every missing ancestor and `path` itself (persistent, empty); NODEEXISTS is fine.
  void EnsurePath(const std::string& path, std::function<void(ZkErrc)> done);
  // Deletes `path` and everything under it (children first). NONODE counts as success.
  void DeleteRecursive(const std::string& path, std::function<void(ZkErrc)> done);

  struct Core;  // shared with ZooKeeper's threads; defined in zk_session.cc

 private:
  std::shared_ptr<Core> core_;
};

// Splits "h:p,h:p/chroot" into hosts and chroot ("" if none; never a trailing '/').
void SplitConnectString(const std::string& connect, std::string* hosts, std::string* chroot);

}  // namespace sluice::coordinator
