#include "tests/cluster/failover_drill.h"

#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>
#include <utility>

#include "tests/support/test_util.h"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int64_t MicrosSince(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
}

// One message's life, indexed by its sequence number (its value). Written by the sender
// (sent_us, before rd_kafka_producev) and by the report callback (the rest); read after both
// threads are joined.
struct MsgState {
  int64_t sent_us = -1;
  int64_t done_us = -1;  // -1 = no report yet
  int64_t offset = -1;
  int32_t err = 0;
};

// A fixed-rate producer: `rate` msgs/s over `partitions` partitions (round robin, so the sequence
// number gives the partition), a poller thread serving delivery reports as they come.
class RateProducer {
 public:
  RateProducer(const DrillOptions& o, Clock::time_point t0, size_t capacity)
      : options_(o), t0_(t0), states_(capacity) {}
  ~RateProducer() { StopAll(); }

  Status Start(const std::string& bootstrap) {
    ClientConfig config = {
        {"acks", "all"},
        // No idempotence: sluiced does not serve InitProducerId yet. Order per partition is kept
        // by one request in flight per broker; retries may leave duplicate copies, counted.
        {"enable.idempotence", "false"},
        {"max.in.flight.requests.per.connection", "1"},
        {"retries", "2147483647"},
        {"retry.backoff.ms", "100"},
        {"linger.ms", "5"},
        {"message.timeout.ms", "120000"},
        {"queue.buffering.max.messages", "2000000"},
        {"queue.buffering.max.kbytes", "2097151"},
        {"log.connection.close", "false"},
    };
    for (const auto& [k, v] : options_.producer_config) config[k] = v;
    config["bootstrap.servers"] = bootstrap;
    if (const char* debug = std::getenv("SLUICE_RDKAFKA_DEBUG"); debug != nullptr && *debug) {
      config["debug"] = debug;
    }
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char errstr[512];
    for (const auto& [k, v] : config) {
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof(errstr)) !=
          RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return Status::InvalidArgument("librdkafka " + k + "=" + v + ": " + errstr);
      }
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_dr_msg_cb(conf, &RateProducer::OnReport);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      return Status::InvalidArgument(std::string("rd_kafka_new: ") + errstr);
    }
    poller_ = std::thread([this] {
      while (!stop_poll_.load()) rd_kafka_poll(rk_, 20);
    });
    sender_ = std::thread([this] { Send(); });
    return Status::Ok();
  }

  // Stops sending; waits until every message has a report or `timeout` passes.
  void StopSending(std::chrono::milliseconds timeout) {
    stop_send_.store(true);
    if (sender_.joinable()) sender_.join();
    auto until = Clock::now() + timeout;
    while (Clock::now() < until && rd_kafka_outq_len(rk_) > 0) std::this_thread::sleep_for(10ms);
  }

  void StopAll() {
    stop_send_.store(true);
    if (sender_.joinable()) sender_.join();
    stop_poll_.store(true);
    if (poller_.joinable()) poller_.join();
    if (rk_ != nullptr) {
      // Whatever is still queued fails with _PURGE_*; reports that arrive now are not counted.
      purged_.store(true);
      rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_poll(rk_, 0);
      rd_kafka_destroy(rk_);
      rk_ = nullptr;
    }
  }

  int64_t sent() const { return sent_.load(); }
  const std::vector<MsgState>& states() const { return states_; }
  const std::string& first_error() const { return first_error_; }

 private:
  void Send() {
    std::string value(static_cast<size_t>(std::max(20, options_.value_bytes)), 'x');
    int64_t seq = 0;
    while (!stop_send_.load() && seq < static_cast<int64_t>(states_.size())) {
      int64_t due = options_.rate * MicrosSince(t0_) / 1000000;
      while (seq < due && seq < static_cast<int64_t>(states_.size()) && !stop_send_.load()) {
        char digits[21];
        std::snprintf(digits, sizeof(digits), "%020lld", static_cast<long long>(seq));
        std::memcpy(value.data(), digits, 20);
        states_[seq].sent_us = MicrosSince(t0_);
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk_, RD_KAFKA_V_TOPIC(options_.topic.c_str()),
            RD_KAFKA_V_PARTITION(static_cast<int32_t>(seq % options_.partitions)),
            RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<intptr_t>(seq))),
            RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
          states_[seq].sent_us = -1;
          std::this_thread::sleep_for(1ms);
          break;
        }
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          states_[seq].sent_us = -1;
          return;  // a local error (unknown topic...): the drill sees too few sends
        }
        sent_.store(++seq);
      }
      std::this_thread::sleep_for(1ms);
    }
  }

  static void OnReport(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<RateProducer*>(opaque);
    if (self->purged_.load()) return;
    auto seq = static_cast<size_t>(reinterpret_cast<intptr_t>(m->_private));
    if (seq >= self->states_.size()) return;
    MsgState& s = self->states_[seq];
    s.done_us = MicrosSince(self->t0_);
    s.err = m->err;
    s.offset = m->offset;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && self->first_error_.empty()) {
      self->first_error_ = std::string(rd_kafka_err2name(m->err)) + ": " +
                           rd_kafka_err2str(m->err) + " (partition " +
                           std::to_string(m->partition) + ")";
    }
  }

  DrillOptions options_;
  Clock::time_point t0_;
  std::vector<MsgState> states_;
  rd_kafka_t* rk_ = nullptr;
  std::thread sender_, poller_;
  std::atomic<bool> stop_send_{false}, stop_poll_{false}, purged_{false};
  std::atomic<int64_t> sent_{0};
  std::string first_error_;  // poller thread until joined
};

