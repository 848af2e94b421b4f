#pragma once
// A broker's coordinator side for tests: its own loop, ZkSession, BrokerRegistration, Controller
// and Admin, with a ControllerChannel that records what the controller sent.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/admin.h"
#include "coordinator/broker_registration.h"
#include "coordinator/controller.h"
#include "coordinator/zk_session.h"
#include "tests/support/test_util.h"
#include "tests/unit/coordinator/zk_test_util.h"

namespace sluice::coordinator {

class RecordingChannel : public ControllerChannel {
 public:
  void SendLeaderAndIsr(BrokerId to, LeaderAndIsrBatch batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    leader_and_isr_.emplace_back(to, std::move(batch));
  }
  void SendUpdateMetadata(BrokerId to, UpdateMetadataBatch batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    update_metadata_.emplace_back(to, std::move(batch));
  }
  void SendStopReplica(BrokerId to, StopReplicaBatch batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    stop_replica_.emplace_back(to, std::move(batch));
  }
  std::vector<std::pair<BrokerId, LeaderAndIsrBatch>> leader_and_isr() const {
    std::lock_guard<std::mutex> lock(mu_);
    return leader_and_isr_;
  }
  std::vector<std::pair<BrokerId, UpdateMetadataBatch>> update_metadata() const {
    std::lock_guard<std::mutex> lock(mu_);
    return update_metadata_;
  }
  std::vector<std::pair<BrokerId, StopReplicaBatch>> stop_replica() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_replica_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<BrokerId, LeaderAndIsrBatch>> leader_and_isr_;
  std::vector<std::pair<BrokerId, UpdateMetadataBatch>> update_metadata_;
  std::vector<std::pair<BrokerId, StopReplicaBatch>> stop_replica_;
};

inline BrokerInfo TestBrokerInfo(int32_t id) {
  BrokerInfo info;
  info.id = BrokerId(id);
  info.endpoints = {EndPoint{"PLAINTEXT", "127.0.0.1", 9090 + id, "PLAINTEXT"}};
  return info;
}

class ZkNode {
 public:
  ZkNode(int32_t id, const std::string& connect,
         std::chrono::milliseconds session_timeout = std::chrono::milliseconds(4000),
         bool with_controller = true,
         std::chrono::milliseconds rebalance_interval = std::chrono::minutes(5))
      : id_(id) {
    loop_.RunSync([&] {
      session_ = std::make_unique<ZkSession>(
          &loop_, ZkSessionOptions{connect, session_timeout, std::chrono::milliseconds(1000)});
      registration_ = std::make_unique<BrokerRegistration>(
          session_.get(), TestBrokerInfo(id), [this](const Registration& r) {
            registrations_.Update([&](std::vector<Registration>& v) { v.push_back(r); });
          });
      if (with_controller) {
        ControllerOptions options{BrokerId(id), false};
        options.leader_imbalance_check_interval = rebalance_interval;
        controller_ = std::make_unique<Controller>(session_.get(), &channel_, options);
      }
      admin_ = std::make_unique<Admin>(session_.get());
      session_->Start();
      registration_->Start();
      if (controller_) controller_->Start();
    });
  }
  ~ZkNode() { Close(); }

  // Closes the session (its ephemeral nodes vanish at once), like a clean process exit.
  void Close() {
    loop_.RunSync([&] {
      controller_.reset();
      registration_.reset();
      admin_.reset();
      session_.reset();
    });
  }

  template <typename T>
  T OnLoop(const std::function<T()>& fn) {
    T out{};
    loop_.RunSync([&] { out = fn(); });
    return out;
  }
  bool registered() {
    return OnLoop<bool>([&] { return registration_ && registration_->registered(); });
  }
  bool waiting() {
    return OnLoop<bool>([&] { return registration_ && registration_->waiting_for_old_session(); });
  }
  int64_t broker_epoch() {
    return OnLoop<int64_t>([&] { return registration_->registration().broker_epoch; });
  }
  bool is_controller() {
    return OnLoop<bool>([&] { return controller_ && controller_->is_controller(); });
  }
  int32_t controller_epoch() {
    return OnLoop<int32_t>([&] { return controller_->epoch().value(); });
  }
  int64_t session_id() {
    return OnLoop<int64_t>([&] { return session_ ? session_->session_id() : 0; });
  }
  std::optional<PartitionState> partition_state(const std::string& t, int32_t p) {
    return OnLoop<std::optional<PartitionState>>(
        [&] { return controller_->partition_state(t, p); });
  }

  std::optional<CreatedTopic> CreateTopic(NewTopic topic, bool validate_only = false) {
    return Await<CreatedTopic>(loop_, [this, topic, validate_only](auto done) {
      admin_->CreateTopic(topic, validate_only, done);
    });
  }
  std::optional<AdminResult> DeleteTopic(const std::string& name) {
    return Await<AdminResult>(loop_,
                              [this, name](auto done) { admin_->DeleteTopic(name, done); });
  }

  std::optional<AdminResult> AlterTopicConfig(const std::string& name, const ConfigMap& configs,
                                              bool validate_only = false) {
    return Await<AdminResult>(loop_, [this, name, configs, validate_only](auto done) {
      admin_->AlterTopicConfig(name, configs, validate_only, done);
    });
  }
  std::optional<Result<ConfigMap>> ReadTopicConfig(const std::string& name) {
    return Await<Result<ConfigMap>>(
        loop_, [this, name](auto done) { admin_->ReadTopicConfig(name, done); });
  }

  int32_t id() const { return id_; }
  ZkSession* session() { return session_.get(); }
  RecordingChannel& channel() { return channel_; }
  testing::TestLoop& loop() { return loop_; }
  Controller* controller() { return controller_.get(); }
  std::vector<Registration> registrations() { return registrations_.Get(); }

 private:
  int32_t id_;
  testing::TestLoop loop_;
  RecordingChannel channel_;
  std::unique_ptr<ZkSession> session_;
  std::unique_ptr<BrokerRegistration> registration_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<Admin> admin_;
  Shared<std::vector<Registration>> registrations_;
};

}  // namespace sluice::coordinator
