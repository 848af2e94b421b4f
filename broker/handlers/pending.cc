// Temporary: handlers whose dependencies have not landed yet close the connection.
#include "broker/handlers/handlers.h"

namespace sluice::broker {
void HandleCreateTopics(BrokerContext&, Request&, Responder r) { r.CloseConnection("not_implemented"); }
void HandleDeleteTopics(BrokerContext&, Request&, Responder r) { r.CloseConnection("not_implemented"); }
}  // namespace sluice::broker
