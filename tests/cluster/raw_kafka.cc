#include "tests/cluster/raw_kafka.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace sluice::testing {

Bytes& Bytes::I8(int8_t v) {
  buf_.push_back(static_cast<char>(v));
  return *this;
}
Bytes& Bytes::I16(int16_t v) {
  uint16_t u = static_cast<uint16_t>(v);
  buf_.push_back(static_cast<char>(u >> 8));
  buf_.push_back(static_cast<char>(u));
  return *this;
}
Bytes& Bytes::U32(uint32_t u) {
  for (int s = 24; s >= 0; s -= 8) buf_.push_back(static_cast<char>(u >> s));
  return *this;
}
Bytes& Bytes::I32(int32_t v) { return U32(static_cast<uint32_t>(v)); }
Bytes& Bytes::I64(int64_t v) {
  uint64_t u = static_cast<uint64_t>(v);
  for (int s = 56; s >= 0; s -= 8) buf_.push_back(static_cast<char>(u >> s));
  return *this;
}
Bytes& Bytes::Str(const std::string& s) {
  I16(static_cast<int16_t>(s.size()));
  buf_ += s;
  return *this;
}
Bytes& Bytes::NullStr() { return I16(-1); }
Bytes& Bytes::CompactStr(const std::string& s) {
  UVarint(s.size() + 1);
  buf_ += s;
  return *this;
}
Bytes& Bytes::UVarint(uint64_t v) {
  while (v >= 0x80) {
    buf_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  buf_.push_back(static_cast<char>(v));
  return *this;
}
Bytes& Bytes::Varint(int64_t v) {
  return UVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
Bytes& Bytes::Raw(const std::string& s) {
  buf_ += s;
  return *this;
}
Bytes& Bytes::SizedBytes(const std::string& s) {
  I32(static_cast<int32_t>(s.size()));
  buf_ += s;
  return *this;
}

bool Reader::Need(size_t n) {
  if (!ok_ || data_.size() - pos_ < n) ok_ = false;
  return ok_;
}
int16_t Reader::I16() {
  if (!Need(2)) return 0;
  auto b = reinterpret_cast<const uint8_t*>(data_.data() + pos_);
  pos_ += 2;
  return static_cast<int16_t>((b[0] << 8) | b[1]);
}
int32_t Reader::I32() {
  if (!Need(4)) return 0;
  auto b = reinterpret_cast<const uint8_t*>(data_.data() + pos_);
  pos_ += 4;
  return static_cast<int32_t>((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) |
                              (uint32_t{b[2]} << 8) | b[3]);
}
int64_t Reader::I64() {
  uint64_t hi = static_cast<uint32_t>(I32());
  uint64_t lo = static_cast<uint32_t>(I32());
  return static_cast<int64_t>((hi << 32) | lo);
}
std::string Reader::Str() {
  int16_t n = I16();
  if (n < 0 || !Need(static_cast<size_t>(n))) return "";
  std::string s = data_.substr(pos_, n);
  pos_ += n;
  return s;
}

uint32_t Crc32c(const std::string& data, size_t begin) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = begin; i < data.size(); ++i) {
    crc = table[(crc ^ static_cast<uint8_t>(data[i])) & 0xff] ^ (crc >> 8);
  }
  return crc ^ 0xFFFFFFFFu;
}

std::string BuildRecordBatch(const std::vector<std::string>& values, int64_t base_timestamp,
                             bool corrupt_crc) {
  Bytes records;
  for (size_t i = 0; i < values.size(); ++i) {
    Bytes rec;
    std::string key = "k" + std::to_string(i);
    rec.I8(0).Varint(static_cast<int64_t>(i)).Varint(static_cast<int64_t>(i));
    rec.Varint(static_cast<int64_t>(key.size())).Raw(key);
    rec.Varint(static_cast<int64_t>(values[i].size())).Raw(values[i]);
    rec.Varint(0);  // headers
    records.Varint(static_cast<int64_t>(rec.size())).Raw(rec.str());
  }
  Bytes tail;  // from attributes (offset 21) to the end: what the CRC covers
  int32_t n = static_cast<int32_t>(values.size());
  tail.I16(0).I32(n - 1).I64(base_timestamp).I64(base_timestamp + n - 1);
  tail.I64(-1).I16(-1).I32(-1).I32(n).Raw(records.str());
  uint32_t crc = Crc32c(tail.str());
  if (corrupt_crc) crc ^= 0x00010000u;
  Bytes batch;
  batch.I64(0).I32(static_cast<int32_t>(4 + 1 + 4 + tail.size())).I32(0).I8(2).U32(crc);
  batch.Raw(tail.str());
  return batch.str();
}

