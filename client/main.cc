// sluice: the operator CLI (CONTRACT.md "CLI"). Only wiring; everything is in sluice_client.
#include <iostream>
#include <string>
#include <vector>

#include "client/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return sluice::client::RunCli(args, std::cin, std::cout, std::cerr);
}
