#include "protocol/codegen/runtime.h"

namespace sluice::protocol::codegen {

Status FinishDecode(const WireReader& in, const char* message, int16_t version) {
  if (in.ok()) return Status::Ok();
  return Status(in.status().code(),
                std::string(message) + " v" + std::to_string(version) + ": " + in.status().message());
}

Status UnsupportedVersion(const char* message, int16_t version) {
  return Status::Unsupported(std::string(message) + " has no version " + std::to_string(version));
}

}  // namespace sluice::protocol::codegen
