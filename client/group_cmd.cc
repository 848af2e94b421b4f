#include "client/cli.h"

namespace sluice::client {

std::vector<CommandSpec> GroupCommands() { return {}; }

}  // namespace sluice::client
