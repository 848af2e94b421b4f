// ZkSession and ZkEnsemble against real ZooKeeper servers (label cluster).
#include "coordinator/zk_session.h"

#include <gtest/gtest.h>

#include <fstream>

#include "coordinator/sync_zk.h"
#include "tests/support/zk_ensemble.h"
#include "tests/unit/coordinator/zk_test_util.h"

namespace sluice::coordinator {
namespace {

using namespace std::chrono_literals;
using testing::TestLoop;
using testing::WaitFor;
using testing::ZkEnsemble;

struct SessionFixture {
  explicit SessionFixture(const std::string& connect) {
    loop.RunSync([&] {
      session = std::make_unique<ZkSession>(&loop, ZkSessionOptions{connect, 6000ms, 500ms});
      session->AddListener([this](const SessionEvent& e) {
        events.Update([&](std::vector<SessionEvent>& v) { v.push_back(e); });
      });
      session->Start();
    });
  }
  ~SessionFixture() {
    loop.RunSync([&] { session.reset(); });
  }
  bool Connected() {
    bool c = false;
    loop.RunSync([&] { c = session->connected(); });
    return c;
  }
  TestLoop loop;
  std::unique_ptr<ZkSession> session;
  Shared<std::vector<SessionEvent>> events;
};

TEST(ZkEnsembleTest, SingleServerServesAndStopsByPid) {
  ZkEnsemble zk(1);
  ASSERT_TRUE(zk.ok()) << zk.status();
  EXPECT_EQ(zk.Mode(0), "standalone");
  EXPECT_NE(testing::FourLetterWord(zk.client_port(0), "ruok"), "");
  pid_t pid = zk.pid(0);
  zk.Stop(0);
  EXPECT_EQ(zk.pid(0), -1);
  EXPECT_NE(kill(pid, 0), 0) << "server process still exists";
  EXPECT_EQ(zk.Mode(0), "");
  ASSERT_TRUE(zk.Start(0).ok());
  EXPECT_EQ(zk.Mode(0), "standalone");
}

TEST(ZkSessionTest, ConnectsWithChrootAndCreatesIt) {
  ZkEnsemble zk(1);
  ASSERT_TRUE(zk.ok()) << zk.status();
  SessionFixture f(zk.connect_string() + "/sluice/test");
  ASSERT_TRUE(WaitFor([&] { return f.Connected(); }, 20s)) << "no session";

  auto created = Await<ZkCreated>(f.loop, [&](auto done) {
    f.session->Create("/hello", "world", CreateMode::kPersistent, done);
  });
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->err, ZkErrc::kOk);
  EXPECT_EQ(created->path, "/hello");

  SyncZk raw;
  ASSERT_TRUE(raw.Connect(zk.connect_string()).ok());
  ZkRead r = raw.Get("/sluice/test/hello");
  EXPECT_EQ(r.err, ZkErrc::kOk);
  EXPECT_EQ(r.data, "world");
  auto events = f.events.Get();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].type, SessionEventType::kConnected);
  EXPECT_TRUE(events[0].new_session);
}

TEST(ZkSessionTest, ReadsWritesWatchesAndMulti) {
  ZkEnsemble zk(1);
  ASSERT_TRUE(zk.ok()) << zk.status();
  SessionFixture f(zk.connect_string());
  ASSERT_TRUE(WaitFor([&] { return f.Connected(); }, 20s));

  auto ensured = Await<ZkErrc>(f.loop, [&](auto done) { f.session->EnsurePath("/a/b/c", done); });
  ASSERT_TRUE(ensured.has_value());
  EXPECT_EQ(*ensured, ZkErrc::kOk);

  Shared<std::vector<WatchEvent>> fired;
  auto children = Await<ZkChildren>(f.loop, [&](auto done) {
    f.session->GetChildren("/a/b", done, [&](const WatchEvent& e) {
      fired.Update([&](std::vector<WatchEvent>& v) { v.push_back(e); });
    });
  });
  ASSERT_TRUE(children.has_value());
  EXPECT_EQ(children->children, std::vector<std::string>{"c"});

  auto dup = Await<ZkCreated>(f.loop, [&](auto done) {
    f.session->Create("/a/b/c", "", CreateMode::kPersistent, done);
  });
  EXPECT_EQ(dup->err, ZkErrc::kNodeExists);
  auto eph = Await<ZkCreated>(f.loop, [&](auto done) {
    f.session->Create("/a/b/e", "x", CreateMode::kEphemeral, done);
  });
  EXPECT_EQ(eph->err, ZkErrc::kOk);
  ASSERT_TRUE(WaitFor([&] { return fired.Get().size() == 1; }, 10s)) << "child watch not fired";
  EXPECT_EQ(fired.Get()[0].type, WatchEventType::kChild);
  EXPECT_EQ(fired.Get()[0].path, "/a/b");

  auto read = Await<ZkRead>(f.loop, [&](auto done) { f.session->Get("/a/b/e", done); });
  EXPECT_EQ(read->data, "x");
  int64_t sid = 0;
  f.loop.RunSync([&] { sid = f.session->session_id(); });
  EXPECT_EQ(read->stat.ephemeral_owner, sid);

  // Multi with a check op: a wrong version fails the whole transaction.
  auto bad = Await<ZkMultiResult>(f.loop, [&](auto done) {
    f.session->Multi({ZkOp::Check("/a/b/c", 5), ZkOp::Set("/a/b/e", "y", -1)}, done);
  });
  EXPECT_EQ(bad->err, ZkErrc::kBadVersion);
  EXPECT_EQ(bad->failed_op, 0);
  auto good = Await<ZkMultiResult>(f.loop, [&](auto done) {
    f.session->Multi({ZkOp::Check("/a/b/c", 0), ZkOp::Set("/a/b/e", "y", 0),
                      ZkOp::Create("/a/b/n", "z")},
                     done);
  });
  EXPECT_EQ(good->err, ZkErrc::kOk);
  ASSERT_EQ(good->results.size(), 3u);
  EXPECT_EQ(good->results[1].stat.version, 1);
  EXPECT_EQ(good->results[2].path, "/a/b/n");

  auto deleted = Await<ZkErrc>(f.loop, [&](auto done) { f.session->DeleteRecursive("/a", done); });
  EXPECT_EQ(*deleted, ZkErrc::kOk);
  auto gone = Await<ZkRead>(f.loop, [&](auto done) { f.session->Exists("/a", done); });
  EXPECT_EQ(gone->err, ZkErrc::kNoNode);
}

