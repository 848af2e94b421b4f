#include "broker/metadata_cache.h"

namespace sluice::broker {

void MetadataCache::SetBrokers(std::vector<BrokerEndpoint> brokers) {
  brokers_.clear();
  for (auto& b : brokers) brokers_[b.id] = std::move(b);
}

void MetadataCache::AddOrUpdateBroker(BrokerEndpoint broker) { brokers_[broker.id] = std::move(broker); }

void MetadataCache::UpdatePartition(const std::string& topic, int32_t partition,
                                    PartitionInfo info) {
  if (info.leader == kLeaderDuringDelete) {
    auto it = topics_.find(topic);
    if (it == topics_.end()) return;
    it->second.erase(partition);
    if (it->second.empty()) topics_.erase(it);
    return;
  }
  topics_[topic][partition] = std::move(info);
}

void MetadataCache::RemoveTopic(const std::string& topic) { topics_.erase(topic); }

const TopicInfo* MetadataCache::FindTopic(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? nullptr : &it->second;
}

const PartitionInfo* MetadataCache::FindPartition(const std::string& topic,
                                                  int32_t partition) const {
  const TopicInfo* t = FindTopic(topic);
  if (t == nullptr) return nullptr;
  auto it = t->find(partition);
  return it == t->end() ? nullptr : &it->second;
}

bool MetadataCache::AllPartitionsHaveLiveLeaders(const std::string& topic) const {
  const TopicInfo* t = FindTopic(topic);
  if (t == nullptr || t->empty()) return false;
  for (const auto& [index, p] : *t) {
    if (p.leader < 0 || !IsBrokerAlive(p.leader)) return false;
  }
  return true;
}

}  // namespace sluice::broker
