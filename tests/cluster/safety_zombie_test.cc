// Zombie leader (issue 3): a partition leader is paused (SIGSTOP) past its ZooKeeper session
// timeout while a client connected only to it keeps writing acks=all. None of those writes is
// acknowledged; the controller elects a new leader from the ISR and other clients write there.
// On SIGCONT the old leader first appends the produce requests that queued up while it was
// stopped (writes nobody acknowledged), then learns it lost leadership (session expired,
// re-registered, LeaderAndIsr as follower), truncates by leader epoch and catches up: the three
// replicas' log files end up byte-identical, and every acknowledged write is there.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "tests/cluster/safety_cluster.h"

namespace sluice::testing {
namespace {

constexpr char kTopic[] = "zombie";
constexpr int kParts = 3;

// A client bound to one broker: one acks=all Produce v7 at a time on one connection, each
// record value unique; remembers every answer.
class PinnedWriter {
 public:
  struct Attempt {
    std::string value;
    bool sent_while_fenced = false;  // sent after the leader was paused
    std::optional<int16_t> error_code;
  };

  PinnedWriter(int port, int32_t partition) : port_(port), partition_(partition) {}
  ~PinnedWriter() { Stop(); }

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  void MarkFenced() { fenced_.store(true); }
  std::vector<Attempt> attempts() {
    std::lock_guard<std::mutex> lock(mu_);
    return attempts_;
  }

 private:
  void Run() {
    int32_t correlation = 0;
    std::optional<RawConnection> conn;
    for (int i = 0; !stop_.load(); ++i) {
      if (!conn.has_value()) {
        auto c = RawConnection::Connect(port_);
        if (!c.ok()) {
          std::this_thread::sleep_for(100ms);
          continue;
        }
        conn.emplace(std::move(c).value());
      }
      Attempt a;
      a.value = "pinned-" + std::to_string(i);
      a.sent_while_fenced = fenced_.load();
      std::string batch = BuildRecordBatch({a.value}, 1700000000000);
      ++correlation;
      Status s = conn->Send(ProduceV7WithTimeout(correlation, kTopic, partition_, batch, -1, 2000));
      if (s.ok()) {
        // Long enough to outlast the pause: the answer to a request sent into a stopped broker
        // comes after SIGCONT.
        auto frame = conn->ReadFrame(60s);
        if (frame.ok()) {
          auto parsed = ParseProduceV7Response(*frame, correlation);
          if (parsed.ok()) a.error_code = parsed->error_code;
        }
        if (!a.error_code.has_value()) conn.reset();
      } else {
        conn.reset();
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        attempts_.push_back(a);
      }
      std::this_thread::sleep_for(20ms);
    }
  }

  int port_;
  int32_t partition_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> fenced_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Attempt> attempts_;
};

class ZombieLeaderTest : public SafetyCluster {};

TEST_F(ZombieLeaderTest, PausedLeaderAcknowledgesNothingThenTruncatesToTheNewLeader) {
  // Broker default min.insync.replicas=1, the risky setting: only the ISR fence stops a zombie.
  StartCluster();
  CLUSTER_ASSERT_OK(CreateTopic(Bootstrap(), kTopic, kParts, 3, 60s));
  ASSERT_TRUE(WaitFor([&] { return AllIsr(kTopic, kParts, 3); }, 30s));

  // The victim: the leader of a partition, not the controller (its failover is tested elsewhere).
  const int32_t controller = ControllerId();
  int32_t part = -1, zombie = -1;
  for (const auto& [p, st] : States(kTopic, kParts)) {
    if (st.leader.value() != controller) {
      part = p;
      zombie = st.leader.value();
      break;
    }
  }
  ASSERT_GE(part, 0) << "every partition is led by the controller:" << Describe(kTopic, kParts);
  std::vector<int32_t> others;
  for (int32_t id = 1; id <= 3; ++id) {
    if (id != zombie) others.push_back(id);
  }
  const auto old_state = *State(kTopic, part);
  std::cerr << "[zombie] partition=" << part << " leader=" << zombie
            << " controller=" << controller << "\n";

  std::vector<Record> acked;
  {
    std::vector<Record> recs(200);
    for (int i = 0; i < 200; ++i) {
      recs[i].partition = i % kParts;  // every partition has data to compare at the end
      recs[i].value = "before-" + std::to_string(i);
    }
    auto r = ProduceAll(Bootstrap(), kTopic, recs, {{"acks", "all"}}, 60s);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->acked_count, 200) << r->first_error;
    acked = r->acked;
  }

  PinnedWriter writer(broker(zombie).port(), part);
  writer.Start();
  ASSERT_TRUE(WaitFor([&] { return writer.attempts().size() >= 20; }, 30s));
  for (const auto& a : writer.attempts()) {
    ASSERT_EQ(a.error_code, std::optional<int16_t>(0)) << "healthy leader refused " << a.value;
  }

  Pause(zombie);
  writer.MarkFenced();
  auto paused_at = std::chrono::steady_clock::now();
  // More requests queue up in the stopped broker's socket: it appends them when it wakes.
  std::vector<RawConnection> queued;
  for (int c = 0; c < 3; ++c) {
    auto conn = RawConnection::Connect(broker(zombie).port());
    ASSERT_TRUE(conn.ok()) << conn.status();
    std::vector<std::string> values;
    for (int i = 0; i < 10; ++i) values.push_back("queued-" + std::to_string(c * 10 + i));
    CLUSTER_ASSERT_OK(conn->Send(ProduceV7WithTimeout(
        100 + c, kTopic, part, BuildRecordBatch(values, 1700000000000), -1, 2000)));
    queued.push_back(std::move(conn).value());
  }

