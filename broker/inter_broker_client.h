#pragma once
// InterBrokerClient: one asynchronous Kafka-protocol client connection from this broker to another
// broker (controller requests, replica fetching, controlled shutdown), on the broker's libevent
// loop. Requests are framed with EncodeRequestFrame and a fresh correlation id; responses are
// matched in order (Kafka answers a connection's requests in order) and handed to the callback
// with a WireReader at the body. Connects lazily on the first Send; on any error (connect failure,
// bad frame, timeout) the connection is closed, every pending callback gets the error, and the next
// Send reconnects after `reconnect_backoff_ms` (earlier Sends fail with kUnavailable meanwhile).
// Loop thread only; callbacks never run after destruction.

#include <event2/bufferevent.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "broker/event_loop.h"
#include "common/status.h"
#include "protocol/headers.h"
#include "protocol/wire.h"

namespace sluice::broker {

struct InterBrokerClientOptions {
  std::string client_id = "sluice-broker";
  int64_t request_timeout_ms = 30000;
  int64_t reconnect_backoff_ms = 200;
  int32_t max_response_bytes = protocol::kDefaultMaxFrameBytes;
};

class InterBrokerClient {
 public:
  // The response body, or the transport error. The reader borrows a buffer valid during the call.
  using RawCallback = std::function<void(Status status, protocol::WireReader* body)>;

  InterBrokerClient(EventLoop* loop, std::string host, int port, InterBrokerClientOptions opts = {});
  ~InterBrokerClient();
  InterBrokerClient(const InterBrokerClient&) = delete;
  InterBrokerClient& operator=(const InterBrokerClient&) = delete;

  // Changes the destination (a broker re-registered elsewhere): closes any connection.
  void SetEndpoint(const std::string& host, int port);
  const std::string& host() const { return host_; }
  int port() const { return port_; }

  // Sends `body` as api `Msg::kApiKey` at `version`; `cb` gets the decoded response.
  template <typename Req, typename Resp>
  void Send(const Req& body, int16_t version, int64_t timeout_ms,
            std::function<void(Result<Resp*>)> cb) {
    int32_t corr = next_correlation_id_++;
    auto frame = protocol::EncodeRequestFrame(body, version, corr, opts_.client_id);
    SendFrame(std::move(frame.bytes), static_cast<int16_t>(Req::kApiKey), version, corr,
              timeout_ms, [cb = std::move(cb), version](Status s, protocol::WireReader* in) {
                if (!s.ok()) return cb(s);
                Resp resp;
                Status d = resp.Decode(*in, version);
                if (!d.ok()) return cb(d);
                cb(&resp);
              });
  }

  bool connected() const { return state_ == State::kConnected; }
  size_t in_flight() const { return pending_.size(); }
  // Closes the connection, failing every pending request with `why` (kUnavailable).
  void Close(const std::string& why);

 private:
  enum class State { kIdle, kConnecting, kConnected };
  struct Pending {
    int32_t correlation_id;
    int16_t api_key;
    int16_t api_version;
    int64_t deadline_ms;
    RawCallback cb;
  };

  void SendFrame(std::string frame, int16_t api_key, int16_t version, int32_t corr,
                 int64_t timeout_ms, RawCallback cb);
  bool Connect();
  void OnRead();
  void OnEvent(short what);
  void CheckTimeouts();
  static void ReadCb(bufferevent* bev, void* arg);
  static void EventCb(bufferevent* bev, short what, void* arg);

  EventLoop* loop_;
  std::string host_;
  int port_;
  InterBrokerClientOptions opts_;
  State state_ = State::kIdle;
  bufferevent* bev_ = nullptr;
  int32_t next_correlation_id_ = 1;
  int64_t retry_after_ms_ = 0;
  std::deque<Pending> pending_;
  std::unique_ptr<Timer> timeout_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sluice::broker