TEST(ZkSessionTest, UnreachableAtStartRetriesThenConnects) {
  ZkEnsemble zk(1);
  ASSERT_TRUE(zk.ok()) << zk.status();
  zk.Stop(0);
  SessionFixture f(zk.connect_string());
  // Nothing to connect to: no crash, no session; it keeps retrying.
  EXPECT_FALSE(WaitFor([&] { return f.Connected(); }, 1500ms));
  ASSERT_TRUE(zk.Start(0).ok());
  EXPECT_TRUE(WaitFor([&] { return f.Connected(); }, 30s)) << "did not connect after ZK came up";
}

TEST(ZkSessionTest, DisconnectedLongerThanTimeoutIsTreatedAsExpiredAndRecovers) {
  ZkEnsemble zk(1);
  ASSERT_TRUE(zk.ok()) << zk.status();
  TestLoop loop;
  std::unique_ptr<ZkSession> session;
  Shared<std::vector<SessionEvent>> events;
  loop.RunSync([&] {
    session = std::make_unique<ZkSession>(&loop, ZkSessionOptions{zk.connect_string(), 2000ms});
    session->AddListener([&](const SessionEvent& e) {
      events.Update([&](std::vector<SessionEvent>& v) { v.push_back(e); });
    });
    session->Start();
  });
  auto has = [&](SessionEventType t) {
    for (const auto& e : events.Get()) {
      if (e.type == t) return true;
    }
    return false;
  };
  ASSERT_TRUE(WaitFor([&] { return has(SessionEventType::kConnected); }, 20s));
  zk.Pause(0);  // the server stops answering: the client sees a disconnect, never "expired"
  EXPECT_TRUE(WaitFor([&] { return has(SessionEventType::kExpired); }, 15s))
      << "no local expiry after the session timeout";
  zk.Resume(0);
  EXPECT_TRUE(WaitFor(
      [&] {
        auto v = events.Get();
        return v.size() >= 2 && v.back().type == SessionEventType::kConnected &&
               v.back().new_session;
      },
      30s))
      << "no new session after expiry";
  loop.RunSync([&] { session.reset(); });
}

TEST(ZkEnsembleTest, ThreeServersElectALeaderAndSurviveOneStop) {
  ZkEnsemble zk(3);
  ASSERT_TRUE(zk.ok()) << zk.status();
  int leader = -1;
  for (int i = 0; i < 3; ++i) {
    if (zk.Mode(i) == "leader") leader = i;
  }
  ASSERT_GE(leader, 0);
  zk.Stop(leader);
  EXPECT_TRUE(zk.WaitServing(30s).ok());
  SyncZk c;
  EXPECT_TRUE(c.Connect(zk.connect_string()).ok());
  EXPECT_EQ(c.Create("/x", "1").err, ZkErrc::kOk);
}

}  // namespace
}  // namespace sluice::coordinator

namespace sluice::coordinator {
namespace {

TEST(ZkScriptTest, StartStatusStopThreeServers) {
  testing::TempDir dir("sluice-zksh");
  const std::string script = std::string(SLUICE_SOURCE_DIR) + "/scripts/zk.sh";
  auto start = testing::RunCommand(script + " start " + dir.path() + "/zk 3");
  ASSERT_TRUE(start.ok());
  ASSERT_EQ(start->exit_code, 0) << start->output;
  // The last line is the connect string.
  std::string out = start->output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  const std::string connect = out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
  EXPECT_EQ(std::count(connect.begin(), connect.end(), ','), 2) << connect;
  SyncZk c;
  ASSERT_TRUE(c.Connect(connect).ok()) << connect;
  EXPECT_EQ(c.Create("/from-script", "x").err, ZkErrc::kOk);
  c.Close();
  auto status = testing::RunCommand(script + " status " + dir.path() + "/zk");
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->output.find("mode=leader"), std::string::npos) << status->output;
  std::vector<pid_t> pids;
  for (size_t pos = status->output.find("pid="); pos != std::string::npos;
       pos = status->output.find("pid=", pos + 4)) {
    pids.push_back(static_cast<pid_t>(std::stol(status->output.substr(pos + 4))));
  }
  ASSERT_EQ(pids.size(), 3u) << status->output;
  auto stop = testing::RunCommand(script + " stop " + dir.path() + "/zk");
  ASSERT_TRUE(stop.ok());
  EXPECT_EQ(stop->exit_code, 0) << stop->output;
  // Gone, or a zombie waiting for init to reap it (the script's parent shell has exited).
  auto running = [](pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    size_t paren = line.rfind(')');
    return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
  };
  for (pid_t pid : pids) EXPECT_FALSE(running(pid)) << "server " << pid << " still running";
}

}  // namespace
}  // namespace sluice::coordinator