  // The controller replaces the zombie once its session expires.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto st = State(kTopic, part);
        return st.has_value() && st->leader.value() >= 0 && st->leader.value() != zombie &&
               !HasId(st->isr, zombie) && HasId(st->isr, st->leader.value());
      },
      std::chrono::milliseconds(4 * kSessionTimeoutMs)))
      << "no new leader:" << Describe(kTopic, kParts);
  const auto new_state = *State(kTopic, part);
  const int32_t new_leader = new_state.leader.value();
  EXPECT_GT(new_state.leader_epoch.value(), old_state.leader_epoch.value());
  std::cerr << "[zombie] new_leader=" << new_leader << " after_ms="
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - paused_at)
                   .count()
            << " isr=" << IdList(new_state.isr) << "\n";

  // Others write to the new leader while the zombie sleeps.
  {
    std::vector<Record> recs(300);
    for (int i = 0; i < 300; ++i) {
      recs[i].partition = part;
      recs[i].value = "new-leader-" + std::to_string(i);
    }
    auto r = ProduceAll(Bootstrap(others), kTopic, recs, {{"acks", "all"}}, 60s);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->acked_count, 300) << r->first_error;
    acked.insert(acked.end(), r->acked.begin(), r->acked.end());
  }

  Resume(zombie);
  auto resumed_at = std::chrono::steady_clock::now();
  // The queued requests get answers, none of them success.
  for (size_t c = 0; c < queued.size(); ++c) {
    auto frame = queued[c].ReadFrame(30s);
    if (!frame.ok()) continue;  // closed without an answer: not acknowledged either
    auto parsed = ParseProduceV7Response(*frame, static_cast<int32_t>(100 + c));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_NE(parsed->error_code, 0) << "zombie acknowledged queued request " << c;
  }

  // The zombie re-registers, follows the new leader, and returns to the ISR.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto st = State(kTopic, part);
        return st.has_value() && st->leader.value() == new_leader && HasId(st->isr, zombie);
      },
      90s))
      << "zombie never rejoined:" << Describe(kTopic, kParts);
  std::cerr << "[zombie] rejoined_isr_ms="
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - resumed_at)
                   .count()
            << "\n";
  // Let the pinned client see the zombie answer as a follower for a moment, then stop it.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto all = writer.attempts();
        return !all.empty() && all.back().error_code.has_value() && *all.back().error_code != 0;
      },
      30s));
  writer.Stop();

  std::set<std::string> pinned_acked;
  int fenced_attempts = 0;
  for (const auto& a : writer.attempts()) {
    if (a.sent_while_fenced) {
      ++fenced_attempts;
      EXPECT_NE(a.error_code, std::optional<int16_t>(0))
          << "zombie acknowledged " << a.value << " sent after it was paused";
    }
    if (a.error_code == std::optional<int16_t>(0)) pinned_acked.insert(a.value);
  }
  EXPECT_GE(fenced_attempts, 1);
  std::cerr << "[zombie] pinned_writes=" << writer.attempts().size()
            << " acked_before_pause=" << pinned_acked.size()
            << " attempts_after_pause=" << fenced_attempts << "\n";

  // Quiesced: the three replicas hold the same bytes.
  EXPECT_TRUE(LogsIdentical(kTopic, kParts, {1, 2, 3}, 60s));

  // The zombie's own account: it lost its session, re-registered, became follower, and cut the
  // unacknowledged tail it had appended.
  std::string out = broker(zombie).ReadOutput();
  EXPECT_NE(out.find("zookeeper_session_expired"), std::string::npos);
  size_t first_reg = out.find("broker_registered");
  ASSERT_NE(first_reg, std::string::npos);
  EXPECT_NE(out.find("broker_registered", first_reg + 1), std::string::npos)
      << "zombie never re-registered";
  std::string tp = std::string(kTopic) + "-" + std::to_string(part);
  EXPECT_NE(out.find("replica_truncate partition=" + tp), std::string::npos)
      << "the zombie's unacknowledged appends were not truncated";

  auto consumed = ConsumeAll(Bootstrap(), kTopic, 60s);
  ASSERT_TRUE(consumed.ok()) << consumed.status();
  std::map<int32_t, std::map<int64_t, std::string>> by_offset;
  for (const auto& [p, recs] : *consumed) {
    for (const auto& r : recs) by_offset[p][r.offset] = r.value.value_or("");
  }
  const std::map<int64_t, std::string>& log = by_offset[part];
  int missing = 0;
  for (const auto& r : acked) {
    auto it = by_offset[r.partition].find(r.offset);
    if (it == by_offset[r.partition].end() || it->second != r.value.value_or("")) ++missing;
  }
  EXPECT_EQ(missing, 0) << "acknowledged writes lost";
  std::set<std::string> values;
  for (const auto& [off, v] : log) values.insert(v);
  for (const auto& v : pinned_acked) EXPECT_EQ(values.count(v), 1u) << v << " acked but lost";
  for (const auto& a : writer.attempts()) {
    if (a.sent_while_fenced) {
      EXPECT_EQ(values.count(a.value), 0u) << a.value << " survived";
    }
  }
  for (const auto& [off, v] : log) {
    EXPECT_NE(v.rfind("queued-", 0), 0u) << "unacknowledged zombie write " << v << " survived";
  }
}

}  // namespace
}  // namespace sluice::testing
