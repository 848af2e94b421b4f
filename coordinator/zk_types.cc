// ZooKeeper return-code classification and small value types of zk_session.h.
#include <zookeeper/zookeeper.h>

#include "coordinator/zk_session.h"

namespace sluice::coordinator {

ZkErrc ClassifyZkRc(int rc) {
  switch (rc) {
    case ZOK: return ZkErrc::kOk;
    case ZNONODE: return ZkErrc::kNoNode;
    case ZNODEEXISTS: return ZkErrc::kNodeExists;
    case ZBADVERSION: return ZkErrc::kBadVersion;
    case ZNOTEMPTY: return ZkErrc::kNotEmpty;
    case ZCONNECTIONLOSS:
    case ZOPERATIONTIMEOUT:
    case ZSESSIONMOVED:
    case ZTHROTTLEDOP:
      return ZkErrc::kConnectionLoss;
    case ZSESSIONEXPIRED:
    case ZINVALIDSTATE:  // the handle is in the expired (or auth-failed) state
      return ZkErrc::kSessionExpired;
    case ZCLOSING: return ZkErrc::kClosing;
    default: return ZkErrc::kOther;
  }
}

const char* ZkErrcName(ZkErrc e) {
  switch (e) {
    case ZkErrc::kOk: return "ok";
    case ZkErrc::kNoNode: return "no_node";
    case ZkErrc::kNodeExists: return "node_exists";
    case ZkErrc::kBadVersion: return "bad_version";
    case ZkErrc::kNotEmpty: return "not_empty";
    case ZkErrc::kConnectionLoss: return "connection_loss";
    case ZkErrc::kSessionExpired: return "session_expired";
    case ZkErrc::kClosing: return "closing";
    case ZkErrc::kOther: return "other";
  }
  return "unknown";
}

bool IsRetryable(ZkErrc e) {
  return e == ZkErrc::kConnectionLoss || e == ZkErrc::kSessionExpired;
}

Status ZkStatus(ZkErrc e, const std::string& what) {
  std::string m = what + ": zookeeper " + ZkErrcName(e);
  switch (e) {
    case ZkErrc::kOk: return Status::Ok();
    case ZkErrc::kNoNode: return Status::NotFound(m);
    case ZkErrc::kNodeExists: return Status::AlreadyExists(m);
    case ZkErrc::kBadVersion: return Status::InvalidArgument(m);
    case ZkErrc::kNotEmpty: return Status::InvalidArgument(m);
    case ZkErrc::kConnectionLoss:
    case ZkErrc::kSessionExpired:
    case ZkErrc::kClosing:
      return Status::Unavailable(m);
    case ZkErrc::kOther: return Status::IoError(m);
  }
  return Status::IoError(m);
}

ZkOp ZkOp::Create(std::string path, std::string data, CreateMode mode) {
  ZkOp op;
  op.type = Type::kCreate;
  op.path = std::move(path);
  op.data = std::move(data);
  op.mode = mode;
  return op;
}
ZkOp ZkOp::Delete(std::string path, int32_t version) {
  ZkOp op;
  op.type = Type::kDelete;
  op.path = std::move(path);
  op.version = version;
  return op;
}
ZkOp ZkOp::Set(std::string path, std::string data, int32_t version) {
  ZkOp op;
  op.type = Type::kSet;
  op.path = std::move(path);
  op.data = std::move(data);
  op.version = version;
  return op;
}
ZkOp ZkOp::Check(std::string path, int32_t version) {
  ZkOp op;
  op.type = Type::kCheck;
  op.path = std::move(path);
  op.version = version;
  return op;
}

void SplitConnectString(const std::string& connect, std::string* hosts, std::string* chroot) {
  size_t slash = connect.find('/');
  if (slash == std::string::npos) {
    *hosts = connect;
    chroot->clear();
    return;
  }
  *hosts = connect.substr(0, slash);
  *chroot = connect.substr(slash);
  while (chroot->size() > 1 && chroot->back() == '/') chroot->pop_back();
  if (*chroot == "/") chroot->clear();
}

}  // namespace sluice::coordinator