std::string Frame(int16_t api_key, int16_t api_version, int32_t correlation_id,
                  const std::string& body, bool flexible_header) {
  Bytes payload;
  payload.I16(api_key).I16(api_version).I32(correlation_id).Str("sluice-raw-test");
  if (flexible_header) payload.UVarint(0);
  payload.Raw(body);
  Bytes frame;
  frame.I32(static_cast<int32_t>(payload.size())).Raw(payload.str());
  return frame.str();
}

std::string ProduceV7(int32_t correlation_id, const std::string& topic, int32_t partition,
                      const std::string& batch, int16_t acks) {
  Bytes body;
  body.NullStr().I16(acks).I32(30000);
  body.I32(1).Str(topic).I32(1).I32(partition).SizedBytes(batch);
  return Frame(/*Produce*/ 0, 7, correlation_id, body.str());
}

Result<ProducePartitionResult> ParseProduceV7Response(const std::string& payload,
                                                      int32_t expect_correlation_id) {
  Reader r(payload);
  int32_t corr = r.I32();
  if (r.ok() && corr != expect_correlation_id) {
    return Status::Corruption("correlation id " + std::to_string(corr) + ", expected " +
                              std::to_string(expect_correlation_id));
  }
  ProducePartitionResult out;
  int32_t topics = r.I32();
  if (topics != 1) return Status::Corruption("topics count " + std::to_string(topics));
  out.topic = r.Str();
  int32_t parts = r.I32();
  if (parts != 1) return Status::Corruption("partitions count " + std::to_string(parts));
  out.partition = r.I32();
  out.error_code = r.I16();
  out.base_offset = r.I64();
  r.I64();  // log_append_time_ms
  r.I64();  // log_start_offset
  r.I32();  // throttle_time_ms
  if (!r.ok()) return Status::Corruption("Produce v7 response truncated");
  return out;
}

Result<RawConnection> RawConnection::Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int e = errno;
    ::close(fd);
    return Status::IoError("connect 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(e));
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return RawConnection(fd);
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

Status RawConnection::Send(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(std::string("send: ") + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  return Status::Ok();
}

void RawConnection::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

Status RawConnection::ReadExactly(std::string* out, size_t n,
                                  std::chrono::steady_clock::time_point deadline) {
  out->clear();
  char buf[65536];
  while (out->size() < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Status::TimedOut("no response");
    pollfd p{fd_, POLLIN, 0};
    int pr = ::poll(&p, 1, static_cast<int>(left.count()));
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) return Status::TimedOut("no response");
    ssize_t r = ::recv(fd_, buf, std::min(sizeof(buf), n - out->size()), 0);
    if (r == 0) return Status::Unavailable("connection closed by broker");
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(std::string("recv: ") + std::strerror(errno));
    }
    out->append(buf, static_cast<size_t>(r));
  }
  return Status::Ok();
}

Result<std::string> RawConnection::ReadFrame(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string size_bytes;
  SLUICE_RETURN_IF_ERROR(ReadExactly(&size_bytes, 4, deadline));
  Reader r(size_bytes);
  int32_t size = r.I32();
  if (size < 0 || size > (64 << 20)) return Status::Corruption("bad response size");
  std::string payload;
  SLUICE_RETURN_IF_ERROR(ReadExactly(&payload, static_cast<size_t>(size), deadline));
  return payload;
}

RawConnection::Outcome RawConnection::WaitForClose(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Outcome::kTimeout;
    pollfd p{fd_, POLLIN, 0};
    int pr = ::poll(&p, 1, static_cast<int>(left.count()));
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) return Outcome::kTimeout;
    ssize_t r = ::recv(fd_, buf, sizeof(buf), 0);
    if (r == 0) return Outcome::kClosed;
    if (r < 0) return errno == EINTR ? WaitForClose(timeout) : Outcome::kClosed;  // reset
    return Outcome::kData;
  }
}

Status ApiVersionsHealthy(int port) {
  SLUICE_ASSIGN_OR_RETURN(RawConnection conn, RawConnection::Connect(port));
  SLUICE_RETURN_IF_ERROR(conn.Send(Frame(/*ApiVersions*/ 18, 0, 4242, "")));
  SLUICE_ASSIGN_OR_RETURN(std::string payload, conn.ReadFrame(std::chrono::seconds(10)));
  Reader r(payload);
  int32_t corr = r.I32();
  int16_t error = r.I16();
  if (!r.ok() || corr != 4242) return Status::Corruption("bad ApiVersions v0 response");
  if (error != 0) return Status::Unavailable("ApiVersions v0 error " + std::to_string(error));
  return Status::Ok();
}

}  // namespace sluice::testing
