// sluiced --config server.properties [--override key=value ...]   (CONTRACT.md)
// Exit codes: 0 clean stop, 2 bad configuration, 1 anything else.
#include <glog/logging.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "broker/broker.h"
#include "broker/config.h"

int main(int argc, char** argv) {
  FLAGS_logtostderr = true;  // daemons under a supervisor or test harness log to stderr
  google::InitGoogleLogging(argv[0]);
  // Flags are parsed here rather than by gflags: --override repeats, which gflags cannot express.
  std::string config_path;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << "usage: sluiced --config server.properties [--override key=value ...]\n";
      return 0;
    }
    if (args[i] == "--config" || args[i] == "-config") {
      if (i + 1 < args.size()) config_path = args[++i];
    } else if (args[i].rfind("--config=", 0) == 0) {
      config_path = args[i].substr(std::strlen("--config="));
    } else if (args[i] == "--override" || args[i] == "-override") {
      ++i;  // Config::Load reads the pair
    } else if (args[i].rfind("--override=", 0) != 0) {
      LOG(ERROR) << "config_invalid unknown argument '" << args[i] << "'";
      return 2;
    }
  }
  auto config = sluice::broker::Config::Load(config_path, args);
  if (!config.ok()) {
    LOG(ERROR) << "config_invalid " << config.status();
    return 2;
  }
  return sluice::broker::Broker(std::move(config).value()).Run();  // returns after SIGTERM
}
