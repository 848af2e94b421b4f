#include "broker/broker.h"

#include <glog/logging.h>

#include "broker/dispatcher.h"
#include "broker/event_loop.h"
#include "broker/metadata_cache.h"
#include "broker/purgatory.h"
#include "broker/request_context.h"
#include "broker/server.h"

namespace sluice::broker {

struct Broker::Impl {
  explicit Impl(Config c) : config(std::move(c)) {}

  Config config;
  EventLoop loop;
  MetadataCache metadata;
  Purgatory produce_purgatory{&loop};
  Purgatory fetch_purgatory{&loop};
  BrokerContext ctx;
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<Server> server;
  bool stopping = false;

  Status Start();
  void Stop();
};

Status Broker::Impl::Start() {
  ctx.config = &config;
  ctx.loop = &loop;
  ctx.metadata = &metadata;
  ctx.produce_purgatory = &produce_purgatory;
  ctx.fetch_purgatory = &fetch_purgatory;
  ctx.broker_id = config.broker_id;
  dispatcher = std::make_unique<Dispatcher>(&ctx);
  server = std::make_unique<Server>(loop.base(), dispatcher.get(), config.socket_request_max_bytes);
  SLUICE_RETURN_IF_ERROR(server->Listen(config.listener));
  ctx.advertised = config.advertised_listener;
  if (!config.advertised_explicit || ctx.advertised.port == 0) ctx.advertised.port = server->port();
  loop.OnTerminate([this] { Stop(); });
  LOG(INFO) << "broker_started broker_id=" << config.broker_id
            << " advertised=" << ctx.advertised.ToString();
  return Status::Ok();
}

void Broker::Impl::Stop() {
  if (stopping) return;
  stopping = true;
  LOG(INFO) << "broker_stopping broker_id=" << config.broker_id;
  server->StopAccepting();
  produce_purgatory.ExpireAll();
  fetch_purgatory.ExpireAll();
  server->CloseAll();
  loop.Stop();
}

Broker::Broker(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Broker::~Broker() = default;

int Broker::Run() {
  Status s = impl_->Start();
  if (!s.ok()) {
    LOG(ERROR) << "broker_start_failed error=" << s;
    return 1;
  }
  impl_->loop.Run();
  LOG(INFO) << "broker_stopped broker_id=" << impl_->config.broker_id;
  return 0;
}

void Broker::Shutdown() {
  Impl* impl = impl_.get();
  impl->loop.Post([impl] { impl->Stop(); });
}

}  // namespace sluice::broker
