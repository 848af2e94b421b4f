#pragma once
// Status and Result<T>: errors as values (STYLE.md §3). No exceptions cross our APIs.

#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <variant>

namespace sluice {

enum class Errc : uint8_t {
  kOk,
  kInvalidArgument,
  kNotFound,
  kCorruption,
  kIoError,
  kTimedOut,
  kNotLeader,
  kTooLarge,
  kAlreadyExists,
  kUnavailable,
  kUnsupported,
  kOutOfRange,
};

const char* ErrcName(Errc code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Errc code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Errc::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Errc::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {Errc::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {Errc::kIoError, std::move(m)}; }
  static Status TimedOut(std::string m) { return {Errc::kTimedOut, std::move(m)}; }
  static Status NotLeader(std::string m) { return {Errc::kNotLeader, std::move(m)}; }
  static Status TooLarge(std::string m) { return {Errc::kTooLarge, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Errc::kAlreadyExists, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Errc::kUnavailable, std::move(m)}; }
  static Status Unsupported(std::string m) { return {Errc::kUnsupported, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {Errc::kOutOfRange, std::move(m)}; }

  bool ok() const { return code_ == Errc::kOk; }
  Errc code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Errc code_ = Errc::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

// T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}           // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}   // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;  // kOk when value_ is set
};

}  // namespace sluice

#define SLUICE_RETURN_IF_ERROR(expr)         \
  do {                                       \
    ::sluice::Status s_ = (expr);            \
    if (!s_.ok()) return s_;                 \
  } while (0)

#define SLUICE_CONCAT_INNER(a, b) a##b
#define SLUICE_CONCAT(a, b) SLUICE_CONCAT_INNER(a, b)
#define SLUICE_ASSIGN_OR_RETURN(lhs, expr)                               \
  auto SLUICE_CONCAT(r_, __LINE__) = (expr);                             \
  if (!SLUICE_CONCAT(r_, __LINE__).ok()) return SLUICE_CONCAT(r_, __LINE__).status(); \
  lhs = std::move(SLUICE_CONCAT(r_, __LINE__)).value()
