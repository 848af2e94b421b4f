#pragma once
// What every handler gets: the decoded request header, a reader at the body, the writable frame,
// and the broker's services (BrokerContext). Plus helpers to decode bodies and send responses.
// Loop thread only.

#include <glog/logging.h>

#include <cstdint>
#include <memory>
#include <string>

#include "broker/config.h"
#include "broker/connection.h"
#include "protocol/error_codes.h"
#include "protocol/headers.h"
#include "protocol/wire.h"

namespace sluice::broker {

class EventLoop;
class MetadataCache;
class ReplicaManager;
class Purgatory;
class AdminClient;
class ControllerRequestApplier;
struct InterBrokerServices;
class GroupCoordinator;  // broker/group/
class BrokerMetrics;     // broker/metrics/

// Non-owning pointers to the broker's services; all live as long as the Broker.
struct BrokerContext {
  const Config* config = nullptr;
  EventLoop* loop = nullptr;
  MetadataCache* metadata = nullptr;
  ReplicaManager* replicas = nullptr;
  Purgatory* produce_purgatory = nullptr;  // delayed produce (acks=all)
  Purgatory* fetch_purgatory = nullptr;    // delayed fetch (long poll)
  AdminClient* admin = nullptr;            // null until the coordinator is up
  InterBrokerServices* inter_broker = nullptr;  // broker/inter_broker.h; null in unit tests
  GroupCoordinator* groups = nullptr;  // null until issue-4 groups are wired
  BrokerMetrics* metrics = nullptr;    // null in unit tests
  int32_t broker_id = -1;
  Endpoint advertised;  // with the actual bound port
};

struct Request {
  protocol::RequestHeader header;
  int16_t api_version = 0;
  protocol::WireReader* body = nullptr;  // positioned at the body; valid during Handle only
  uint8_t* frame = nullptr;              // the whole request (header + body), writable
  size_t frame_size = 0;
};

// Decodes the body; on failure logs (rate-limited) and closes the connection (README §1: a bad
// request closes that connection only). Trailing bytes after the body are ignored.
template <typename Msg>
bool DecodeBody(Request& req, Msg& msg, Responder& responder) {
  Status s = msg.Decode(*req.body, req.api_version);
  if (s.ok()) return true;
  LOG_EVERY_T(WARNING, 10) << "request_decode_failed api=" << Msg::kName
                           << " version=" << req.api_version
                           << " client_id=" << req.header.client_id.value_or("") << " error=" << s;
  responder.CloseConnection("decode_failed");
  return false;
}

template <typename Msg>
void Respond(Responder& responder, const Msg& msg) {
  responder.Send(
      protocol::EncodeResponseFrame(msg, responder.api_version(), responder.correlation_id()));
}

// A response assembled from asynchronous parts (e.g. one ZooKeeper write per resource): the
// handler holds one count until its loop is done, each part takes one more (++outstanding) and
// calls Complete() when it finishes; the last Complete() sends the response.
template <typename Msg>
struct PendingResponse {
  Msg response;
  Responder responder;
  int outstanding = 1;  // the handler's own count, released by its final Complete()
};

template <typename Msg>
void Complete(const std::shared_ptr<PendingResponse<Msg>>& op) {
  if (--op->outstanding == 0) Respond(op->responder, op->response);
}

inline int16_t Code(protocol::ErrorCode c) { return static_cast<int16_t>(c); }

using HandlerFn = void (*)(BrokerContext& ctx, Request& req, Responder responder);

}  // namespace sluice::broker
