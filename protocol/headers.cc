#include "protocol/headers.h"

#include <string>

#include "protocol/api_keys.h"

namespace sluice::protocol {

std::optional<int16_t> RequestHeaderVersion(int16_t api_key, int16_t api_version) {
  const ApiInfo* info = FindApiInfo(api_key);
  if (info == nullptr) return std::nullopt;
  if (info->key == ApiKey::kControlledShutdown && api_version == 0) return 0;
  return api_version >= info->first_flexible_version ? 2 : 1;
}

std::optional<int16_t> ResponseHeaderVersion(int16_t api_key, int16_t api_version) {
  const ApiInfo* info = FindApiInfo(api_key);
  if (info == nullptr) return std::nullopt;
  // ApiVersions answers in header v0 whatever the version, so a client that does not yet know
  // the broker's versions can always parse it (KIP-511).
  if (info->key == ApiKey::kApiVersions) return 0;
  return api_version >= info->first_flexible_version ? 1 : 0;
}

Result<RequestPeek> PeekRequestHeader(const uint8_t* payload, size_t size) {
  WireReader in(payload, size);
  RequestPeek peek;
  peek.api_key = in.ReadInt16("request_api_key");
  peek.api_version = in.ReadInt16("request_api_version");
  peek.correlation_id = in.ReadInt32("correlation_id");
  if (!in.ok()) return Status(in.status().code(), "request header: " + in.status().message());
  return peek;
}

Result<RequestHeader> DecodeRequestHeader(WireReader& in) {
  if (in.remaining() < 4) {
    in.Fail("request header", "truncated");
    return in.status();
  }
  auto key = static_cast<int16_t>((in.data()[in.position()] << 8) | in.data()[in.position() + 1]);
  auto version =
      static_cast<int16_t>((in.data()[in.position() + 2] << 8) | in.data()[in.position() + 3]);
  std::optional<int16_t> header_version = RequestHeaderVersion(key, version);
  if (!header_version.has_value()) {
    return Status::Unsupported("unknown api key " + std::to_string(key));
  }
  RequestHeader header;
  SLUICE_RETURN_IF_ERROR(header.Decode(in, *header_version));
  return header;
}

void EncodeRequestHeader(WireWriter& out, const RequestHeader& header) {
  int16_t version =
      RequestHeaderVersion(header.request_api_key, header.request_api_version).value_or(1);
  header.Encode(out, version);
}

void EncodeResponseHeader(WireWriter& out, int16_t api_key, int16_t api_version,
                          int32_t correlation_id) {
  ResponseHeader header;
  header.correlation_id = correlation_id;
  header.Encode(out, ResponseHeaderVersion(api_key, api_version).value_or(0));
}

Result<ResponseHeader> DecodeResponseHeader(WireReader& in, int16_t api_key, int16_t api_version) {
  ResponseHeader header;
  SLUICE_RETURN_IF_ERROR(header.Decode(in, ResponseHeaderVersion(api_key, api_version).value_or(0)));
  return header;
}

}  // namespace sluice::protocol