// Fills rates, unavailability and stalls from the reports (times in µs since t0).
void MeasureTimes(const DrillOptions& o, const std::vector<MsgState>& states, int64_t sent,
                  int64_t fault_us, DrillFigures* f) {
  const int64_t after_us = o.after.count() * 1000;
  const int64_t warm_us = std::min<int64_t>(2000000, fault_us / 4);  // skip connection set-up
  std::vector<std::vector<int64_t>> done(o.partitions);
  int64_t before = 0, after = 0;
  std::vector<int64_t> seconds(static_cast<size_t>(std::max<int64_t>(1, after_us / 1000000)), 0);
  for (int64_t seq = 0; seq < sent; ++seq) {
    const MsgState& s = states[seq];
    if (s.done_us < 0 || s.err != 0) continue;
    done[seq % o.partitions].push_back(s.done_us);
    if (s.done_us >= warm_us && s.done_us < fault_us) ++before;
    if (s.done_us >= fault_us && s.done_us < fault_us + after_us) {
      ++after;
      size_t b = static_cast<size_t>((s.done_us - fault_us) / 1000000);
      if (b < seconds.size()) ++seconds[b];
    }
  }
  f->rate_before = before * 1e6 / std::max<int64_t>(1, fault_us - warm_us);
  f->rate_after = after * 1e6 / std::max<int64_t>(1, after_us);
  f->worst_second_after = static_cast<double>(*std::min_element(seconds.begin(), seconds.end()));
  for (int p = 0; p < o.partitions; ++p) {
    auto& t = done[p];
    std::sort(t.begin(), t.end());
    auto first_after = std::lower_bound(t.begin(), t.end(), fault_us);
    for (auto it = std::lower_bound(t.begin(), t.end(), warm_us);
         it != first_after && it + 1 != first_after; ++it) {
      f->baseline_stall_ms = std::max(f->baseline_stall_ms, (*(it + 1) - *it) / 1000);
    }
    if (first_after == t.end()) {
      f->unavailable_ms[p] = -1;  // never delivered again
      continue;
    }
    // The longest silence that ends after the fault, clipped to start at the fault.
    int64_t best_gap = *first_after - fault_us, best_end = *first_after;
    for (auto it = first_after + 1; it != t.end(); ++it) {
      int64_t gap = *it - std::max(*(it - 1), fault_us);
      if (gap > best_gap) {
        best_gap = gap;
        best_end = *it;
      }
    }
    f->unavailable_ms[p] = best_gap / 1000;
    f->recovered_at_ms[p] = (best_end - fault_us) / 1000;
    f->max_stall_any_ms = std::max(f->max_stall_any_ms, best_gap / 1000);
  }
  for (int32_t p : f->affected) {
    int64_t u = f->unavailable_ms[p];
    if (u < 0) {
      f->max_unavailable_ms = f->max_recovered_at_ms = INT64_MAX;
      break;
    }
    f->max_unavailable_ms = std::max(f->max_unavailable_ms, u);
    f->max_recovered_at_ms = std::max(f->max_recovered_at_ms, f->recovered_at_ms[p]);
  }
}

