// ApiVersions (key 18): the served table. An unknown version gets UNSUPPORTED_VERSION in a v0 body
// listing ApiVersions' own range (KIP-511); the connection stays open (README §1).
#include "broker/handlers/handlers.h"
#include "protocol/error_codes.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;
using protocol::ErrorCode;

void HandleApiVersions(BrokerContext&, Request& req, Responder responder) {
  ApiVersionsResponse resp;
  const BrokerApi* self = FindBrokerApi(ApiVersionsRequest::kApiKey);
  if (req.api_version < self->min_version || req.api_version > self->max_version) {
    resp.error_code = static_cast<int16_t>(ErrorCode::kUnsupportedVersion);
    resp.api_keys.push_back({ApiVersionsRequest::kApiKey, self->min_version, self->max_version, {}});
    responder.Send(protocol::EncodeResponseFrame(resp, /*api_version=*/0,
                                                 responder.correlation_id()));
    return;
  }
  ApiVersionsRequest body;
  if (!DecodeBody(req, body, responder)) return;
  for (const BrokerApi& api : BrokerApis()) {
    resp.api_keys.push_back({api.api_key, api.min_version, api.max_version, {}});
  }
  Respond(responder, resp);
}

}  // namespace sluice::broker
