#include "coordinator/config_watcher.h"

#include <glog/logging.h>

#include <algorithm>
#include <charconv>

#include "common/clock.h"

namespace sluice::coordinator {
namespace {

constexpr int64_t kNotificationMaxAgeMs = 15 * 60 * 1000;

}  // namespace

int64_t NotificationSequence(const std::string& node_name) {
  size_t underscore = node_name.rfind('_');
  if (underscore == std::string::npos || underscore + 1 >= node_name.size()) return -1;
  int64_t seq = -1;
  const char* begin = node_name.data() + underscore + 1;
  const char* end = node_name.data() + node_name.size();
  auto [p, ec] = std::from_chars(begin, end, seq);
  if (ec != std::errc() || p != end) return -1;
  return seq;
}

ConfigWatcher::ConfigWatcher(ZkSession* session, TopicConfigFn on_topic_config)
    : session_(session), on_topic_config_(std::move(on_topic_config)) {}

ConfigWatcher::~ConfigWatcher() {
  *alive_ = false;
  if (listener_id_ != 0) session_->RemoveListener(listener_id_);
}

void ConfigWatcher::Start() {
  if (listener_id_ != 0) return;
  listener_id_ = session_->AddListener([this](const SessionEvent& e) {
    // A new session has no watches: read again (changes meanwhile are processed, not lost).
    if (e.type == SessionEventType::kConnected && e.new_session) Read(!initialized_);
  });
  if (session_->connected()) Read(/*initial=*/true);
}

void ConfigWatcher::Read(bool initial) {
  session_->GetChildren(
      kConfigChangesPath,
      [this, initial, alive = alive_](ZkChildren c) {
        if (!*alive) return;
        if (c.err != ZkErrc::kOk) {
          LOG(WARNING) << "config_changes_read_failed error=" << ZkErrcName(c.err);
          return;  // the next new session reads again
        }
        if (initial && !initialized_) {
          for (const std::string& n : c.children) {
            last_seq_ = std::max(last_seq_, NotificationSequence(n));
          }
          initialized_ = true;
          return;
        }
        std::vector<std::pair<int64_t, std::string>> fresh;
        for (const std::string& n : c.children) {
          int64_t seq = NotificationSequence(n);
          if (seq > last_seq_) fresh.emplace_back(seq, n);
        }
        std::sort(fresh.begin(), fresh.end());
        const int64_t now = WallMillis();
        for (const auto& [seq, n] : fresh) {
          last_seq_ = seq;
          Process(n, now);
        }
      },
      [this, alive = alive_](const WatchEvent& e) {
        if (*alive && e.type == WatchEventType::kChild) Read(/*initial=*/false);
      });
}

void ConfigWatcher::Process(const std::string& node, int64_t now_ms) {
  const std::string path = std::string(kConfigChangesPath) + "/" + node;
  session_->Get(path, [this, path, now_ms, alive = alive_](ZkRead r) {
    if (!*alive || r.err != ZkErrc::kOk) return;
    if (now_ms - r.stat.ctime > kNotificationMaxAgeMs) {
      session_->Delete(path, -1, [](ZkWritten) {});
    }
    Result<std::string> entity = ConfigChangeNotification::Decode(r.data);
    if (!entity.ok()) {
      LOG(WARNING) << "config_change_unreadable path=" << path << " " << entity.status();
      return;
    }
    const std::string prefix = "topics/";
    if (entity->rfind(prefix, 0) != 0) return;  // brokers/clients/users: not handled yet
    const std::string topic = entity->substr(prefix.size());
    session_->Get(ConfigTopicPath(topic), [this, topic, alive](ZkRead cfg) {
      if (!*alive) return;
      ConfigMap config;
      if (cfg.err == ZkErrc::kOk) {
        Result<ConfigMap> decoded = ConfigEntityZNode::Decode(cfg.data);
        if (!decoded.ok()) {
          LOG(WARNING) << "topic_config_unreadable topic=" << topic << " " << decoded.status();
          return;
        }
        config = std::move(decoded).value();
      } else if (cfg.err != ZkErrc::kNoNode) {
        return;
      }
      LOG(INFO) << "topic_config_reloaded topic=" << topic << " overrides=" << config.size();
      on_topic_config_(topic, config);
    });
  });
}

}  // namespace sluice::coordinator
