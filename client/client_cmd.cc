#include "client/cli.h"

namespace sluice::client {

std::vector<CommandSpec> ClientCommands() { return {}; }

}  // namespace sluice::client
