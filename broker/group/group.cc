#include "broker/group/group.h"

#include <algorithm>
#include <set>

namespace sluice::broker {

const char* GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty: return "Empty";
    case GroupState::kPreparingRebalance: return "PreparingRebalance";
    case GroupState::kCompletingRebalance: return "CompletingRebalance";
    case GroupState::kStable: return "Stable";
    case GroupState::kDead: return "Dead";
  }
  return "Dead";
}

std::string Member::MetadataFor(const std::string& name) const {
  for (const auto& [n, metadata] : protocols) {
    if (n == name) return metadata;
  }
  return "";
}

bool Group::AllMembersJoined() const {
  if (!pending_members.empty()) return false;
  return std::all_of(members.begin(), members.end(),
                     [](const auto& kv) { return static_cast<bool>(kv.second.awaiting_join); });
}

int32_t Group::MaxRebalanceTimeoutMs() const {
  int32_t max = 0;
  for (const auto& [mid, m] : members) max = std::max(max, m.rebalance_timeout_ms);
  return max;
}

namespace {
std::set<std::string> CandidateProtocols(const Group& g) {
  std::set<std::string> candidates;
  bool first = true;
  for (const auto& [mid, m] : g.members) {
    std::set<std::string> names;
    for (const auto& p : m.protocols) names.insert(p.first);
    if (first) {
      candidates = std::move(names);
      first = false;
      continue;
    }
    std::set<std::string> both;
    std::set_intersection(candidates.begin(), candidates.end(), names.begin(), names.end(),
                          std::inserter(both, both.begin()));
    candidates = std::move(both);
  }
  return candidates;
}
}  // namespace

bool Group::SupportsProtocols(const std::string& type, const ProtocolList& protocols) const {
  if (type.empty() || protocols.empty()) return false;
  if (members.empty()) return true;
  if (protocol_type.has_value() && *protocol_type != type) return false;
  std::set<std::string> candidates = CandidateProtocols(*this);
  return std::any_of(protocols.begin(), protocols.end(),
                     [&](const auto& p) { return candidates.count(p.first) != 0; });
}

std::optional<std::string> Group::SelectProtocol() const {
  std::set<std::string> candidates = CandidateProtocols(*this);
  if (candidates.empty()) return std::nullopt;
  std::map<std::string, int> votes;
  for (const auto& [mid, m] : members) {
    for (const auto& p : m.protocols) {
      if (candidates.count(p.first) != 0) {
        votes[p.first]++;
        break;
      }
    }
  }
  // Most votes; ties go to the first member's preference order (deterministic).
  std::optional<std::string> best;
  int best_votes = -1;
  for (const auto& p : members.begin()->second.protocols) {
    auto it = votes.find(p.first);
    if (it != votes.end() && it->second > best_votes) {
      best = p.first;
      best_votes = it->second;
    }
  }
  return best;
}

}  // namespace sluice::broker
