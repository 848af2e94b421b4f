#include "client/cli.h"

namespace sluice::client {

std::vector<CommandSpec> PerfCommands() { return {}; }

}  // namespace sluice::client
