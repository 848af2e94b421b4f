#pragma once
// Internal error category -> Kafka wire error code (STYLE.md §3). Handlers may pick a sharper code
// where they know more (NOT_CONTROLLER, TOPIC_ALREADY_EXISTS, ...).

#include "common/status.h"
#include "protocol/error_codes.h"

namespace sluice::protocol {

ErrorCode ToKafkaError(Errc code);
inline ErrorCode ToKafkaError(const Status& status) { return ToKafkaError(status.code()); }

}  // namespace sluice::protocol
