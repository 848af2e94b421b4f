// RemoteControllerChannel: a request for a newer registration (broker epoch) of a broker does not
// wait behind what is in flight for the old one; it goes out on a fresh connection
// (bench/drills/AVAILABILITY.md, root cause 2).
#include "broker/remote_controller_channel.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace sluice::broker {
namespace {

coordinator::UpdateMetadataBatch Batch(int64_t broker_epoch) {
  coordinator::UpdateMetadataBatch b;
  b.controller_id = BrokerId(1);
  b.controller_epoch = ControllerEpoch(1);
  b.broker_epoch = broker_epoch;
  return b;
}

// A broker that accepts connections and reads requests but never answers, like one whose
// packets are dropped: the first request stays in flight for the channel's 30 s timeout.
class SilentBroker {
 public:
  SilentBroker() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentBroker() {
    for (int c : conns_) close(c);
    close(fd_);
  }
  int port() const { return port_; }
  // Accepts pending connections and counts the bytes received on each.
  void Poll() {
    for (int c = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK); c >= 0;
         c = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK)) {
      conns_.push_back(c);
      bytes_.push_back(0);
    }
    char buf[4096];
    for (size_t i = 0; i < conns_.size(); ++i) {
      for (ssize_t n = recv(conns_[i], buf, sizeof(buf), 0); n > 0;
           n = recv(conns_[i], buf, sizeof(buf), 0)) {
        bytes_[i] += static_cast<size_t>(n);
      }
    }
  }
  size_t connections() const { return conns_.size(); }
  bool received_on(size_t i) const { return i < bytes_.size() && bytes_[i] > 0; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> conns_;
  std::vector<size_t> bytes_;
};

TEST(RemoteControllerChannel, NewerBrokerEpochReconnectsInsteadOfQueueingBehindTheOldRequest) {
  SilentBroker broker;
  EventLoop loop;
  MetadataCache metadata;
  BrokerClientPool pool(&loop, &metadata);
  pool.LearnEndpoint(2, "127.0.0.1", broker.port());
  RemoteControllerChannel channel(&pool);

  int phase = 0;
  auto poll = loop.RunEvery(5, [&] {
    broker.Poll();
    if (phase == 0 && broker.received_on(0)) {
      // The request for registration 10 is in flight and will never be answered; broker 2
      // registers again (epoch 11) and the controller sends it its state.
      EXPECT_FALSE(channel.Idle());
      phase = 1;
      channel.SendUpdateMetadata(BrokerId(2), Batch(11));
    } else if (phase == 1 && broker.connections() >= 2 && broker.received_on(1)) {
      phase = 2;
      loop.Stop();
    }
  });
  auto deadline = loop.RunAfter(10000, [&] { loop.Stop(); });
  loop.Post([&] { channel.SendUpdateMetadata(BrokerId(2), Batch(10)); });
  loop.Run();

  EXPECT_EQ(phase, 2) << "the request for the new registration waited behind the old one";
  EXPECT_EQ(broker.connections(), 2u) << "one fresh connection for the new registration";
}

}  // namespace
}  // namespace sluice::broker
