// Connection framing and response ordering over real loopback sockets with a fake handler.
#include "broker/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "broker/event_loop.h"

namespace sluice::broker {
namespace {

// api_key 1: answer after 30 ms (parked); 2: answer now; 3: no response; 4: close.
// The response body is the request's correlation id echoed in the header only.
class FakeHandler : public RequestHandler {
 public:
  explicit FakeHandler(EventLoop* loop) : loop_(loop) {}
  void Handle(RawRequest req, Responder r) override {
    ++handled;
    if (req.api_key == 3) {
      r.NoResponse();
      return;
    }
    if (req.api_key == 4) {
      r.CloseConnection("test");
      return;
    }
    if (req.api_key == 1) {
      auto holder = std::make_shared<Responder>(std::move(r));
      timers_.push_back(loop_->RunAfter(30, [holder] { holder->Send(Frame(*holder)); }));
      return;
    }
    r.Send(Frame(r));
  }
  static protocol::EncodedChunks Frame(const Responder& r) {
    protocol::WireWriter w;
    w.WriteInt32(4);
    w.WriteInt32(r.correlation_id());
    return std::move(w).Finish();
  }
  int handled = 0;

 private:
  EventLoop* loop_;
  std::vector<std::unique_ptr<Timer>> timers_;
};

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

std::string Request(int16_t key, int32_t corr) {
  protocol::WireWriter w;
  w.WriteInt32(10);
  w.WriteInt16(key);
  w.WriteInt16(0);
  w.WriteInt32(corr);
  w.WriteInt16(-1);  // client id null
  return std::move(w).Finish().bytes;
}

bool ReadAll(int fd, void* buf, size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

struct Harness {
  EventLoop loop;
  FakeHandler handler{&loop};
  Server server{loop.base(), &handler, 1 << 20};
  std::thread thread;
  Harness() {
    EXPECT_TRUE(server.Listen(Endpoint{"127.0.0.1", 0}).ok());
    thread = std::thread([this] { loop.Run(); });
  }
  ~Harness() {
    loop.Post([this] {
      server.CloseAll();
      loop.Stop();
    });
    thread.join();
  }
};

TEST(Connection, ParkedResponsesLeaveInRequestOrderWhilePipelining) {
  Harness h;
  int fd = Connect(h.server.port());
  std::string batch = Request(1, 100) + Request(2, 101) + Request(3, 102) + Request(1, 103) +
                      Request(2, 104);
  ASSERT_EQ(write(fd, batch.data(), batch.size()), static_cast<ssize_t>(batch.size()));
  std::vector<int32_t> got;
  for (int i = 0; i < 4; ++i) {
    uint8_t buf[8];
    ASSERT_TRUE(ReadAll(fd, buf, 8)) << "response " << i;
    got.push_back(static_cast<int32_t>(ntohl(*reinterpret_cast<uint32_t*>(buf + 4))));
  }
  EXPECT_EQ(got, (std::vector<int32_t>{100, 101, 103, 104}));  // 102 had no response
  close(fd);
}

TEST(Connection, OversizedFrameClosesOnlyThatConnection) {
  Harness h;
  int bad = Connect(h.server.port());
  int good = Connect(h.server.port());
  uint32_t huge = htonl(2u << 20);
  ASSERT_EQ(write(bad, &huge, 4), 4);
  char c;
  EXPECT_EQ(read(bad, &c, 1), 0) << "expected EOF on the bad connection";
  std::string req = Request(2, 7);
  ASSERT_EQ(write(good, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  uint8_t buf[8];
  ASSERT_TRUE(ReadAll(good, buf, 8));
  EXPECT_EQ(ntohl(*reinterpret_cast<uint32_t*>(buf + 4)), 7u);
  close(bad);
  close(good);
}

TEST(Connection, NegativeFrameSizeCloses) {
  Harness h;
  int fd = Connect(h.server.port());
  uint32_t neg = htonl(0xFFFFFFF0u);
  ASSERT_EQ(write(fd, &neg, 4), 4);
  char c;
  EXPECT_EQ(read(fd, &c, 1), 0);
  close(fd);
}

TEST(Connection, HandlerMayCloseTheConnection) {
  Harness h;
  int fd = Connect(h.server.port());
  std::string req = Request(4, 1) + Request(2, 2);
  ASSERT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  char c;
  EXPECT_EQ(read(fd, &c, 1), 0);
  close(fd);
}

TEST(Connection, FrameSplitAcrossManyWritesIsReassembled) {
  Harness h;
  int fd = Connect(h.server.port());
  std::string req = Request(2, 55);
  for (char ch : req) {
    ASSERT_EQ(write(fd, &ch, 1), 1);
  }
  uint8_t buf[8];
  ASSERT_TRUE(ReadAll(fd, buf, 8));
  EXPECT_EQ(ntohl(*reinterpret_cast<uint32_t*>(buf + 4)), 55u);
  close(fd);
}

}  // namespace
}  // namespace sluice::broker
