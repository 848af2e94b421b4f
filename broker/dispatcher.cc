#include "broker/dispatcher.h"

#include <glog/logging.h>

#include <chrono>

#include "broker/handlers/handlers.h"
#include "broker/metrics/broker_metrics.h"
#include "protocol/api_keys.h"

namespace sluice::broker {

void Dispatcher::Handle(RawRequest raw, Responder responder) {
  const BrokerApi* api = FindBrokerApi(raw.api_key);
  if (api == nullptr) {
    LOG_EVERY_T(WARNING, 10) << "request_unknown_api api_key=" << raw.api_key
                             << " version=" << raw.api_version;
    responder.CloseConnection("unknown_api");
    return;
  }
  bool is_api_versions = raw.api_key == static_cast<int16_t>(protocol::ApiKey::kApiVersions);
  bool supported = raw.api_version >= api->min_version && raw.api_version <= api->max_version;
  if (!supported && !is_api_versions) {
    LOG_EVERY_T(WARNING, 10) << "request_unsupported_version api="
                             << protocol::ApiKeyName(raw.api_key)
                             << " version=" << raw.api_version;
    responder.CloseConnection("unsupported_version");
    return;
  }
  protocol::WireReader in(raw.data, raw.size);
  Request req;
  req.frame = raw.data;
  req.frame_size = raw.size;
  req.api_version = raw.api_version;
  if (!supported) {
    // ApiVersions with a version we do not know: its header layout may be unknown too; answer
    // from the fixed-offset fields only.
    req.header.request_api_key = raw.api_key;
    req.header.request_api_version = raw.api_version;
    req.header.correlation_id = raw.correlation_id;
    req.body = &in;
    api->handler(*ctx_, req, std::move(responder));
    return;
  }
  Result<protocol::RequestHeader> header = protocol::DecodeRequestHeader(in);
  if (!header.ok()) {
    LOG_EVERY_T(WARNING, 10) << "request_header_invalid api=" << protocol::ApiKeyName(raw.api_key)
                             << " error=" << header.status();
    responder.CloseConnection("bad_header");
    return;
  }
  req.header = std::move(header).value();
  req.body = &in;
  VLOG(2) << "request api=" << protocol::ApiKeyName(raw.api_key) << " version=" << raw.api_version
          << " correlation_id=" << raw.correlation_id
          << " client_id=" << req.header.client_id.value_or("");
  const auto start = std::chrono::steady_clock::now();
  api->handler(*ctx_, req, std::move(responder));
  if (ctx_->metrics != nullptr) {
    ctx_->metrics->RecordRequest(
        raw.api_key,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

}  // namespace sluice::broker
