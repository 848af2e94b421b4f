// Fuzz target: a request frame -> framing -> request header -> the generated request of that api
// key/version (and the matching response, which our replica fetcher and tools decode). Nothing may
// crash or read out of bounds, and whatever decodes must re-encode stably:
// encode(decode(encode(decode(x)))) == encode(decode(x)).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "protocol/framing.h"
#include "protocol/generated/messages.h"
#include "protocol/headers.h"
#include "protocol/wire.h"

namespace {

using sluice::protocol::WireReader;
using sluice::protocol::WireWriter;

template <typename T>
void DecodeAndCheckStable(WireReader& in, int16_t version) {
  T body;
  if (!body.Decode(in, version).ok()) return;
  WireWriter first;
  body.Encode(first, version);
  WireReader again(first.bytes());
  T body2;
  if (!body2.Decode(again, version).ok() || again.remaining() != 0) std::abort();
  WireWriter second;
  body2.Encode(second, version);
  if (second.bytes() != first.bytes()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::protocol;
  if (data == nullptr) return 0;
  // Inputs are whole frames (the captures); a mutated size prefix falls back to the raw bytes.
  const uint8_t* payload = data;
  size_t length = size;
  FrameCheck check = CheckFrame(data, size, kDefaultMaxFrameBytes);
  if (check.state == FrameCheck::State::kFrame) {
    payload = data + kFrameSizePrefix;
    length = static_cast<size_t>(check.size);
  }
  auto peek = PeekRequestHeader(payload, length);
  if (!peek.ok()) return 0;

  WireReader in(payload, length);
  auto header = DecodeRequestHeader(in);
  if (header.ok()) {
    const int16_t version = header->request_api_version;
    VisitRequestType(header->request_api_key, [&](auto type) {
      DecodeAndCheckStable<typename decltype(type)::type>(in, version);
    });
  }

  // The same bytes as a response body of that api key/version.
  WireReader resp(payload + 4, length - 4);
  auto resp_header = DecodeResponseHeader(resp, peek->api_key, peek->api_version);
  if (resp_header.ok()) {
    VisitResponseType(peek->api_key, [&](auto type) {
      DecodeAndCheckStable<typename decltype(type)::type>(resp, peek->api_version);
    });
  }
  return 0;
}
