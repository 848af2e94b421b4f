// `sluice group list|describe|reset-offsets|delete` over librdkafka's admin API (KIP-88 etc.).
#include <algorithm>
#include <map>
#include <ostream>

#include "client/cli.h"
#include "client/kafka.h"
#include "client/output.h"

namespace sluice::client {
namespace {

using PartitionListPtr =
    std::unique_ptr<rd_kafka_topic_partition_list_t, void (*)(rd_kafka_topic_partition_list_t*)>;

PartitionListPtr NewList(int size) {
  return PartitionListPtr(rd_kafka_topic_partition_list_new(size),
                          rd_kafka_topic_partition_list_destroy);
}

Status ErrorStatus(const rd_kafka_error_t* error, const std::string& what) {
  if (error == nullptr) return Status::Ok();
  return KafkaStatus(rd_kafka_error_code(error), what, rd_kafka_error_string(error));
}

Status GroupResultStatus(const rd_kafka_group_result_t* g, const std::string& what) {
  Status s = ErrorStatus(rd_kafka_group_result_error(g), what);
  if (!s.ok()) return s;
  const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(g);
  for (int i = 0; parts != nullptr && i < parts->cnt; ++i) {
    if (parts->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(parts->elems[i].err,
                         what + " (" + parts->elems[i].topic + "-" +
                             std::to_string(parts->elems[i].partition) + ")");
    }
  }
  return Status::Ok();
}

// Without a group coordinator librdkafka only reports a local timeout; say what it likely means.
Status Explain(Status s) {
  if (s.code() != Errc::kTimedOut) return s;
  return Status::TimedOut(s.message() +
                          " (no group coordinator answered; the broker may not support consumer "
                          "groups yet)");
}

Result<std::unique_ptr<KafkaClient>> Admin(const Context& ctx) {
  return KafkaClient::Create(KafkaClient::Kind::kProducer, ctx.Bootstrap());
}

const std::string& Group(const Context& ctx) { return ctx.args.positionals()[0]; }

Status ListImpl(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(auto client, Admin(ctx));
  SLUICE_ASSIGN_OR_RETURN(EventPtr ev,
                          client->RunAdmin(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS,
                                           [](rd_kafka_t* rk, rd_kafka_AdminOptions_t* o,
                                              rd_kafka_queue_t* q) {
                                             rd_kafka_ListConsumerGroups(rk, o, q);
                                           }));
  const rd_kafka_ListConsumerGroups_result_t* res =
      rd_kafka_event_ListConsumerGroups_result(ev.get());
  size_t nerr = 0;
  const rd_kafka_error_t** errors = rd_kafka_ListConsumerGroups_result_errors(res, &nerr);
  size_t n = 0;
  const rd_kafka_ConsumerGroupListing_t** groups = rd_kafka_ListConsumerGroups_result_valid(res, &n);
  if (n == 0 && nerr > 0) return ErrorStatus(errors[0], "cannot list groups");
  std::vector<std::pair<std::string, std::string>> rows;
  for (size_t i = 0; i < n; ++i) {
    rows.emplace_back(rd_kafka_ConsumerGroupListing_group_id(groups[i]),
                      rd_kafka_consumer_group_state_name(
                          rd_kafka_ConsumerGroupListing_state(groups[i])));
  }
  std::sort(rows.begin(), rows.end());
  nlohmann::json arr = nlohmann::json::array();
  Table t({"GROUP", "STATE"});
  for (const auto& [id, state] : rows) {
    arr.push_back({{"group", id}, {"state", state}});
    t.AddRow({id, state});
  }
  if (ctx.json) PrintJson(ctx.out, {{"groups", arr}});
  else t.Print(ctx.out);
  return Status::Ok();
}

// Committed offsets of a group: (topic, partition) -> offset.
using Committed = std::map<std::pair<std::string, int32_t>, int64_t>;

Result<Committed> FetchCommitted(KafkaClient& client, const std::string& group) {
  rd_kafka_ListConsumerGroupOffsets_t* req = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), nullptr);
  Result<EventPtr> ev = client.RunAdmin(
      RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
      [&](rd_kafka_t* rk, rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_ListConsumerGroupOffsets(rk, &req, 1, o, q);
      });
  rd_kafka_ListConsumerGroupOffsets_destroy(req);
  if (!ev.ok()) return ev.status();
  size_t n = 0;
  const rd_kafka_group_result_t** groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(ev->get()), &n);
  Committed out;
  for (size_t i = 0; i < n; ++i) {
    SLUICE_RETURN_IF_ERROR(ErrorStatus(rd_kafka_group_result_error(groups[i]),
                                       "cannot fetch offsets of group '" + group + "'"));
    const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(groups[i]);
    for (int p = 0; parts != nullptr && p < parts->cnt; ++p) {
      if (parts->elems[p].offset >= 0) {
        out[{parts->elems[p].topic, parts->elems[p].partition}] = parts->elems[p].offset;
      }
    }
  }
  return out;
}

