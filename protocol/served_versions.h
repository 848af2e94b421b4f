#pragma once
// THE table of API versions Sluice can serve (kafka-protocol/README.md §3, "advertise" column;
// inter-broker APIs at the one version our controller and replica fetcher speak). Dispatch and the
// ApiVersions handler both read a ServedVersions built from it, so what is advertised is exactly
// what is accepted. The broker enables only the APIs it implements.

#include <bitset>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/generated/messages.h"

namespace sluice::protocol {

struct VersionRange {
  int16_t min = 0;
  int16_t max = -1;
  constexpr bool Contains(int16_t v) const { return v >= min && v <= max; }
};

struct ServedApi {
  ApiKey key;
  VersionRange versions;
};

// Every API Sluice knows how to serve, ascending by key (whether or not a broker enables it).
std::span<const ServedApi> ServableApis();
// The table's range for `key`, or nullptr when the table does not list it.
const ServedApi* FindServableApi(int16_t api_key);

// The enabled subset: what one broker advertises and dispatches. Loop thread (a value type).
class ServedVersions {
 public:
  ServedVersions() = default;  // nothing enabled
  static ServedVersions All();  // every API of the table

  // False (and no change) when the table does not list `key`.
  bool Enable(ApiKey key);
  void Disable(ApiKey key);

  // The served range of an enabled API, or nullptr.
  const VersionRange* Find(int16_t api_key) const;
  bool Serves(int16_t api_key, int16_t api_version) const {
    const VersionRange* r = Find(api_key);
    return r != nullptr && r->Contains(api_version);
  }
  // Enabled APIs, ascending by key.
  std::vector<ServedApi> List() const;
  // The api_keys list of an ApiVersions response.
  std::vector<ApiVersionsResponse::ApiVersion> ToApiVersions() const;

 private:
  static constexpr size_t kMaxKeys = 128;
  std::bitset<kMaxKeys> enabled_;
};

}  // namespace sluice::protocol
