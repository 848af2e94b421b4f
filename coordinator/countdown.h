#pragma once
// Countdown: join point for N asynchronous ZooKeeper calls on the loop thread. Returns a
// function to call once per finished call; `then` runs after the N-th (at once if N is 0).

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

namespace sluice::coordinator {

inline std::function<void()> Countdown(size_t n, std::function<void()> then) {
  if (n == 0) {
    then();
    return [] {};
  }
  auto state = std::make_shared<std::pair<size_t, std::function<void()>>>(n, std::move(then));
  return [state] {
    if (state->first > 0 && --state->first == 0) state->second();
  };
}

}  // namespace sluice::coordinator