Status DescribeImpl(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(auto client, Admin(ctx));
  const char* groups[] = {Group(ctx).c_str()};
  SLUICE_ASSIGN_OR_RETURN(
      EventPtr ev, client->RunAdmin(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS,
                                    [&](rd_kafka_t* rk, rd_kafka_AdminOptions_t* o,
                                        rd_kafka_queue_t* q) {
                                      rd_kafka_DescribeConsumerGroups(rk, groups, 1, o, q);
                                    }));
  size_t n = 0;
  const rd_kafka_ConsumerGroupDescription_t** descs =
      rd_kafka_DescribeConsumerGroups_result_groups(
          rd_kafka_event_DescribeConsumerGroups_result(ev.get()), &n);
  if (n == 0) return Status::NotFound("unknown group '" + Group(ctx) + "'");
  const rd_kafka_ConsumerGroupDescription_t* d = descs[0];
  SLUICE_RETURN_IF_ERROR(ErrorStatus(rd_kafka_ConsumerGroupDescription_error(d),
                                     "cannot describe group '" + Group(ctx) + "'"));
  std::string state =
      rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(d));
  // Which member owns which partition.
  std::map<std::pair<std::string, int32_t>, std::string> owner;
  nlohmann::json members = nlohmann::json::array();
  for (size_t i = 0; i < rd_kafka_ConsumerGroupDescription_member_count(d); ++i) {
    const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(d, i);
    std::string consumer_id = rd_kafka_MemberDescription_consumer_id(m);
    nlohmann::json assigned = nlohmann::json::array();
    const rd_kafka_topic_partition_list_t* parts =
        rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(m));
    for (int p = 0; parts != nullptr && p < parts->cnt; ++p) {
      owner[{parts->elems[p].topic, parts->elems[p].partition}] = consumer_id;
      assigned.push_back({{"topic", parts->elems[p].topic},
                          {"partition", parts->elems[p].partition}});
    }
    members.push_back({{"consumer_id", consumer_id},
                       {"client_id", rd_kafka_MemberDescription_client_id(m)},
                       {"host", rd_kafka_MemberDescription_host(m)},
                       {"assignment", assigned}});
  }
  SLUICE_ASSIGN_OR_RETURN(Committed committed, FetchCommitted(*client, Group(ctx)));
  if (rd_kafka_ConsumerGroupDescription_state(d) == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD &&
      committed.empty()) {
    return Status::NotFound("unknown group '" + Group(ctx) + "'");
  }
  for (const auto& [tp, who] : owner) committed.emplace(tp, -1);
  nlohmann::json partitions = nlohmann::json::array();
  Table t({"TOPIC", "PARTITION", "COMMITTED", "HIGH-WATERMARK", "LAG", "CONSUMER"});
  int64_t total_lag = 0;
  for (const auto& [tp, offset] : committed) {
    int64_t low = -1;
    int64_t high = -1;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(client->rk(), tp.first.c_str(),
                                                              tp.second, &low, &high, 5000);
    bool known = err == RD_KAFKA_RESP_ERR_NO_ERROR;
    int64_t lag = !known ? -1 : offset >= 0 ? std::max<int64_t>(0, high - offset) : high - low;
    if (lag > 0) total_lag += lag;
    auto who = owner.find(tp);
    std::string consumer = who == owner.end() ? "" : who->second;
    partitions.push_back({{"topic", tp.first},
                          {"partition", tp.second},
                          {"committed", offset >= 0 ? nlohmann::json(offset) : nlohmann::json()},
                          {"high_watermark", known ? nlohmann::json(high) : nlohmann::json()},
                          {"lag", lag >= 0 ? nlohmann::json(lag) : nlohmann::json()},
                          {"consumer_id", consumer}});
    t.AddRow({tp.first, std::to_string(tp.second), offset >= 0 ? std::to_string(offset) : "-",
              known ? std::to_string(high) : "-", lag >= 0 ? std::to_string(lag) : "-",
              consumer.empty() ? "-" : consumer});
  }
  if (ctx.json) {
    PrintJson(ctx.out, {{"group", Group(ctx)},
                        {"state", state},
                        {"protocol", rd_kafka_ConsumerGroupDescription_partition_assignor(d)},
                        {"members", members},
                        {"partitions", partitions},
                        {"total_lag", total_lag}});
    return Status::Ok();
  }
  ctx.out << "group " << Group(ctx) << ": state " << state << ", " << members.size()
          << " member(s), total lag " << total_lag << "\n\n";
  t.Print(ctx.out);
  return Status::Ok();
}

Status DeleteImpl(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(auto client, Admin(ctx));
  rd_kafka_DeleteGroup_t* dg = rd_kafka_DeleteGroup_new(Group(ctx).c_str());
  Result<EventPtr> ev = client->RunAdmin(
      RD_KAFKA_ADMIN_OP_DELETEGROUPS,
      [&](rd_kafka_t* rk, rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_DeleteGroups(rk, &dg, 1, o, q);
      });
  rd_kafka_DeleteGroup_destroy(dg);
  if (!ev.ok()) return ev.status();
  size_t n = 0;
  const rd_kafka_group_result_t** groups =
      rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev->get()), &n);
  for (size_t i = 0; i < n; ++i) {
    SLUICE_RETURN_IF_ERROR(GroupResultStatus(groups[i], "cannot delete group '" + Group(ctx) + "'"));
  }
  if (ctx.json) PrintJson(ctx.out, {{"group", Group(ctx)}, {"deleted", true}});
  else ctx.out << "deleted group " << Group(ctx) << "\n";
  return Status::Ok();
}

