#pragma once
// librdkafka, tamed for a CLI: handles whose log lines never reach stderr (they are folded into
// the last error, which our one-line messages quote), metadata with a deadline that turns an
// unreachable bootstrap into "cannot reach bootstrap ...", and a blocking admin-call runner.
// Thread: the command's thread; librdkafka's own threads only touch the LogSink (mutex).

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace sluice::client {

using Props = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::chrono::milliseconds kConnectTimeout{5000};
inline constexpr std::chrono::milliseconds kRequestTimeout{30000};

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;

// The last warning/error librdkafka logged in this process ("" if none).
std::string LastKafkaLog();

class KafkaClient {
 public:
  enum class Kind { kProducer, kConsumer };
  // `customize` may set callbacks and an opaque on the conf before the handle is made.
  static Result<std::unique_ptr<KafkaClient>> Create(
      Kind kind, const std::string& bootstrap, const Props& props = {},
      const std::function<void(rd_kafka_conf_t*)>& customize = nullptr);
  ~KafkaClient();
  KafkaClient(const KafkaClient&) = delete;
  KafkaClient& operator=(const KafkaClient&) = delete;

  rd_kafka_t* rk() { return rk_; }
  const std::string& bootstrap() const { return bootstrap_; }

  // All topics (topic == "") or one; an unreachable cluster is "cannot reach bootstrap ...".
  Result<MetadataPtr> Metadata(std::chrono::milliseconds timeout = kConnectTimeout);
  // Runs one admin request: `start` issues it on `queue`; waits for its result event.
  Result<EventPtr> RunAdmin(
      rd_kafka_admin_op_t op,
      const std::function<void(rd_kafka_t*, rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& start,
      std::chrono::milliseconds timeout = kRequestTimeout);

  // "cannot reach bootstrap B (timed out after 5s[: reason])".
  Status Unreachable(std::chrono::milliseconds waited) const;

 private:
  KafkaClient(rd_kafka_t* rk, std::string bootstrap) : rk_(rk), bootstrap_(std::move(bootstrap)) {}
  rd_kafka_t* rk_;
  std::string bootstrap_;
};

// Kafka error → Status (never InvalidArgument: broker-side rejections exit 1). `what` prefixes.
Status KafkaStatus(rd_kafka_resp_err_t err, const std::string& what, const char* detail = nullptr);

// Parses "--acks" values: all|-1|0|1.
Result<std::string> ParseAcks(const std::string& acks);

}  // namespace sluice::client
