#pragma once
// Dispatcher: the connection's RequestHandler. Decodes the request header, checks the api key and
// version against the served table (unknown key or unsupported version: close the connection,
// except ApiVersions, which answers UNSUPPORTED_VERSION) and calls the API's handler.
// Loop thread only.

#include "broker/connection.h"
#include "broker/request_context.h"

namespace sluice::broker {

class Dispatcher : public RequestHandler {
 public:
  explicit Dispatcher(BrokerContext* ctx) : ctx_(ctx) {}
  void Handle(RawRequest raw, Responder responder) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace sluice::broker
