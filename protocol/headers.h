#pragma once
// Request and response headers (kafka-protocol/README.md §1).
//
// Request header version: v0 only for ControlledShutdown v0; v2 when api_version >= the API's first
// flexible version; v1 otherwise (client_id stays an int16-prefixed string even in v2). Response
// header: v1 (with tagged fields) when the response version is flexible, except ApiVersions, whose
// response header is always v0.
//
// Typical broker use, per frame (payload = the bytes after the 4-byte size prefix):
//   WireReader in(payload, size);
//   Result<RequestHeader> header = DecodeRequestHeader(in);   // in now at the body
//   ProduceRequest req; Status s = req.Decode(in, header->request_api_version);
//   ... EncodedChunks frame = EncodeResponseFrame(resp, ProduceResponse::kApiKey, version, corr);

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "protocol/framing.h"
#include "protocol/generated/messages.h"
#include "protocol/wire.h"

namespace sluice::protocol {

// 0, 1 or 2; nullopt when the api key has no schema.
std::optional<int16_t> RequestHeaderVersion(int16_t api_key, int16_t api_version);
// 0 or 1; nullopt when the api key has no schema.
std::optional<int16_t> ResponseHeaderVersion(int16_t api_key, int16_t api_version);

// The fixed-offset start of every request header, readable whatever the API or version.
struct RequestPeek {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
};
// `payload` is the frame without its size prefix. Fails only when fewer than 8 bytes.
Result<RequestPeek> PeekRequestHeader(const uint8_t* payload, size_t size);

// Decodes the request header at the reader's position and leaves the reader at the body. An api
// key without a schema is kUnsupported (Kafka closes the connection); any version of a known API
// decodes (the broker answers unsupported ApiVersions versions itself).
Result<RequestHeader> DecodeRequestHeader(WireReader& in);
// Writes the header in the version its api key/version call for (unknown keys: v1).
void EncodeRequestHeader(WireWriter& out, const RequestHeader& header);

// Response header for a request's api key/version (unknown keys: v0).
void EncodeResponseHeader(WireWriter& out, int16_t api_key, int16_t api_version,
                          int32_t correlation_id);
// For clients (replica fetcher, tools): decodes the response header and leaves `in` at the body.
Result<ResponseHeader> DecodeResponseHeader(WireReader& in, int16_t api_key, int16_t api_version);

// A whole response frame: size prefix, response header, body (FileRegions kept zero-copy).
template <typename Message>
EncodedChunks EncodeResponseFrame(const Message& body, int16_t api_version,
                                  int32_t correlation_id) {
  WireWriter out;
  size_t begin = BeginFrame(out);
  EncodeResponseHeader(out, Message::kApiKey, api_version, correlation_id);
  body.Encode(out, api_version);
  EndFrame(out, begin);
  return std::move(out).Finish();
}

// A whole request frame (replica fetcher, controller channel, tests).
template <typename Message>
EncodedChunks EncodeRequestFrame(const Message& body, int16_t api_version, int32_t correlation_id,
                                 std::optional<std::string> client_id) {
  WireWriter out;
  size_t begin = BeginFrame(out);
  RequestHeader header;
  header.request_api_key = Message::kApiKey;
  header.request_api_version = api_version;
  header.correlation_id = correlation_id;
  header.client_id = std::move(client_id);
  EncodeRequestHeader(out, header);
  body.Encode(out, api_version);
  EndFrame(out, begin);
  return std::move(out).Finish();
}

}  // namespace sluice::protocol
