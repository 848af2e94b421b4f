#include "protocol/headers.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::protocol {
namespace {

const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

TEST(HeaderVersions, FollowTheFlexibleVersionRule) {
  EXPECT_EQ(RequestHeaderVersion(7, 0), 0);   // ControlledShutdown v0 only
  EXPECT_EQ(RequestHeaderVersion(7, 1), 1);
  EXPECT_EQ(RequestHeaderVersion(7, 3), 2);
  EXPECT_EQ(RequestHeaderVersion(18, 2), 1);  // ApiVersions v2
  EXPECT_EQ(RequestHeaderVersion(18, 3), 2);  // ApiVersions v3 (librdkafka's first request)
  EXPECT_EQ(RequestHeaderVersion(0, 7), 1);   // Produce flexible from 9
  EXPECT_EQ(RequestHeaderVersion(0, 9), 2);
  EXPECT_EQ(RequestHeaderVersion(9, 7), 2);   // OffsetFetch flexible from 6
  EXPECT_EQ(RequestHeaderVersion(46, 0), 2);  // ListPartitionReassignments always flexible
  EXPECT_EQ(RequestHeaderVersion(999, 0), std::nullopt);
  EXPECT_EQ(ResponseHeaderVersion(18, 3), 0);  // ApiVersions: always v0
  EXPECT_EQ(ResponseHeaderVersion(1, 11), 0);
  EXPECT_EQ(ResponseHeaderVersion(1, 12), 1);
  EXPECT_EQ(ResponseHeaderVersion(22, 4), 1);
}

TEST(RequestHeader, ApiVersionsV3UsesHeaderV2WithInt16ClientId) {
  RequestHeader h;
  h.request_api_key = 18;
  h.request_api_version = 3;
  h.correlation_id = 1;
  h.client_id = "rdkafka";
  WireWriter w;
  EncodeRequestHeader(w, h);
  // key, version, correlation id, int16-prefixed client id (not compact), empty tag section.
  EXPECT_EQ(w.bytes(), std::string("\x00\x12\x00\x03\x00\x00\x00\x01\x00\x07rdkafka\x00", 18));
  w.WriteString("body", true);
  WireReader in(w.bytes());
  Result<RequestHeader> got = DecodeRequestHeader(in);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->client_id, "rdkafka");
  EXPECT_EQ(got->correlation_id, 1);
  EXPECT_EQ(in.ReadString(true), "body");  // reader left at the body
  EXPECT_TRUE(in.ok());
}

TEST(RequestHeader, ControlledShutdownV0HasNoClientId) {
  RequestHeader h;
  h.request_api_key = 7;
  h.request_api_version = 0;
  h.correlation_id = 9;
  h.client_id = "ignored";
  WireWriter w;
  EncodeRequestHeader(w, h);
  EXPECT_EQ(w.bytes().size(), 8u);
  WireReader in(w.bytes());
  Result<RequestHeader> got = DecodeRequestHeader(in);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->correlation_id, 9);
  EXPECT_EQ(got->client_id, std::nullopt);
}

TEST(RequestHeader, NullClientIdInHeaderV1) {
  std::string bytes("\x00\x03\x00\x04\x00\x00\x00\x05\xff\xff", 10);
  WireReader in(bytes);
  Result<RequestHeader> got = DecodeRequestHeader(in);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->request_api_key, 3);
  EXPECT_EQ(got->client_id, std::nullopt);
  EXPECT_EQ(in.remaining(), 0u);
}

TEST(RequestHeader, UnknownApiKeyCanBePeekedButNotDecoded) {
  std::string bytes("\x03\xe7\x00\x02\x00\x00\x01\x00\x00\x01x", 11);  // key 999
  Result<RequestPeek> peek = PeekRequestHeader(U8(bytes), bytes.size());
  ASSERT_TRUE(peek.ok());
  EXPECT_EQ(peek->api_key, 999);
  EXPECT_EQ(peek->api_version, 2);
  EXPECT_EQ(peek->correlation_id, 256);
  WireReader in(bytes);
  Result<RequestHeader> got = DecodeRequestHeader(in);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Errc::kUnsupported);
  EXPECT_NE(got.status().message().find("999"), std::string::npos);
}

TEST(RequestHeader, UnknownVersionOfKnownApiStillDecodes) {
  // ApiVersions v9: header v2 (>= first flexible), so the broker can answer UNSUPPORTED_VERSION.
  std::string bytes("\x00\x12\x00\x09\x00\x00\x00\x02\x00\x01x\x00", 12);
  WireReader in(bytes);
  Result<RequestHeader> got = DecodeRequestHeader(in);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->request_api_version, 9);
  EXPECT_EQ(in.remaining(), 0u);
}

TEST(RequestHeader, ShortFramesFail) {
  std::string bytes("\x00\x12\x00", 3);
  EXPECT_FALSE(PeekRequestHeader(U8(bytes), bytes.size()).ok());
  WireReader in(bytes);
  EXPECT_FALSE(DecodeRequestHeader(in).ok());
  std::string truncated_client_id("\x00\x03\x00\x04\x00\x00\x00\x05\x00\x09" "ab", 12);
  WireReader in2(truncated_client_id);
  Result<RequestHeader> got = DecodeRequestHeader(in2);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("client_id at byte 8"), std::string::npos)
      << got.status();
}

TEST(ResponseHeader, FlexibleResponsesCarryTaggedFieldsExceptApiVersions) {
  WireWriter v0;
  EncodeResponseHeader(v0, 18, 3, 7);
  EXPECT_EQ(v0.bytes(), std::string("\x00\x00\x00\x07", 4));
  WireWriter v1;
  EncodeResponseHeader(v1, 22, 4, 7);
  EXPECT_EQ(v1.bytes(), std::string("\x00\x00\x00\x07\x00", 5));
  WireReader in(v1.bytes());
  Result<ResponseHeader> got = DecodeResponseHeader(in, 22, 4);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->correlation_id, 7);
  EXPECT_EQ(in.remaining(), 0u);
}

TEST(Frames, ResponseFrameHasSizeHeaderAndBody) {
  HeartbeatResponse resp;
  resp.error_code = 27;
  EncodedChunks frame = EncodeResponseFrame(resp, /*api_version=*/3, /*correlation_id=*/5);
  // size 10: correlation id, throttle_time_ms, error_code.
  EXPECT_EQ(frame.bytes, std::string("\x00\x00\x00\x0a\x00\x00\x00\x05\x00\x00\x00\x00\x00\x1b", 14));
  EncodedChunks req = EncodeRequestFrame(HeartbeatRequest{}, 3, 5, "c");
  FrameCheck check = CheckFrame(U8(req.bytes), req.bytes.size());
  ASSERT_EQ(check.state, FrameCheck::State::kFrame);
  WireReader in(U8(req.bytes) + 4, req.bytes.size() - 4);
  Result<RequestHeader> h = DecodeRequestHeader(in);
  ASSERT_TRUE(h.ok());
  HeartbeatRequest body;
  ASSERT_TRUE(body.Decode(in, h->request_api_version).ok());
  EXPECT_EQ(in.remaining(), 0u);
}

}  // namespace
}  // namespace sluice::protocol