// Reads every partition back and checks each acknowledged message is there once, in order.
Status Verify(const std::string& bootstrap, const DrillOptions& o,
              const std::vector<MsgState>& states, int64_t sent, DrillFigures* f) {
  auto consumed = ConsumeAll(bootstrap, o.topic, 180s);
  if (!consumed.ok()) return consumed.status();
  std::vector<int> copies(static_cast<size_t>(sent), 0);
  std::map<int32_t, std::map<int64_t, int64_t>> seq_at;  // partition → offset → seq
  for (const auto& [p, records] : *consumed) {
    int64_t max_seq = -1;
    for (const Record& r : records) {
      ++f->consumed;
      if (!r.value || r.value->size() < 20) return Status::Corruption("short value in log");
      int64_t seq = std::strtoll(r.value->substr(0, 20).c_str(), nullptr, 10);
      if (seq < 0 || seq >= sent || seq % o.partitions != p) {
        return Status::Corruption("value " + std::to_string(seq) + " in partition " +
                                  std::to_string(p) + " was never sent there");
      }
      seq_at[p][r.offset] = seq;
      if (copies[seq]++ > 0) {
        ++f->duplicate_records;
        continue;
      }
      if (seq < max_seq) ++f->out_of_order;
      max_seq = std::max(max_seq, seq);
    }
  }
  for (int64_t seq = 0; seq < sent; ++seq) {
    const MsgState& s = states[seq];
    bool acked = s.done_us >= 0 && s.err == 0;
    if (!acked) {
      if (copies[seq] > 0) ++f->unacked_present;
      continue;
    }
    auto& part = seq_at[static_cast<int32_t>(seq % o.partitions)];
    auto it = part.find(s.offset);
    if (it == part.end() || it->second != seq) ++f->lost;
    if (copies[seq] > 1) ++f->acked_duplicated;
  }
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// DrillCluster

DrillCluster::DrillCluster(Options options) : options_(std::move(options)) {}

DrillCluster::~DrillCluster() {
  brokers_.clear();  // brokers first, while ZooKeeper still answers their controlled shutdown
  sync_.Close();
  zk_.reset();
}

Status DrillCluster::Start(std::chrono::milliseconds deadline) {
  zk_ = std::make_unique<ZkEnsemble>(3, deadline);
  if (!zk_->ok()) return zk_->status();
  for (int id = 1; id <= 3; ++id) {
    BrokerOptions o;
    o.broker_id = id;
    o.binary = options_.sluiced;
    o.zookeeper_connect = zk_->connect_string();
    o.zookeeper_session_timeout_ms = options_.session_timeout_ms;
    o.properties = options_.properties;
    o.ready_timeout = deadline;
    if (!options_.work_root.empty()) {
      o.work_dir = options_.work_root + "/broker-" + std::to_string(id);
    }
    brokers_.push_back(std::make_unique<BrokerProcess>(std::move(o)));
  }
  for (auto& b : brokers_) SLUICE_RETURN_IF_ERROR(b->Start(/*wait=*/false));
  for (auto& b : brokers_) SLUICE_RETURN_IF_ERROR(b->WaitReady(deadline));
  SLUICE_RETURN_IF_ERROR(sync_.Connect(zk_->connect_string(), 10s, deadline));
  // Every broker registered and the controller has seen all three (else a topic created now may
  // get a lopsided assignment).
  bool all = WaitFor(
      [&] {
        auto ids = sync_.GetChildren("/brokers/ids");
        return ids.err == coordinator::ZkErrc::kOk && ids.children.size() == 3 &&
               ControllerId() > 0;
      },
      deadline);
  return all ? Status::Ok() : Status::Unavailable("brokers never all registered");
}

std::string DrillCluster::Bootstrap() const {
  std::string s;
  for (const auto& b : brokers_) s += (s.empty() ? "" : ",") + b->bootstrap();
  return s;
}

std::map<int32_t, coordinator::LeaderAndIsr> DrillCluster::States(const std::string& topic,
                                                                  int partitions) {
  std::map<int32_t, coordinator::LeaderAndIsr> out;
  for (int p = 0; p < partitions; ++p) {
    auto r = sync_.Get(coordinator::PartitionStatePath(topic, p));
    if (r.err != coordinator::ZkErrc::kOk) continue;
    auto st = coordinator::TopicPartitionStateZNode::Decode(r.data);
    if (st.ok()) out[p] = *st;
  }
  return out;
}

bool DrillCluster::AllLed(const std::string& topic, int partitions, int isr_size, int32_t dead) {
  auto states = States(topic, partitions);
  if (static_cast<int>(states.size()) != partitions) return false;
  for (const auto& [p, st] : states) {
    if (st.leader.value() < 0 || st.leader.value() == dead) return false;
    if (isr_size > 0 && static_cast<int>(st.isr.size()) != isr_size) return false;
  }
  return true;
}

int32_t DrillCluster::ControllerId() {
  auto r = sync_.Get(coordinator::kControllerPath);
  if (r.err != coordinator::ZkErrc::kOk) return -1;
  auto id = coordinator::ControllerZNode::Decode(r.data);
  return id.ok() ? id->value() : -1;
}

int32_t DrillCluster::BusiestLeader(const std::string& topic, int partitions) {
  std::map<int32_t, int> led;
  for (const auto& [p, st] : States(topic, partitions)) led[st.leader.value()]++;
  int32_t best = -1;
  int most = 0;
  for (const auto& [id, n] : led) {
    if (id > 0 && n > most) {
      best = id;
      most = n;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------

std::string DrillFigures::Summary(const std::string& name) const {
  std::ostringstream s;
  s << "drill=" << name << " victim=" << victim
    << " victim_was_controller=" << victim_was_controller
    << " affected_partitions=" << affected.size() << " sent=" << sent << " acked=" << acked
    << " failed=" << failed << " unreported=" << unreported
    << " max_unavailable_ms=" << max_unavailable_ms
    << " max_recovered_at_ms=" << max_recovered_at_ms << " max_stall_any_ms=" << max_stall_any_ms
    << " baseline_stall_ms=" << baseline_stall_ms
    << " leaders_moved_ms=" << leaders_moved_ms << " sigterm_exit_ms=" << sigterm_exit_ms
    << " rate_before=" << static_cast<int64_t>(rate_before)
    << " rate_after=" << static_cast<int64_t>(rate_after)
    << " share_after_pct=" << static_cast<int>(share_after() * 100)
    << " worst_second_after=" << static_cast<int64_t>(worst_second_after)
    << " consumed=" << consumed << " lost=" << lost << " acked_duplicated=" << acked_duplicated
    << " duplicate_records=" << duplicate_records << " out_of_order=" << out_of_order
    << " unacked_present=" << unacked_present;
  if (!first_error.empty()) s << " first_error=\"" << first_error << "\"";
  return s.str();
}

std::string DrillFigures::PartitionDetail() const {
  std::ostringstream s;
  s << "silence_ms@recovered_at_ms";
  for (const auto& [p, u] : unavailable_ms) {
    bool hit = std::find(affected.begin(), affected.end(), p) != affected.end();
    auto at = recovered_at_ms.find(p);
    s << " p" << p << (hit ? "*" : "") << ":" << u << "@"
      << (at == recovered_at_ms.end() ? -1 : at->second);
  }
  return s.str();
}

Result<DrillFigures> RunDrill(DrillCluster& cluster, const DrillOptions& o) {
  DrillFigures f;
  SLUICE_RETURN_IF_ERROR(CreateTopic(cluster.Bootstrap(), o.topic, o.partitions,
                                     o.replication_factor, 60s,
                                     {{"min.insync.replicas",
                                       std::to_string(o.min_insync_replicas)}}));
  if (!WaitFor([&] { return cluster.AllLed(o.topic, o.partitions, o.replication_factor); },
               60s)) {
    return Status::Unavailable("ISR of " + o.topic + " never full");
  }
  const auto t0 = Clock::now();
  const auto total = o.before + o.after;
  size_t capacity = static_cast<size_t>(o.rate * (total.count() / 1000 + 5));
  RateProducer producer(o, t0, capacity);
  SLUICE_RETURN_IF_ERROR(producer.Start(cluster.Bootstrap()));

  std::this_thread::sleep_until(t0 + o.before);
  f.victim = o.victim == Victim::kController ? cluster.ControllerId()
                                             : cluster.BusiestLeader(o.topic, o.partitions);
  if (f.victim < 1) return Status::Unavailable("no victim found (controller or leader)");
  f.victim_was_controller = cluster.ControllerId() == f.victim;
  for (const auto& [p, st] : cluster.States(o.topic, o.partitions)) {
    if (st.leader.value() == f.victim) f.affected.push_back(p);
  }

  const int64_t fault_us = MicrosSince(t0);
  const auto fault_at = Clock::now();
  if (o.fault == Fault::kKill9) {
    cluster.broker(f.victim).Kill9();
  } else {
    auto code = cluster.broker(f.victim).Terminate(30s);
    f.sigterm_exit_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - fault_at).count();
    if (!code.ok()) return code.status();
    if (*code != 0) return Status::Unavailable("SIGTERM exit code " + std::to_string(*code));
  }
  bool moved = WaitFor(
      [&] {
        return cluster.AllLed(o.topic, o.partitions, /*isr_size=*/0, /*dead=*/f.victim);
      },
      std::max<std::chrono::milliseconds>(o.after, 30s), 25ms);
  if (moved) {
    f.leaders_moved_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - fault_at).count();
  }
  std::this_thread::sleep_until(fault_at + o.after);
  producer.StopSending(150s);
  producer.StopAll();  // unreported messages are purged: they count as unacknowledged
  f.sent = producer.sent();
  const auto& states = producer.states();
  for (int64_t seq = 0; seq < f.sent; ++seq) {
    if (states[seq].done_us < 0) {
      ++f.unreported;
    } else if (states[seq].err == 0) {
      ++f.acked;
    } else {
      ++f.failed;
    }
  }
  f.first_error = producer.first_error();
  MeasureTimes(o, states, f.sent, fault_us, &f);
  SLUICE_RETURN_IF_ERROR(Verify(cluster.Bootstrap(), o, states, f.sent, &f));
  return f;
}

}  // namespace sluice::testing
