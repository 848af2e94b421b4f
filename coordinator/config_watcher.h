#pragma once
// ConfigWatcher: every broker's listener for /config/changes/config_change_<seq> (Kafka's
// ZkNodeChangeNotificationListener + ConfigChangeListener): on each new notification it reads
// the changed entity and reports topic overrides as (topic, ConfigMap); notifications older than
// 15 minutes are deleted. At start it skips the notifications that already exist (the broker
// reads a topic's config when it creates the partition: Admin::ReadTopicConfig).
//
// Thread: loop thread only (the ZkSession's Executor). Lifecycle: construct with a ZkSession,
// Start(), destroy it and the ZkSession in the same loop task. Re-arms itself on new sessions.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "coordinator/znodes.h"
#include "coordinator/zk_session.h"

namespace sluice::coordinator {

class ConfigWatcher {
 public:
  using TopicConfigFn = std::function<void(const std::string& topic, const ConfigMap& config)>;
  ConfigWatcher(ZkSession* session, TopicConfigFn on_topic_config);
  ~ConfigWatcher();
  ConfigWatcher(const ConfigWatcher&) = delete;
  ConfigWatcher& operator=(const ConfigWatcher&) = delete;

  void Start();
  // True once the initial snapshot of /config/changes is taken (later changes are reported).
  bool ready() const { return initialized_; }

 private:
  void Read(bool initial);
  void Process(const std::string& node, int64_t now_ms);

  ZkSession* session_;
  TopicConfigFn on_topic_config_;
  int listener_id_ = 0;
  int64_t last_seq_ = -1;  // highest notification sequence processed (or skipped at start)
  bool initialized_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Sequence number of "config_change_0000000042" (-1 if malformed).
int64_t NotificationSequence(const std::string& node_name);

}  // namespace sluice::coordinator