Status ResetOffsetsImpl(Context& ctx) {
  std::string topic = ctx.args.Get("topic");
  if (topic.empty()) return Status::InvalidArgument("--topic is required");
  int targets = ctx.args.Has("to-earliest") + ctx.args.Has("to-latest") + ctx.args.Has("to-offset");
  if (targets != 1) {
    return Status::InvalidArgument("give exactly one of --to-earliest, --to-latest, --to-offset N");
  }
  SLUICE_ASSIGN_OR_RETURN(int64_t to_offset, ctx.args.GetInt("to-offset", 0));
  if (ctx.args.Has("to-offset") && to_offset < 0) {
    return Status::InvalidArgument("--to-offset must be >= 0");
  }
  SLUICE_ASSIGN_OR_RETURN(auto client, Admin(ctx));
  SLUICE_ASSIGN_OR_RETURN(MetadataPtr md, client->Metadata());
  std::vector<int32_t> partitions;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (topic != md->topics[i].topic || md->topics[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    for (int p = 0; p < md->topics[i].partition_cnt; ++p) {
      partitions.push_back(md->topics[i].partitions[p].id);
    }
  }
  if (partitions.empty()) return Status::NotFound("unknown topic '" + topic + "'");
  std::sort(partitions.begin(), partitions.end());
  PartitionListPtr list = NewList(static_cast<int>(partitions.size()));
  nlohmann::json plan = nlohmann::json::array();
  Table t({"TOPIC", "PARTITION", "NEW-OFFSET"});
  for (int32_t p : partitions) {
    int64_t low = 0;
    int64_t high = 0;
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(client->rk(), topic.c_str(), p, &low, &high, 5000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(err, "cannot read offsets of " + topic + "-" + std::to_string(p));
    }
    int64_t target = ctx.args.Has("to-earliest") ? low
                     : ctx.args.Has("to-latest") ? high
                                                 : std::clamp(to_offset, low, high);
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = target;
    plan.push_back({{"topic", topic}, {"partition", p}, {"offset", target}});
    t.AddRow({topic, std::to_string(p), std::to_string(target)});
  }
  bool execute = ctx.args.Has("execute");
  if (execute) {
    rd_kafka_AlterConsumerGroupOffsets_t* req =
        rd_kafka_AlterConsumerGroupOffsets_new(Group(ctx).c_str(), list.get());
    Result<EventPtr> ev = client->RunAdmin(
        RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS,
        [&](rd_kafka_t* rk, rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
          rd_kafka_AlterConsumerGroupOffsets(rk, &req, 1, o, q);
        });
    rd_kafka_AlterConsumerGroupOffsets_destroy(req);
    if (!ev.ok()) return ev.status();
    size_t n = 0;
    const rd_kafka_group_result_t** groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(ev->get()), &n);
    for (size_t i = 0; i < n; ++i) {
      SLUICE_RETURN_IF_ERROR(
          GroupResultStatus(groups[i], "cannot reset offsets of group '" + Group(ctx) + "'"));
    }
  }
  if (ctx.json) {
    PrintJson(ctx.out, {{"group", Group(ctx)}, {"executed", execute}, {"offsets", plan}});
    return Status::Ok();
  }
  t.Print(ctx.out);
  ctx.out << (execute ? "offsets reset\n" : "dry run: add --execute to apply\n");
  return Status::Ok();
}

Status List(Context& ctx) { return Explain(ListImpl(ctx)); }
Status Describe(Context& ctx) { return Explain(DescribeImpl(ctx)); }
Status Delete(Context& ctx) { return Explain(DeleteImpl(ctx)); }
Status ResetOffsets(Context& ctx) { return Explain(ResetOffsetsImpl(ctx)); }

}  // namespace

std::vector<CommandSpec> GroupCommands() {
  return {
      {"group list", "", 0, 0, "List consumer groups.", {}, List, ""},
      {"group describe", "GROUP", 1, 1,
       "Members, assignment, committed offsets and lag per partition.", {}, Describe, ""},
      {"group reset-offsets", "GROUP", 1, 1,
       "Move a group's committed offsets on a topic (dry run unless --execute).",
       {{"topic", "TOPIC", "topic whose offsets to reset (required)"},
        {"to-earliest", "", "to each partition's log start"},
        {"to-latest", "", "to each partition's high watermark"},
        {"to-offset", "N", "to N (clamped to the partition's range)"},
        {"execute", "", "apply (the group must have no active members)"}},
       ResetOffsets, ""},
      {"group delete", "GROUP", 1, 1, "Delete a consumer group (it must be empty).", {}, Delete,
       ""},
  };
}

}  // namespace sluice::client
